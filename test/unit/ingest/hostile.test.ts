// Hostile and careless input to the decoder (issue 13): every message is decoded into exactly what was sent or
// refused with a reason naming the problem — never thrown past its dead letter, never stored wrong.
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../../src/domain/time.js';
import { arrayItems, bodyMessages } from '../../../src/ingest/body.js';
import { decodeLabel, decodePrediction, deeperThan, wellFormed } from '../../../src/ingest/decode.js';
import { decodeMessages } from '../../../src/ingest/messages.js';
import { predictionRow } from '../../../src/ingest/rows.js';
import { SeededRandom } from '../../../src/stats/random.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const AGE = { maxAgeMs: 90 * 86_400_000, maxFutureMs: 3_600_000 };
const good = { model: 'fraud', prediction_id: 'p-1', timestamp: '2026-11-30T10:00:00Z', features: { amount: 12.5, country: 'DE' }, prediction: 0.5 };
const raw = (v: unknown, i = 0) => ({ value: typeof v === 'string' ? v : JSON.stringify(v), topic: 'predictions', partition: 3, offset: String(i) });
const one = (v: unknown, kind: 'prediction' | 'label' = 'prediction') => decodeMessages(kind, 'kafka', [raw(v)], 1_000_000, { age: AGE }, NOW);
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('case 1/2: deep nesting', () => {
  it('is dead-lettered with its origin, never thrown, and the good messages around it decode', () => {
    const poison = `{"model":"fraud","prediction_id":"deep","timestamp":"2026-11-30T10:00:00Z","features":{},"metadata":${nested(5000)}}`;
    const report = decodeMessages('prediction', 'kafka', [raw(good, 0), raw(poison, 1), raw({ ...good, prediction_id: 'p-2' }, 2)], 1_000_000, { age: AGE }, NOW);
    expect(report.batch.predictions.map((p) => p.prediction_id)).toEqual(['p-1', 'p-2']);
    expect(report.batch.deadLetters).toEqual([expect.objectContaining({ source: 'kafka', topic: 'predictions', partition: 3, offset: '1', reason: '"metadata" is nested more than 64 levels deep' })]);
  });
  it('measures depth without recursion, up to the limit exactly', () => {
    expect(deeperThan(JSON.parse(nested(200_000)), 64)).toBe(true);
    expect(deeperThan(JSON.parse(nested(64)), 64)).toBe(false); // 64 objects, the innermost holding 1
    expect(deeperThan(JSON.parse(nested(65)), 64)).toBe(true);
    expect(deeperThan({ a: '[[[{{{', b: [1, [2]] }, 2)).toBe(true);
    expect(deeperThan({ a: '[[[{{{', b: [1, 2] }, 2)).toBe(false);
    expect(() => decodePrediction({ ...good, metadata: JSON.parse(nested(64)) })).not.toThrow();
    expect(() => decodePrediction({ ...good, metadata: JSON.parse(nested(65)) })).toThrow('"metadata" is nested more than 64 levels deep');
  });
  it('a row building failure of any kind is still one dead letter, not a thrown batch', () => {
    const report = decodeMessages('prediction', 'kafka', [raw(good, 0), { value: undefined, topic: 't', partition: 0, offset: '9' }], 1e6, { age: AGE }, NOW);
    expect(report.batch.predictions).toHaveLength(1);
    expect(report.rejected).toEqual([{ offset: '9', code: 'empty', reason: 'empty message (null value)' }]);
  });
});

describe('case 3: lone surrogates', () => {
  it('are refused with a reason wherever they would reach a column', () => {
    for (const bad of [{ ...good, prediction_id: 'sur-\ud800' }, { ...good, model: 'm\udc00' }, { ...good, features: { c: 'x\ud83d' } }, { ...good, features: { ['n\ud800']: 1 } }, { ...good, prediction: 'y\udfff' }]) {
      expect(() => decodePrediction(bad)).toThrow(/not valid Unicode \(it holds a lone surrogate\)/);
    }
    expect(() => decodeLabel({ model: 'fraud', prediction_id: 'p', label: '\ud800', timestamp: good.timestamp })).toThrow(/lone surrogate/);
  });
  it('a surrogate pair (an emoji) is plain text; metadata keeps any string (stored as JSON text)', () => {
    const p = decodePrediction({ ...good, features: { 'é😀': '😀' }, metadata: { x: '\ud800' } });
    expect(p.features['é😀']).toBe('😀');
    expect(predictionRow(p, NOW).metadata).toBe('{"x":"\\ud800"}');
  });
  it('dead letters are always storable text: the reason and payload lose the lone surrogate', () => {
    const report = one(`{"model":"sur-\\ud800"}`);
    expect(report.batch.deadLetters[0].payload).toBe('{"model":"sur-\\ud800"}');
    const unknown = decodeMessages('prediction', 'http', [raw({ ...good, model: 'x' })], 1e6, { models: new Set(['fraud']) }, NOW);
    expect(unknown.batch.deadLetters[0].reason).toBe('unknown model "x"');
    expect(wellFormed('a\ud800b\udc00c😀')).toBe('a\ufffdb\ufffdc😀');
  });
});

describe('cases 4–6: timestamps', () => {
  it('case 4: before 1970 is out of range, with the accepted range in the reason', () => {
    const r = one({ ...good, timestamp: '1969-12-31T23:59:59Z' });
    expect(r.batch.predictions).toHaveLength(0);
    expect(r.rejected[0]).toMatchObject({ code: 'timestamp_out_of_range', reason: expect.stringMatching(/^"timestamp" out of range: "1969-12-31T23:59:59Z" is 1969-12-31T23:59:59.000Z, accepted 2026-09-02T12:00:00.000Z … 2026-12-01T13:00:00.000Z$/) });
  });
  it('case 5: past what DateTime holds (2106-02-07) is refused whatever the window, never wrapped', () => {
    for (const ts of ['3000-01-01T00:00:00Z', '2106-02-07T06:28:16Z', 1764000000000000]) {
      expect(() => decodePrediction({ ...good, timestamp: ts })).toThrow(/out of range/);
    }
    expect(decodePrediction({ ...good, timestamp: '2106-02-07T06:28:15Z' }).timestamp).toBe(4_294_967_295_000);
  });
  it('case 6: epoch numbers below 1e11 are seconds, others milliseconds', () => {
    expect(parseTimestamp(1764000000)).toBe(1764000000000);
    expect(parseTimestamp('1764000000')).toBe(1764000000000);
    expect(parseTimestamp(1764000000.25)).toBe(1764000000250);
    expect(parseTimestamp(1764000000000)).toBe(1764000000000);
    expect(parseTimestamp(99_999_999_999)).toBe(99_999_999_999_000);
    expect(parseTimestamp(100_000_000_000)).toBe(100_000_000_000);
    const r = one({ ...good, timestamp: Math.floor(NOW / 1000) - 60 });
    expect(r.batch.predictions[0]).toMatchObject({ ts: Math.floor(NOW / 1000) - 60, ts_ms: NOW - 60_000 });
  });
  it('times that do not exist are refused, not wrapped into the next month', () => {
    for (const ts of ['2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2026-01-01T24:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T10:00:00+25:00']) expect(parseTimestamp(ts)).toBeUndefined();
    expect(parseTimestamp('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
  });
  it('the window: the retention horizon back, a little skew ahead', () => {
    expect(one({ ...good, timestamp: NOW + 3_600_000 }).rejected).toEqual([]);
    expect(one({ ...good, timestamp: NOW + 3_600_001 }).rejected[0].code).toBe('timestamp_out_of_range');
    expect(one({ ...good, timestamp: NOW - 90 * 86_400_000 }).rejected).toEqual([]);
    expect(one({ ...good, timestamp: NOW - 90 * 86_400_000 - 1 }).rejected[0].code).toBe('timestamp_out_of_range');
    expect(one({ model: 'fraud', prediction_id: 'p', label: 1, timestamp: 0 }, 'label').rejected[0].code).toBe('timestamp_out_of_range');
  });
});

describe('case 7: numbers beyond the double range', () => {
  it('are refused as features, predictions and labels', () => {
    expect(one('{"model":"fraud","prediction_id":"p","timestamp":"2026-11-30T10:00:00Z","features":{"x":1e309}}').rejected[0])
      .toEqual({ offset: '0', code: 'not_finite', reason: '"features.x" must be a finite number (it is beyond the double range)' });
    expect(one('{"model":"fraud","prediction_id":"p","timestamp":"2026-11-30T10:00:00Z","features":{},"prediction":-1e309}').rejected[0].code).toBe('not_finite');
    expect(one('{"model":"fraud","prediction_id":"p","timestamp":"2026-11-30T10:00:00Z","label":1e309}', 'label').rejected[0].reason).toMatch(/"label" must be a finite number/);
    expect(one('{"model":"fraud","prediction_id":1e309,"timestamp":"2026-11-30T10:00:00Z","features":{}}').rejected[0].reason).toMatch(/"prediction_id" must be a string, got a number beyond the double range/);
  });
});

describe('case 8: feature names are data', () => {
  it('__proto__, constructor and friends are features like any other', () => {
    const text = '{"model":"fraud","prediction_id":"p","timestamp":"2026-11-30T10:00:00Z","features":{"__proto__":1,"constructor":"c","toString":2,"hasOwnProperty":null}}';
    const row = one(text).batch.predictions[0];
    expect(row).toMatchObject({ num_names: ['__proto__', 'toString'], num_values: [1, 2], cat_names: ['constructor'], cat_values: ['c'], missing_names: ['hasOwnProperty'] });
  });
  it('top-level fields are read as own properties only', () => {
    expect(() => decodePrediction(JSON.parse('{"model":"fraud","prediction_id":"p","timestamp":"2026-11-30T10:00:00Z","features":{},"__proto__":{"x":1}}'))).not.toThrow();
    expect(() => decodePrediction({ prediction_id: 'p', timestamp: good.timestamp, features: {} })).toThrow(/missing "model"/);
  });
  it('empty names and names with control characters are refused with a reason', () => {
    expect(() => decodePrediction({ ...good, features: { '': 1 } })).toThrow('a feature name must not be empty');
    for (const name of ['a\u0000b', 'line\nbreak', 'tab\t', 'del\u007f']) expect(() => decodePrediction({ ...good, features: { [name]: 1 } })).toThrow(/holds a control character/);
    expect(() => decodePrediction({ ...good, features: { ['x'.repeat(257)]: 1 } })).toThrow(/longer than 256 characters/);
  });
  it('JSON array bodies keep every item as its own text, __proto__ included', () => {
    const body = JSON.stringify([good, { ...good, features: JSON.parse('{"__proto__": 3}') }, 'scalar', [1, [2]]]);
    expect(arrayItems(body)).toHaveLength(4);
    const items = bodyMessages(body, 'json', '/v1/predictions');
    expect(items[1]).toEqual({ value: expect.stringContaining('"__proto__":3'), topic: '/v1/predictions', partition: -1, offset: 'item 1' });
    const report = decodeMessages('prediction', 'http', items, 1e6, { age: AGE }, NOW);
    expect(report.batch.predictions[1].num_names).toEqual(['__proto__']);
    expect(report.rejected.map((r) => r.offset)).toEqual(['item 2', 'item 3']);
  });
});

describe('case 11: empty bodies', () => {
  it('are the caller\'s error, for every content type', () => {
    for (const format of ['json', 'ndjson'] as const) {
      for (const body of [undefined, '', '  \n ']) expect(() => bodyMessages(body, format, '/v1/predictions')).toThrow(/the body is empty/);
    }
    expect(() => bodyMessages('[{"model": ', 'json', '/v1/predictions')).toThrow(/the body is not valid JSON/);
  });
});

describe('property: no input throws past its dead letter', () => {
  const pieces = ['{', '}', '[', ']', '"', ':', ',', '\\', '1e309', '-0', '"__proto__"', '"\\ud800"', 'null', 'true', '"timestamp"', '"features"', '"model"', '0', '9'.repeat(30)];
  it('random fragments and truncations of good messages: each is a row or one dead letter', () => {
    const rnd = new SeededRandom(13);
    const messages = Array.from({ length: 3000 }, (_, i) => {
      const base = JSON.stringify({ ...good, prediction_id: `p-${i}`, timestamp: NOW - i * 1000 });
      const kind = rnd.int(3);
      if (kind === 0) return raw(base.slice(0, rnd.int(base.length + 1)), i);
      if (kind === 1) return raw(Array.from({ length: rnd.int(40) }, () => pieces[rnd.int(pieces.length)]).join(''), i);
      return raw(base, i);
    });
    const report = decodeMessages('prediction', 'kafka', messages, 1e6, { age: AGE }, NOW);
    expect(report.batch.predictions.length + report.batch.deadLetters.length).toBe(messages.length);
    for (const row of report.batch.predictions) expect(row).toMatchObject({ model: 'fraud', num_names: ['amount'], cat_values: ['DE'] });
    for (const d of report.batch.deadLetters) expect(d.reason).toMatch(/\w/);
  });
});
