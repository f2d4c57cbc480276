// Edge cases: ties, constant columns, empty bins, NaN/missing, single category, tiny samples, bad input.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/domain/index.js';
import {
  categoricalColumnDrift,
  categoryCounts,
  chi2Test,
  ksFromHistograms,
  ksPValue,
  ksTest,
  numericBins,
  numericColumnDrift,
  psiCategorical,
  psiFromCounts,
  psiNumeric,
  sortSample,
  describeSorted,
  wasserstein,
  normalizedWasserstein,
} from '../../../src/stats/index.js';

describe('edge cases', () => {
  it('NaN, null and undefined are missing; a missing bin appears only when either side has missing', () => {
    const r = sortSample([3, NaN, 1, null, 2, undefined]);
    expect([...r.values]).toEqual([1, 2, 3]);
    expect(r.missing).toBe(3);
    expect(numericBins(sortSample([1, 2, 3]), sortSample([1, 2])).reference).toHaveLength(10);
    expect(numericBins(sortSample([1, 2, 3]), sortSample([1, null])).reference).toHaveLength(11);
  });

  it('constant reference: all edges equal, everything at or above the value falls in the last bin', () => {
    const bins = numericBins(sortSample([5, 5, 5, 5]), sortSample([4, 5, 6]));
    expect(bins.reference).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 4]);
    expect(bins.current).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
  });

  it('identical constant columns have no drift on any statistic', () => {
    const a = sortSample([1, 1, 1]);
    expect(psiNumeric(a, a)).toBe(0);
    expect(ksTest(a.values, a.values)).toMatchObject({ statistic: 0, pValue: 1 });
    expect(wasserstein(a.values, a.values)).toBe(0);
    expect(describeSorted(a.values)).toEqual({ mean: 1, std: 0, min: 1, max: 1 });
    expect(normalizedWasserstein(0.5, 0)).toBe(500); // σ floored at 0.001
  });

  it('disjoint samples: D = 1 and the smallest exact p-value 2/C(n+m, n)', () => {
    const r = ksTest([1, 2, 3], [4, 5, 6]);
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeCloseTo(2 / 20, 12);
  });

  it('single category: PSI 0, χ² = 0 with dof 0 and p = 1', () => {
    expect(psiCategorical(categoryCounts(['a', 'a']), categoryCounts(['a']))).toBe(0);
    expect(chi2Test([3], [9])).toEqual({ statistic: 0, pValue: 1, dof: 0 });
  });

  it('empty bins on both sides are dropped from χ² degrees of freedom', () => {
    expect(chi2Test([5, 0, 5], [2, 0, 8]).dof).toBe(1);
  });

  it('empty samples and misaligned bins are input errors', () => {
    expect(() => psiNumeric(sortSample([1]), sortSample([]))).toThrow(InputError);
    expect(() => psiFromCounts([0, 0], [1, 1])).toThrow(InputError);
    expect(() => psiFromCounts([1], [1, 2])).toThrow(InputError);
    expect(() => ksTest([], [1])).toThrow(InputError);
    expect(() => ksFromHistograms([1, 2], [0, 0])).toThrow(InputError);
    expect(() => chi2Test([0, 0], [1, 2])).toThrow(InputError);
  });

  it('KS p-value method follows max(n, m) ≤ 10 000', () => {
    expect(ksPValue(0.01, 10_000, 10_000).method).toBe('exact');
    expect(ksPValue(0.01, 10_001, 50).method).toBe('asymptotic');
  });
});

describe('per-column drift rule (significant AND material)', () => {
  const ref = sortSample(Array.from({ length: 400 }, (_, i) => (i % 100) / 10));
  const reference = {
    count: ref.values.length,
    missing: 0,
    edges: [] as number[],
    counts: [] as number[],
    std: describeSorted(ref.values).std,
    min: ref.values[0],
    max: ref.values[ref.values.length - 1],
    distribution: { kind: 'exact' as const, sorted: ref.values },
  };
  const bins = numericBins(ref, ref);
  reference.edges = bins.edges;
  reference.counts = bins.reference;

  it('a shifted column drifts and says why; the same column does not', () => {
    const shifted = numericColumnDrift('x', reference, sortSample(Array.from({ length: 300 }, (_, i) => 3 + (i % 100) / 10)));
    expect(shifted.drift).toBe(true);
    expect(shifted.reason).toMatch(/^drift: KS p=.* < 0.05 and PSI=.* >= 0.1$/);
    const same = numericColumnDrift('x', reference, ref);
    expect(same.drift).toBe(false);
    expect(same.psi).toBe(0);
  });

  it('categorical: a new dominant category drifts', () => {
    const r = categoricalColumnDrift('c', { frequencies: categoryCounts([...'aaaaabbbbb'.repeat(20)]) }, categoryCounts([...'aaaaacccccc'.repeat(20)]));
    expect(r.drift).toBe(true);
    expect(r.chi2?.dof).toBe(2);
    expect(() => categoricalColumnDrift('c', { frequencies: new Map() }, categoryCounts(['a']))).toThrow(InputError);
  });
});
