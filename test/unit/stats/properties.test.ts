// Seeded property tests: PSI ≥ 0 and symmetric on fixed bins, distances bounded and symmetric, KS p uniform under H0,
// and the aggregate (binned / quantile) KS bounds contain the exact D.
import { describe, expect, it } from 'vitest';
import {
  SeededRandom,
  binCounts,
  chi2Test,
  compareWeighted,
  decileEdges,
  hellingerDistance,
  jensenShannonDistance,
  kolmogorovSf,
  ksFromHistograms,
  ksStatistic,
  ksTest,
  psiFromCounts,
  psiNumeric,
  quantileSorted,
  sortSample,
} from '../../../src/stats/index.js';

const normals = (rng: SeededRandom, n: number, mean = 0, sd = 1) => Array.from({ length: n }, () => rng.normal(mean, sd));

describe('PSI and distances over random count vectors', () => {
  it('PSI ≥ 0, PSI(p, q) = PSI(q, p), PSI(p, p) = 0; JS and Hellinger in [0, 1] and symmetric', () => {
    const rng = new SeededRandom(7);
    for (let t = 0; t < 300; t++) {
      const k = 1 + rng.int(12);
      const a = Array.from({ length: k }, () => rng.int(50));
      const b = Array.from({ length: k }, () => rng.int(50));
      a[0] += 1;
      b[0] += 1;
      const psi = psiFromCounts(a, b);
      expect(psi).toBeGreaterThanOrEqual(0);
      expect(psiFromCounts(b, a)).toBeCloseTo(psi, 12);
      expect(psiFromCounts(a, a)).toBe(0);
      for (const d of [jensenShannonDistance, hellingerDistance]) {
        const v = d(a, b);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        expect(d(b, a)).toBeCloseTo(v, 12);
      }
      const chi = chi2Test(a, b);
      expect(chi.pValue).toBeGreaterThanOrEqual(0);
      expect(chi.pValue).toBeLessThanOrEqual(1);
    }
  });

  it('numeric PSI grows with the shift of the current sample', () => {
    const rng = new SeededRandom(11);
    const ref = sortSample(normals(rng, 2000));
    const psis = [0, 0.25, 0.5, 1, 2].map((shift) => psiNumeric(ref, sortSample(normals(rng, 2000, shift))));
    for (let i = 1; i < psis.length; i++) expect(psis[i]).toBeGreaterThan(psis[i - 1]);
    expect(psis[0]).toBeLessThan(0.03);
    expect(psis[4]).toBeGreaterThan(1);
  });
});

describe('KS under the null', () => {
  it('200 p-values (n=40, m=55) are uniform: one-sample KS against U(0, 1) does not reject at 1 %', () => {
    const rng = new SeededRandom(2026);
    const ps: number[] = [];
    for (let t = 0; t < 200; t++) {
      ps.push(ksTest(sortSample(normals(rng, 40)).values, sortSample(normals(rng, 55)).values).pValue);
    }
    const sorted = sortSample(ps).values;
    const uniformGrid = Float64Array.from({ length: 200 }, (_, i) => (i + 0.5) / 200);
    // one-sample D against the uniform CDF
    let d = 0;
    sorted.forEach((p, i) => (d = Math.max(d, (i + 1) / 200 - p, p - i / 200)));
    expect(kolmogorovSf(200, d)).toBeGreaterThan(0.01);
    expect(ksStatistic(sorted, uniformGrid)).toBeLessThan(0.15);
  });

  it('a real shift is detected (power): n=m=500, shift 0.3σ gives p < 0.01', () => {
    const rng = new SeededRandom(3);
    const r = ksTest(sortSample(normals(rng, 500)).values, sortSample(normals(rng, 500, 0.3)).values);
    expect(r.pValue).toBeLessThan(0.01);
    expect(r.method).toBe('exact');
  });
});

describe('KS from aggregates brackets the exact D', () => {
  it('histograms over common edges: statistic ≤ D ≤ upperBound', () => {
    const rng = new SeededRandom(99);
    for (let t = 0; t < 50; t++) {
      const ref = sortSample(normals(rng, 300 + rng.int(300))).values;
      const cur = sortSample(normals(rng, 200 + rng.int(300), rng.normal(0, 0.3), 1 + rng.next())).values;
      const edges = Array.from({ length: 49 }, (_, i) => quantileSorted(ref, (i + 1) / 50));
      const exact = ksStatistic(ref, cur);
      const binned = ksFromHistograms(binCounts(ref, edges), binCounts(cur, edges));
      expect(binned.statistic).toBeLessThanOrEqual(exact + 1e-12);
      expect(binned.upperBound).toBeGreaterThanOrEqual(exact - 1e-12);
      expect(binned.upperBound - binned.statistic).toBeLessThan(0.1);
    }
  });

  it('quantile summary (1 001 quantiles of 20 000 rows): |D_summary − D| ≤ 1/1000 + 1/M', () => {
    const rng = new SeededRandom(5);
    const ref = sortSample(normals(rng, 20_000)).values;
    const cur = sortSample(normals(rng, 3_000, 0.1)).values;
    const probabilities = Array.from({ length: 1001 }, (_, i) => i / 1000);
    const ecdf = { values: probabilities.map((p) => quantileSorted(ref, p)), cumulative: probabilities };
    const approx = compareWeighted(ecdf, cur);
    expect(Math.abs(approx.ks - ksStatistic(ref, cur))).toBeLessThanOrEqual(1 / 1000 + 1 / 20_000);
  });

  it('decile edges of a sample put about a tenth in each bin', () => {
    const rng = new SeededRandom(1);
    const s = sortSample(normals(rng, 1000)).values;
    expect(binCounts(s, decileEdges(s))).toEqual([100, 100, 100, 100, 100, 100, 100, 100, 100, 100]);
  });
});
