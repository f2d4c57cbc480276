// Model declarations from YAML: defaults, durations, feature kinds, and refusals (unknown keys, bad values, duplicates).
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/domain/index.js';
import { ModelRegistry, declareModel, parseModelsYaml } from '../../../src/evaluate/index.js';

describe('model declarations', () => {
  it('reads a models: list with defaults (1 h tumbling window, 5 min grace, 7 d label horizon)', () => {
    const [fraud, churn] = parseModelsYaml(`
models:
  - id: fraud
    task: binary
    features: { amount: numeric, country: categorical }
    baseline_version: "20260101T000000Z"
    window: 15m
    grace: 2m
    label_horizon: 2d
  - id: churn
`);
    expect(fraud).toEqual({ id: 'fraud', task: 'binary', features: { amount: 'numeric', country: 'categorical' }, baselineVersion: '20260101T000000Z', windowMs: 900_000, graceMs: 120_000, labelHorizonMs: 172_800_000 });
    expect(churn).toEqual({ id: 'churn', task: null, features: {}, baselineVersion: null, windowMs: 3_600_000, graceMs: 300_000, labelHorizonMs: 604_800_000 });
    expect(declareModel('churn')).toEqual(churn);
  });

  it.each([
    ['models:\n  - id: a\n    windw: 1h', /unknown key "windw"/],
    ['models:\n  - id: a\n    window: soon', /invalid duration "soon"/],
    ['models:\n  - id: a\n    window: 1500ms', /whole number of seconds/],
    ['models:\n  - id: "a b"', /models\[0\]\.id must be/],
    ['models:\n  - id: a\n    task: ranking', /task must be binary, multiclass or regression/],
    ['models:\n  - id: a\n    features: { x: text }', /features\.x must be numeric or categorical/],
    ['models:\n  - id: a\n  - id: a', /declared twice/],
    ['models: {}', /models must be a list/],
    ['models: [', /not valid YAML/],
  ])('refuses %j', (yaml, message) => {
    expect(() => parseModelsYaml(yaml)).toThrow(InputError);
    expect(() => parseModelsYaml(yaml)).toThrow(message);
  });

  it('keeps declarations by id; a later declaration replaces an earlier one (API updates)', () => {
    const registry = new ModelRegistry([declareModel('a'), declareModel('b')]);
    registry.declare(declareModel('a', { windowMs: 60_000 }));
    expect(registry.list().map((m) => [m.id, m.windowMs])).toEqual([['a', 60_000], ['b', 3_600_000]]);
    expect(registry.get('c')).toBeUndefined();
  });
});
