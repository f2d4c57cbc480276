// Cramér–von Mises, Anderson–Darling, full-range JS/Hellinger bins, Holm/BH and the out-of-range share against values
// computed independently with scipy 1.17 (test/fixtures/stats/make_quality_reference.py).
import { describe, expect, it } from 'vitest';
import {
  adjustPValues,
  andersonDarling,
  binCounts,
  cramerVonMises,
  decileEdges,
  discreteValues,
  distanceBins,
  hellingerDistance,
  jensenShannonDistance,
  nextUp,
  outOfRangeCount,
  rankTests,
  sortSample,
  unseenCount,
  expectedUnseenShare,
} from '../../../src/stats/index.js';
import ref from '../../fixtures/stats/quality-reference.json' with { type: 'json' };

const close = (actual: number, expected: number, rel = 1e-9, abs = 1e-12) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(abs + rel * Math.abs(expected));

describe('two-sample tests beyond KS (scipy cramervonmises_2samp, anderson_ksamp midrank)', () => {
  for (const t of ref.twoSample) {
    it(t.name, () => {
      const a = Float64Array.from(t.reference);
      const b = Float64Array.from(t.current);
      const cvm = cramerVonMises(a, b);
      expect(cvm.method).toBe(t.cvm.method);
      close(cvm.statistic, t.cvm.statistic, 1e-9);
      close(cvm.pValue, t.cvm.pValue, 1e-6, 1e-10);
      const ad = andersonDarling(a, b);
      close(ad.statistic, t.anderson.statistic, 1e-9);
      close(ad.pValue, t.anderson.pValue, 1e-9);
      // the shared walk gives the same numbers
      const both = rankTests(a, b);
      expect(both.cvm).toEqual(cvm);
      close(both.anderson!.statistic, ad.statistic, 1e-12);
      close(both.anderson!.pValue, ad.pValue, 1e-12);
      // both tests are symmetric in their samples
      close(cramerVonMises(b, a).statistic, cvm.statistic, 1e-12);
      close(andersonDarling(b, a).statistic, ad.statistic, 1e-12);
    });
  }
  it('refuses samples it cannot test', () => {
    expect(() => cramerVonMises([1], [1, 2])).toThrow(/at least 2/);
    expect(() => andersonDarling([1, 1], [1, 1])).toThrow(/two distinct/);
  });
});

describe('JS and Hellinger reach their full range', () => {
  for (const t of ref.distances) {
    it(t.name, () => {
      const r = sortSample(t.reference).values;
      const c = sortSample(t.current).values;
      const edges = decileEdges(r);
      const bins = distanceBins({ min: r[0], max: r[r.length - 1], edges, counts: binCounts(r, edges), discrete: discreteValues(r) });
      expect(bins.splits).toEqual(t.splits);
      expect(bins.reference).toEqual(t.referenceCounts);
      // the same bins from the decile counts alone (a baseline kept as quantiles, without its distinct values)
      if (!discreteValues(r)) expect(distanceBins({ min: r[0], max: r[r.length - 1], edges, counts: binCounts(r, edges) }).reference).toEqual(t.referenceCounts);
      const cur = binCounts(c, bins.splits);
      // a square root of a difference near 0: absolute error ~1e-8 there
      close(jensenShannonDistance(bins.reference, cur), t.js, 1e-9, 1e-7);
      close(hellingerDistance(bins.reference, cur), t.hellinger, 1e-9, 1e-7);
      close(outOfRangeCount(c, r[0], r[r.length - 1]) / c.length, t.outOfRangeRate, 1e-12);
    });
  }
  it('fully separated samples give 1 for both, which the decile bins alone could not', () => {
    const t = ref.distances[0];
    const r = sortSample(t.reference).values;
    const c = sortSample(t.current).values;
    const edges = decileEdges(r);
    const deciles = [binCounts(r, edges), binCounts(c, edges)] as const;
    expect(hellingerDistance(...deciles)).toBeLessThan(0.83);
    const bins = distanceBins({ min: r[0], max: r[r.length - 1], edges, counts: binCounts(r, edges) });
    expect(jensenShannonDistance(bins.reference, binCounts(c, bins.splits))).toBeGreaterThanOrEqual(0.99);
    expect(hellingerDistance(bins.reference, binCounts(c, bins.splits))).toBeGreaterThanOrEqual(0.99);
  });
  it('nextUp is the next double, skipping subnormals (ClickHouse 18.16 cannot parse them)', () => {
    expect(nextUp(0)).toBe(2.2250738585072014e-308);
    expect(nextUp(-Number.MIN_VALUE)).toBe(0);
    for (const x of [1, -1, 1e-300, -3.5, 123456.789]) {
      const y = nextUp(x);
      expect(y).toBeGreaterThan(x);
      expect((x + y) / 2 === x || (x + y) / 2 === y).toBe(true);
    }
  });
});

describe('multiplicity corrections', () => {
  for (const [i, t] of ref.multiplicity.entries()) {
    it(`case ${i + 1}: Holm and Benjamini–Hochberg`, () => {
      adjustPValues(t.p, 'holm').forEach((p, j) => close(p, t.holm[j], 1e-12));
      adjustPValues(t.p, 'bh').forEach((p, j) => close(p, t.bh[j], 1e-12));
      expect(adjustPValues(t.p, 'none')).toEqual(t.p);
    });
  }
});

describe('unseen categories', () => {
  it('counts current values in categories the reference has no rows for, never missing ones', () => {
    const reference = new Map<string | null, number>([['a', 3], ['b', 1], [null, 2]]);
    expect(unseenCount(reference, new Map<string | null, number>([['a', 1], ['c', 4], [null, 5], ['d', 1]]))).toBe(5);
    expect(unseenCount({ a: 3, z: 0 }, { z: 2, a: 1 })).toBe(2);
    expect(expectedUnseenShare([3, 1, 1, 5])).toBeCloseTo(0.2, 12);
  });
});
