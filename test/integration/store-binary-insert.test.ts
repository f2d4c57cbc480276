// The ingest tables' binary insert path (RowBinary: over HTTP into the 18.16 server, through a spool file into the
// embedded engine) on a real ClickHouse: every column type it writes reads back as written — floats bit for bit,
// text of any length and script, nulls, empty arrays, the DateTime range — the MATERIALIZED column is still
// computed by ClickHouse, and a row it will not encode goes as JSON so ClickHouse itself refuses it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessages } from '../../src/ingest/messages.js';
import { BatchWriter } from '../../src/ingest/writer.js';
import { createStore, type Store } from '../../src/store/index.js';
import { clickhouseUrl, freshStore, uniqueName } from '../support/services.js';

/** A float's IEEE bytes (little-endian) in hex, as ClickHouse's hex(reinterpretAsString(x)) prints them (that
 *  drops trailing zero bytes). */
function bits(v: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b.toString('hex').toUpperCase().replace(/(00)+$/, '');
}

/** Deterministic doubles with full 17-digit mantissas across magnitudes (the cases text parsers get wrong). */
function hardDoubles(n: number): number[] {
  let seed = 0x2545f491;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out = [0.1 + 0.2, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -0, 123456789.12345679, 2 ** 53 + 2, 1 / 3, -2 / 3, Math.PI * 1e-4];
  while (out.length < n) out.push((next() - 0.5) * 10 ** Math.floor(next() * 40 - 20) * (1 + next()));
  return out;
}

function row(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'bin', model_version: 'v1', prediction_id: id, ts: 1_764_000_000, ts_ms: 1_764_000_000_123,
    num_names: [], num_values: [], cat_names: [], cat_values: [], missing_names: [],
    prediction_num: null, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: 1_764_000_001,
    ...extra,
  };
}

describe('binary inserts of the ingest tables', () => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore('binins');
  });
  afterAll(async () => {
    await store.close();
  });

  it('stores every float bit for bit', async () => {
    const values = hardDoubles(400);
    const rows = Array.from({ length: 20 }, (_, i) => row(`f-${i}`, { num_names: values.slice(i * 20, i * 20 + 20).map((_, k) => `x${k}`), num_values: values.slice(i * 20, i * 20 + 20), prediction_num: values[i], label_num: values[399 - i] }));
    await store.insert('predictions', rows);
    const got = await store.query<{ id: string; v: string[]; p: string; l: string }>(
      "SELECT prediction_id AS id, arrayMap(x -> hex(reinterpretAsString(x)), num_values) AS v, hex(reinterpretAsString(assumeNotNull(prediction_num))) AS p, hex(reinterpretAsString(assumeNotNull(label_num))) AS l FROM predictions WHERE model = 'bin' AND prediction_id LIKE 'f-%' ORDER BY toUInt32(substring(prediction_id, 3))");
    expect(got.map((r) => [r.id, r.v.map(String), String(r.p), String(r.l)])).toEqual(rows.map((r, i) => [`f-${i}`, (r.num_values as number[]).map(bits), bits(values[i]), bits(values[399 - i])]));
  });

  it('stores text, nulls, empty arrays, the DateTime range and a 70 KB string as written; ClickHouse computes name_layout', async () => {
    const long = 'é✓𝄞'.repeat(6000) + 'x'.repeat(30_000);
    const rows = [
      row('t-0', { num_names: ['a', 'b'], num_values: [1, 2], cat_names: ['país', 'emoji 🎉', ''], cat_values: ['España', 'tab\there\nnewline', "q'uote\\back"], missing_names: ['gone'], prediction_str: 'yes', label_str: '', metadata: long }),
      row('t-1', { ts: 0, ts_ms: 0, ingested_at: 4_294_967_295, model_version: '', prediction_num: 0.5 }),
      row('t-2', { ts: 4_294_967_295, ts_ms: 4_294_967_295_999, model_version: 'ü'.repeat(200) }),
    ];
    await store.insert('predictions', rows);
    const got = await store.query<Record<string, unknown>>(
      `SELECT prediction_id, model_version, toUnixTimestamp(ts) AS ts, ts_ms, num_names, num_values, cat_names, cat_values, missing_names,
              prediction_num, prediction_str, label_num, label_str, metadata, toUnixTimestamp(ingested_at) AS ingested_at,
              name_layout = cityHash64(num_names, cat_names, missing_names) AS layout_ok
       FROM predictions WHERE model = 'bin' AND prediction_id LIKE 't-%' ORDER BY prediction_id`);
    expect(got.map((r) => ({ ...r, ts: Number(r.ts), ts_ms: Number(r.ts_ms), ingested_at: Number(r.ingested_at), layout_ok: Number(r.layout_ok) }))).toEqual(rows.map((r) => ({
      prediction_id: r.prediction_id, model_version: r.model_version, ts: r.ts, ts_ms: r.ts_ms, num_names: r.num_names, num_values: r.num_values,
      cat_names: r.cat_names, cat_values: r.cat_values, missing_names: r.missing_names, prediction_num: r.prediction_num, prediction_str: r.prediction_str,
      label_num: r.label_num, label_str: r.label_str, metadata: r.metadata, ingested_at: r.ingested_at, layout_ok: 1,
    })));
  });

  it('stores labels and dead letters (negative partitions included)', async () => {
    await store.insert('labels', [{ model: 'bin', prediction_id: 'l-1', label_num: 0.1 + 0.2, label_str: null, ts: 1_764_000_000, ts_ms: 1_764_000_000_001, ingested_at: 1_764_000_002 }]);
    await store.insert('dead_letters', [{ received_at: 1_764_000_003, source: 'http', topic: '/v1/predictions', partition: -1, offset: 'line 3', reason: 'missing "model"', payload: '{"ñ":1}' }]);
    expect(await store.query('SELECT prediction_id, hex(reinterpretAsString(assumeNotNull(label_num))) AS b, label_str, ts_ms FROM labels WHERE model = \'bin\'')).toEqual([{ prediction_id: 'l-1', b: bits(0.1 + 0.2), label_str: null, ts_ms: '1764000000001' }]);
    expect(await store.query("SELECT source, topic, partition, offset, reason, payload FROM dead_letters WHERE offset = 'line 3'")).toEqual([{ source: 'http', topic: '/v1/predictions', partition: -1, offset: 'line 3', reason: 'missing "model"', payload: '{"ñ":1}' }]);
  });

  it('sends a row it will not encode (a lone surrogate) as JSON, which ClickHouse refuses with its own error', async () => {
    await expect(store.insert('predictions', [row('s-0'), row('s-\ud800')])).rejects.toMatchObject({ kind: 'data', message: expect.stringMatching(/^insert into predictions: ClickHouse error \d+: /) });
    expect(await store.query("SELECT count() AS c FROM predictions WHERE prediction_id LIKE 's-%'")).toEqual([{ c: '0' }]);
  });

  it('names its columns: a predictions table with its columns in another order and one more takes the rows', async () => {
    const database = uniqueName('binorder');
    const admin = createStore({ url: clickhouseUrl(), database: 'default' });
    await admin.command(`CREATE DATABASE ${database}`);
    const other = createStore({ url: clickhouseUrl(), database });
    try {
      await other.command(`CREATE TABLE predictions (
        extra String DEFAULT 'filled', ingested_at DateTime, metadata String, label_str Nullable(String), label_num Nullable(Float64),
        prediction_str Nullable(String), prediction_num Nullable(Float64), missing_names Array(String), cat_values Array(String),
        cat_names Array(String), num_values Array(Float64), num_names Array(String), ts_ms UInt64, ts DateTime,
        prediction_id String, model_version String, model String) ENGINE = MergeTree() ORDER BY prediction_id`);
      await other.insert('predictions', [row('o-1', { num_names: ['a'], num_values: [2.5], prediction_num: 1 })]);
      expect(await other.query('SELECT model, prediction_id, num_names, num_values, prediction_num, extra FROM predictions')).toEqual([
        { model: 'bin', prediction_id: 'o-1', num_names: ['a'], num_values: [2.5], prediction_num: 1, extra: 'filled' },
      ]);
    } finally {
      await admin.command(`DROP DATABASE ${database}`);
      await Promise.all([other.close(), admin.close()]);
    }
  });

  it('rows encoded straight from messages read back as the object rows do; a refused one is halved down to and dead-lettered with its message', async () => {
    // 18.16 refuses the bad RowBinary row with a memory-limit error (a "transient" one): split after one attempt
    const writer = new BatchWriter(store, { batchSize: 10_000, maxWaitMs: 1, retryMinMs: 5, retryMaxMs: 20, maxAttemptsWhileUp: 1 });
    expect(writer.takesRowBinary).toBe(true);
    const now = Date.now();
    const message = (i: number) => JSON.stringify({ model: 'enc', prediction_id: `e-${i}`, timestamp: 1_764_000_000_000 + i, features: { a: i / 3, b: 'país', c: null }, prediction: i % 2 ? 0.5 : 'no', metadata: i === 7 ? { k: [1] } : undefined });
    const messages = Array.from({ length: 20 }, (_, i) => ({ value: message(i), topic: 'preds', partition: 5, offset: String(700 + i) }));
    const encoded = decodeMessages('prediction', 'kafka', messages, 1e6, { rowBinary: writer.takesRowBinary }, now).batch;
    const plain = decodeMessages('prediction', 'kafka', messages.map((m) => ({ ...m, value: m.value.replace('"enc"', '"obj"') })), 1e6, {}, now).batch;
    // row 13 made unreadable in place (its bytes only): a model name of 2^32-1 bytes
    const [rows] = encoded.encoded!;
    rows.data.set([0xff, 0xff, 0xff, 0xff, 0x0f], rows.ends[12]);
    const result = await writer.submit(encoded);
    await writer.submit(plain);
    await writer.close();
    expect(result.refused.map((r) => r.origin.offset)).toEqual(['713']);
    const [letter] = await store.query<{ source: string; topic: string; partition: number; reason: string; payload: string }>("SELECT source, topic, partition, reason, payload FROM dead_letters WHERE offset = '713'");
    expect(letter).toMatchObject({ source: 'kafka', topic: 'preds', partition: 5, reason: expect.stringMatching(/^ClickHouse refused the row: insert into predictions: ClickHouse error \d+: /), payload: message(13) });
    const read = (model: string) => store.query<Record<string, unknown>>(
      `SELECT prediction_id, ts_ms, num_names, hex(reinterpretAsString(num_values[1])) AS a, cat_names, cat_values, missing_names, prediction_num, prediction_str, metadata, toUnixTimestamp(ingested_at) AS at
       FROM predictions WHERE model = '${model}' ORDER BY ts_ms`);
    const got = await read('enc');
    expect(got.map((r) => r.prediction_id)).toEqual(messages.map((_, i) => `e-${i}`).filter((id) => id !== 'e-13'));
    expect(got).toEqual((await read('obj')).filter((r) => r.prediction_id !== 'e-13'));
    expect(got[7]).toMatchObject({ a: bits(7 / 3), cat_values: ['país'], missing_names: ['c'], prediction_num: 0.5, metadata: '{"k":[1]}' });
  });
});
