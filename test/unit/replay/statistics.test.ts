import { describe, expect, it } from 'vitest';
import { alignBins, binIndex, psiOfBins, referenceFromRows } from '../../../src/replay/index.js';
import reference from '../../fixtures/replay/psi.json' with { type: 'json' };

describe('window statistics against numpy/scipy', () => {
  it.each(reference.cases)('PSI of $reference.length bins', (c) => {
    expect(psiOfBins({ reference: c.reference, current: c.current })).toBeCloseTo(c.psi, 12);
  });

  it('cuts numeric references at numpy.quantile deciles, left-closed bins', () => {
    const rows = reference.deciles.sample.map((amount) => ({ features: { amount }, prediction: null, label: null }));
    const ref = referenceFromRows('m', 'v1', rows);
    const f = ref.features.amount;
    if (f.kind !== 'numeric') throw new Error('numeric expected');
    f.edges.forEach((e, i) => expect(e).toBeCloseTo(reference.deciles.edges[i], 12));
    expect(f.counts.reduce((a, b) => a + b, 0)).toBe(1001);
    expect(binIndex([1, 2, 3], 2)).toBe(2); // an edge value belongs to the bin it opens
    expect(binIndex([1, 2, 3], 0.5)).toBe(0);
    expect(binIndex([1, 2, 3], 9)).toBe(3);
  });

  it('adds a missing bin only when either side has missing values, and a bin per new category', () => {
    const num = { kind: 'numeric' as const, edges: [0], counts: [5, 5], missing: 0 };
    expect(alignBins(num, { kind: 'numeric', counts: [1, 2], missing: 0 })).toEqual({ reference: [5, 5], current: [1, 2] });
    expect(alignBins(num, { kind: 'numeric', counts: [1, 2], missing: 3 })).toEqual({ reference: [5, 5, 0], current: [1, 2, 3] });
    const cat = { kind: 'categorical' as const, counts: { DE: 3, FR: 1 }, missing: 0 };
    expect(alignBins(cat, { kind: 'categorical', counts: { BR: 2, DE: 1 }, missing: 0 })).toEqual({ reference: [0, 3, 1], current: [2, 1, 0] });
    expect(() => alignBins(num, { kind: 'categorical', counts: {}, missing: 0 })).toThrow(/kinds differ/);
  });
});
