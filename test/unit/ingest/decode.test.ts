// The decoder and the published JSON Schemas (collectors/schemas) must agree on every case.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { decodeLabel, decodePrediction, parseJsonMessage } from '../../../src/ingest/decode.js';
import { predictionRow } from '../../../src/ingest/rows.js';

const schema = (name: string) => JSON.parse(readFileSync(resolve(__dirname, `../../../collectors/schemas/${name}.schema.json`), 'utf8'));
const ajv = new Ajv({ allErrors: true });
const validPrediction = ajv.compile(schema('prediction'));
const validLabel = ajv.compile(schema('label'));

const good = { model: 'fraud', model_version: '3', prediction_id: 'p-1', timestamp: '2026-11-24T10:00:00Z', features: { amount: 12.5, country: 'DE', vip: true, device: null }, prediction: 0.93 };

const predictionCases: Array<[string, unknown, RegExp | null]> = [
  ['a complete message', good, null],
  ['epoch ms timestamp and numeric id', { ...good, timestamp: 1764000000000, prediction_id: 17 }, null],
  ['no model', { ...good, model: undefined }, /^missing "model"$/],
  ['empty model', { ...good, model: '' }, /"model" must not be empty/],
  ['model not a string', { ...good, model: 7 }, /"model" must be a string, got number/],
  ['no prediction_id', { ...good, prediction_id: undefined }, /missing "prediction_id"/],
  ['no timestamp', { ...good, timestamp: undefined }, /missing "timestamp"/],
  ['bad timestamp', { ...good, timestamp: 'yesterday' }, /"timestamp" must be RFC 3339/],
  ['negative timestamp', { ...good, timestamp: -1 }, /"timestamp" must be RFC 3339/],
  ['features missing', { ...good, features: undefined }, /"features" must be an object, got undefined/],
  ['features an array', { ...good, features: [1, 2] }, /"features" must be an object, got array/],
  ['nested feature', { ...good, features: { a: { b: 1 } } }, /"features.a" must be a number, string, boolean or null, got object/],
  ['metadata not an object', { ...good, metadata: 'x' }, /"metadata" must be an object/],
  ['not an object', [good], /a prediction must be a JSON object, got array/],
];

describe('prediction messages', () => {
  for (const [name, value, error] of predictionCases) {
    it(`${name}: ${error ? 'rejected with the field named' : 'accepted'}`, () => {
      const clean = JSON.parse(JSON.stringify(value));
      if (error) expect(() => decodePrediction(clean)).toThrow(error);
      else expect(() => decodePrediction(clean)).not.toThrow();
      expect(validPrediction(clean)).toBe(error === null);
    });
  }
  it('splits features by kind into the row layout', () => {
    const row = predictionRow(decodePrediction(good), Date.UTC(2026, 10, 24, 11));
    expect(row).toMatchObject({ num_names: ['amount'], num_values: [12.5], cat_names: ['country', 'vip'], cat_values: ['DE', 'true'], missing_names: ['device'], prediction_num: 0.93, ts: Date.UTC(2026, 10, 24, 10) / 1000 });
  });
  it('rejects unknown models only when models are declared', () => {
    expect(() => decodePrediction(good, { models: new Set(['other']) })).toThrow(/unknown model "fraud"/);
    expect(decodePrediction(good, { models: new Set() }).model).toBe('fraud');
  });
});

describe('label messages', () => {
  const label = { model: 'fraud', prediction_id: 'p-1', label: 1, timestamp: '2026-11-24T12:00:00Z' };
  it('accepts a label and agrees with the schema', () => {
    expect(decodeLabel(label)).toEqual({ model: 'fraud', predictionId: 'p-1', label: 1, timestamp: Date.UTC(2026, 10, 24, 12) });
    expect(validLabel(label)).toBe(true);
  });
  it('rejects a label without its value, naming it', () => {
    const { label: _omit, ...rest } = label;
    expect(() => decodeLabel(rest)).toThrow(/missing "label"/);
    expect(validLabel(rest)).toBe(false);
  });
});

describe('raw bytes', () => {
  it('names what is wrong: empty, oversize, not JSON', () => {
    expect(() => parseJsonMessage(null, 100)).toThrow(/empty message/);
    expect(() => parseJsonMessage('x'.repeat(101), 100)).toThrow(/101 bytes exceeds the 100-byte limit/);
    expect(() => parseJsonMessage(Buffer.from('{"a":'), 100)).toThrow(/^not JSON/);
    expect(parseJsonMessage(Buffer.from('{"a":1}'), 100)).toEqual({ a: 1 });
  });
});
