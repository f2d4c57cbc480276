// Rows encoded straight from a message (src/ingest/encoded.ts through src/store/insert-rows.ts) against bytes written
// out by hand from RowBinary's definition, and against the object-row encoder (insert-encoders.test.ts checks it by
// hand) for messages of every kind: same bytes, row by row, so the column order is the layout's.
import { describe, expect, it } from 'vitest';
import { encodeLabel, encodePrediction, originOf, rowMessages } from '../../../src/ingest/encoded.js';
import { decodeMessages } from '../../../src/ingest/messages.js';
import { decodeLabel } from '../../../src/ingest/decode.js';
import { labelRow, predictionRowOf } from '../../../src/ingest/rows.js';
import { INSERT_LAYOUTS, NotEncodable } from '../../../src/store/insert-layout.js';
import { encodeRowBinary } from '../../../src/store/insert-rowbinary.js';
import { rowEncoder } from '../../../src/store/insert-rows.js';
import { f64, str, u32 } from './bytes.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const T = NOW - 60_000;
const u64 = (v: number) => [...u32(v % 2 ** 32), ...u32(Math.floor(v / 2 ** 32))];

const predictions: unknown[] = [
  { model: 'fraud', prediction_id: 'p-1', timestamp: T, features: { a: 1.5, b: -0, c: 0.1 + 0.2 }, prediction: 0.7 },
  { model: 'fraud', prediction_id: 'p-2', timestamp: T + 1, features: { a: 2, b: 3, c: 4 }, prediction: 0.1, label: 1 },
  { model: 'fraud', prediction_id: 3, model_version: 'v2', timestamp: new Date(T).toISOString(), features: { a: null, country: 'país', ok: true, n: 1e300 }, prediction: 'yes', label: 'no', metadata: { x: [1, { y: '\ud83c\udf89' }] } },
  { model: 'fraud', prediction_id: 'p-4', timestamp: T, features: {} },
  { model: 'fraud', prediction_id: 'p-5', timestamp: T, features: { a: 5, b: 6, c: 7 }, metadata: {} },
  `{"model":"m\\"\\\\","prediction_id":"p\\n6","timestamp":${T},"features":{"we\\"ird":"v\\t","__proto__":1,"constructor":null}}`,
];
const labels: unknown[] = [
  { model: 'fraud', prediction_id: 'p-1', label: 1, timestamp: T },
  { model: 'fraud', prediction_id: 'p-2', label: 'cat', timestamp: new Date(T).toISOString() },
  { model: 'fraud', prediction_id: 'p-3', label: -0, timestamp: T },
];
/** A message as parsed: text through JSON.parse (keys as data), an object as it is (so -0 stays -0). */
const parse = (m: unknown) => (typeof m === 'string' ? (JSON.parse(m) as unknown) : m);

describe('rows encoded straight from messages', () => {
  it('a prediction\'s row has the bytes of its object row, row by row', () => {
    const enc = rowEncoder();
    for (const m of predictions) expect(encodePrediction(enc, parse(m), {}, Math.floor(NOW / 1000))).toBe(predictionRowOf(parse(m), {}, NOW).timestamp);
    const { data, ends } = enc.finish();
    expect(ends).toHaveLength(predictions.length);
    const rows = predictions.map((m) => predictionRowOf(parse(m), {}, NOW).row as unknown as Record<string, unknown>);
    expect(data.equals(encodeRowBinary(INSERT_LAYOUTS.predictions, rows))).toBe(true);
    rows.forEach((row, i) => expect(data.subarray(i === 0 ? 0 : ends[i - 1], ends[i]).equals(encodeRowBinary(INSERT_LAYOUTS.predictions, [row]))).toBe(true));
  });

  it('repeated name lists are copied right across a dropped row, a taken chunk and a grown buffer', () => {
    const same = (i: number) => ({ model: 'fraud', prediction_id: `r-${i}`, timestamp: T, features: { a: i, b: 'x', c: null } });
    const other = (i: number) => ({ model: 'fraud', prediction_id: `o-${i}`, timestamp: T, features: { zz: i, b: 'y', c: null, d: null } });
    const enc = rowEncoder();
    const written: unknown[][] = [[], [], []];
    const write = (chunk: number, m: unknown) => {
      encodePrediction(enc, m, {}, Math.floor(NOW / 1000));
      written[chunk].push(m);
    };
    write(0, same(0));
    write(0, same(1));
    // a row dropped after its name lists were written (its last column, ingested_at, is not a UInt32), then one
    // with those same lists: they must not be copied from the dropped row's bytes, which the new row overwrites;
    // the next row's longer id puts its name lists elsewhere
    expect(() => encodePrediction(enc, other(2), {}, -1)).toThrow(NotEncodable);
    write(0, { ...other(3), prediction_id: 'o-3-with-a-longer-id' });
    for (let i = 4; i < 2_000; i++) write(0, i % 7 === 0 ? other(i) : same(i)); // past the first 64 KB buffer
    const first = enc.finish();
    write(1, other(5000)); // a chunk of one row: its lists' bytes lie near the start of the reused buffer
    const second = enc.finish();
    write(2, { ...other(5001), prediction_id: 'o-5001-with-a-longer-id' }); // its id overwrites them before its lists
    write(2, other(5002));
    const third = enc.finish();
    const rows = (ms: unknown[]) => ms.map((m) => predictionRowOf(m, {}, NOW).row as unknown as Record<string, unknown>);
    expect(first.data.length).toBeGreaterThan(1 << 16);
    expect(first.data.equals(encodeRowBinary(INSERT_LAYOUTS.predictions, rows(written[0])))).toBe(true);
    expect(second.data.equals(encodeRowBinary(INSERT_LAYOUTS.predictions, rows(written[1])))).toBe(true);
    expect(third.data.equals(encodeRowBinary(INSERT_LAYOUTS.predictions, rows(written[2])))).toBe(true);
  });

  it('a label\'s row has the bytes of its object row', () => {
    const enc = rowEncoder();
    for (const m of labels) encodeLabel(enc, parse(m), {}, Math.floor(NOW / 1000));
    const { data, ends } = enc.finish();
    expect(ends).toHaveLength(labels.length);
    expect(data.equals(encodeRowBinary(INSERT_LAYOUTS.labels, labels.map((m) => labelRow(decodeLabel(parse(m)), NOW) as unknown as Record<string, unknown>)))).toBe(true);
  });

  it('a prediction in the bytes ClickHouse reads (hand-written)', () => {
    const enc = rowEncoder();
    encodePrediction(enc, { model: 'm', prediction_id: 'p', timestamp: 1_764_000_000_123, features: { a: 1.5, b: 'x', c: null }, prediction: 0.25 }, {}, 1_764_000_001);
    const expected = [
      ...str('m'), ...str(''), ...str('p'), ...u32(1_764_000_000), ...u64(1_764_000_000_123),
      1, ...str('a'), 1, ...f64(1.5), 1, ...str('b'), 1, ...str('x'), 1, ...str('c'),
      0, ...f64(0.25), 1, 1, 1, ...str(''), ...u32(1_764_000_001),
    ];
    const { data, ends } = enc.finish();
    expect([...data]).toEqual(expected);
    expect([...ends]).toEqual([expected.length]);
  });

  it('a message refused by validation leaves no bytes; a value it cannot write drops the row begun', () => {
    const enc = rowEncoder();
    expect(() => encodePrediction(enc, { model: 'm', prediction_id: 'p', timestamp: T, features: { x: 'a\ud800' } }, {}, 1)).toThrow(/lone surrogate/);
    expect(enc.rows).toBe(0);
    enc.string('half a row');
    expect(() => enc.uint64(1.5)).toThrow(NotEncodable);
    enc.abandonRow();
    encodePrediction(enc, parse(predictions[0]), {}, Math.floor(NOW / 1000));
    const { data, ends } = enc.finish();
    expect(data.equals(encodeRowBinary(INSERT_LAYOUTS.predictions, [predictionRowOf(parse(predictions[0]), {}, NOW).row as unknown as Record<string, unknown>]))).toBe(true);
    expect(ends).toHaveLength(1);
    expect(enc.finish().data).toHaveLength(0); // finish starts afresh
  });

  it('decodeMessages with rowBinary: valid messages become encoded rows with their message, the rest dead letters', () => {
    const raw = (v: unknown, offset: number) => ({ value: typeof v === 'string' ? v : JSON.stringify(v), topic: 'preds', partition: 4, offset: String(offset) });
    const messages = [raw(predictions[0], 10), raw('{nope', 11), raw(predictions[1], 12), raw({ model: 'fraud' }, 13), raw(predictions[3], 14)];
    const report = decodeMessages('prediction', 'kafka', messages, 1e6, { rowBinary: true }, NOW);
    expect(report.batch.predictions).toEqual([]);
    expect(report.batch.deadLetters.map((d) => [d.offset, d.reason.slice(0, 8)])).toEqual([['11', 'not JSON'], ['13', 'missing ']]);
    const [encoded] = report.batch.encoded!;
    expect(encoded).toMatchObject({ table: 'predictions', source: 'kafka' });
    expect([0, 1, 2].map((i) => originOf(encoded, i))).toEqual([0, 2, 4].map((i) => ({ source: 'kafka', topic: 'preds', partition: 4, offset: String(10 + i), value: Buffer.from(messages[i].value) })));
    expect(encoded.messages).toMatchObject({ offsets: Float64Array.from([10, 12, 14]) }); // no object per message
    const rows = [0, 2, 4].map((i) => predictionRowOf(JSON.parse(messages[i].value) as unknown, {}, NOW).row as unknown as Record<string, unknown>);
    expect(encoded.data.equals(encodeRowBinary(INSERT_LAYOUTS.predictions, rows))).toBe(true);
    expect(report.newestEventMs).toBe(T + 1);
    // without rowBinary: object rows, as before
    const plain = decodeMessages('prediction', 'kafka', messages, 1e6, {}, NOW).batch;
    expect(plain.encoded).toBeUndefined();
    expect(encodeRowBinary(INSERT_LAYOUTS.predictions, plain.predictions as unknown as Array<Record<string, unknown>>).equals(encoded.data)).toBe(true);
  });

  it('keeps the messages of encoded rows compactly, each origin as it was', () => {
    const http = [{ value: '{"é":1}', topic: '/v1/predictions', partition: -1, offset: 'line 1' }, { value: '', topic: '/v1/predictions', partition: -1, offset: 'line 3' }];
    const rows = (messages: ReturnType<typeof rowMessages>) => ({ table: 'predictions' as const, data: Buffer.alloc(0), ends: new Uint32Array(2), source: 'http', messages });
    expect([0, 1].map((i) => originOf(rows(rowMessages(http)), i))).toEqual(http.map((m) => ({ source: 'http', ...m, value: Buffer.from(m.value) })));
    const mixed = [{ value: Buffer.from('a'), topic: 't', partition: 1, offset: '5' }, { value: Buffer.from('b'), topic: 't', partition: 2, offset: '9007199254740993' }];
    expect(rowMessages(mixed)).toEqual({ each: mixed });
    expect(originOf(rows(rowMessages(mixed)), 1)).toEqual({ source: 'http', ...mixed[1] });
    const big = [{ value: Buffer.from('a'), topic: 't', partition: 1, offset: '9007199254740993' }];
    expect(originOf(rows(rowMessages(big)), 0).offset).toBe('9007199254740993'); // past 2^53: kept as text
  });
});
