import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicyYaml, toleranceFor } from '../../../src/replay/index.js';

describe('alert policy', () => {
  it('defaults to PSI 0.1 for every feature and one false page per 30 days', () => {
    expect(parsePolicyYaml('')).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY.tolerance.psi).toBe(0.1);
    expect(DEFAULT_POLICY.falsePageDays).toBe(30);
  });

  it('applies per-model and per-feature overrides', () => {
    const p = parsePolicyYaml(`
falsePages: { atMostOnePerDays: 90, streams: 40 }
tolerance: { accuracyDrop: 0.02 }
models:
  fraud:
    tolerance: { psi: 0.2 }
    features:
      amount: { psi: 0.05 }
`);
    expect(p.falsePageDays).toBe(90);
    expect(p.streams).toBe(40);
    expect(toleranceFor(p, 'fraud', 'amount', 'psi')).toBe(0.05);
    expect(toleranceFor(p, 'fraud', 'country', 'psi')).toBe(0.2);
    expect(toleranceFor(p, 'churn', 'amount', 'psi')).toBe(0.1);
    expect(toleranceFor(p, 'fraud', null, 'accuracyDrop')).toBe(0.02);
  });

  it.each([
    ['tolerence: { psi: 0.1 }', /unknown key "tolerence"/],
    ['tolerance: { psi: -1 }', /policy.tolerance.psi must be a number/],
    ['hysteresis: 1.5', /hysteresis/],
    ['models: { fraud: { features: { amount: { ks: 0.1 } } } }', /unknown key "ks"/],
    ['severity: { featureDrift: loud }', /featureDrift must be/],
    ['falsePages: [1]', /expected a mapping/],
    ['a: [', /not valid YAML/],
  ])('refuses %s', (text, message) => {
    expect(() => parsePolicyYaml(text)).toThrow(message);
  });
});
