// Every statistic against values computed independently with numpy/scipy (test/fixtures/stats/make_reference.py).
import { describe, expect, it } from 'vitest';
import {
  binaryQuality,
  chi2Isf,
  chi2Sf,
  chi2Test,
  decileEdges,
  hellingerDistance,
  jensenShannonDistance,
  kolmogorovSf,
  ksExactPValue,
  ksPValue,
  ksStatistic,
  ksTest,
  multiclassQuality,
  numericBins,
  psiCategorical,
  psiCriticalValue,
  psiNumeric,
  psiTailProbability,
  quantileSorted,
  categoryCounts,
  regressionQuality,
  smirnovSf,
  sortSample,
  wasserstein,
  compareSorted,
} from '../../../src/stats/index.js';
import ref from '../../fixtures/stats/reference.json' with { type: 'json' };

const sorted = (xs: (number | null)[]) => sortSample(xs).values;
const close = (got: number, want: number, abs: number, rel = 0) => expect(Math.abs(got - want)).toBeLessThanOrEqual(abs + rel * Math.abs(want));

describe('quantiles and PSI edges (numpy.quantile, linear)', () => {
  it.each(ref.quantiles.map((q, i) => ({ ...q, i })))('sample $i: deciles bit-identical to numpy', ({ values, probabilities, quantiles }) => {
    const s = sorted(values);
    expect(probabilities.map((p) => quantileSorted(s, p))).toEqual(quantiles);
    expect(decileEdges(s)).toEqual(quantiles);
  });
});

describe('numeric PSI (deciles, open outer bins, missing bin, (c+0.5)/(N+0.5B))', () => {
  it.each(ref.psiNumeric)('$name', ({ reference, current, edges, referenceCounts, currentCounts, psi }) => {
    const r = sortSample(reference);
    const c = sortSample(current);
    const bins = numericBins(r, c);
    expect(bins.edges).toEqual(edges);
    expect(bins.reference).toEqual(referenceCounts);
    expect(bins.current).toEqual(currentCounts);
    close(psiNumeric(r, c), psi, 1e-12, 1e-10);
  });
});

describe('categorical PSI', () => {
  it.each(ref.psiCategorical)('$name', ({ reference, current, psi }) => {
    close(psiCategorical(categoryCounts(reference), categoryCounts(current)), psi, 1e-12, 1e-10);
  });
});

describe('two-sample KS (scipy ks_2samp method="auto") to 1e-6', () => {
  it.each(ref.ks)('$name', ({ a, b, statistic, pValue }) => {
    const sa = sorted(a);
    const sb = sorted(b);
    const result = ksTest(sa, sb);
    close(result.statistic, statistic, 1e-12);
    close(result.pValue, pValue, 1e-6);
    expect(result.method).toBe(Math.max(a.length, b.length) <= 10_000 ? 'exact' : 'asymptotic');
    expect(ksStatistic(sb, sa)).toBe(ksStatistic(sa, sb));
    close(compareSorted(sa, sb).ks, statistic, 1e-12);
  });

  it.each(ref.ksExact)('exact p at n=$n, m=$m, d=$d', ({ n, m, d, ok, statistic, pValue }) => {
    const got = ksExactPValue(d, n, m);
    if (!ok) {
      // scipy falls back to the asymptotic law when rounding pushes the exact value out of [0, 1]
      expect(got).toBeNull();
      expect(ksPValue(d, n, m).method).toBe('asymptotic');
      return;
    }
    expect(got).not.toBeNull();
    close(got!.statistic, statistic, 1e-15);
    close(got!.pValue, pValue, 1e-6, 1e-9);
  });

  it.each(ref.kstwoSf)('kstwo.sf(x=$x, n=$n)', ({ n, x, sf }) => {
    close(kolmogorovSf(n, x), sf, 1e-7, 1e-7);
  });

  it.each(ref.smirnovSf)('smirnov(n=$n, x=$x)', ({ n, x, sf }) => {
    close(smirnovSf(n, x), sf, 1e-300, 1e-12); // relative: the tail reaches 1e-200 at n·x² = 370
  });
});

describe('χ² 2×K, Jensen–Shannon (base 2), Hellinger', () => {
  it.each(ref.counts)('$reference vs $current', ({ reference, current, chi2, js, hellinger, hellingerNorm }) => {
    const got = chi2Test(reference, current);
    expect(got.dof).toBe(chi2.dof);
    close(got.statistic, chi2.statistic, 1e-10, 1e-10);
    close(got.pValue, chi2.pValue, 1e-12, 1e-9);
    close(jensenShannonDistance(reference, current), js, 1e-12);
    close(hellingerDistance(reference, current), hellinger, 1e-12);
    close(hellinger, hellingerNorm, 1e-12); // the two textbook forms agree
  });

  it.each(ref.chi2Sf)('χ²($df) sf at $x', ({ x, df, sf }) => close(chi2Sf(x, df), sf, 1e-300, 1e-9));
  it.each(ref.chi2Isf)('χ²($df) isf at $tail', ({ tail, df, x }) => close(chi2Isf(tail, df), x, 1e-9, 1e-9));
});

describe('Wasserstein-1 (scipy.stats.wasserstein_distance)', () => {
  it.each(ref.wasserstein.map((w, i) => ({ ...w, i })))('case $i', ({ a, b, w1 }) => {
    close(wasserstein(sorted(a), sorted(b)), w1, 1e-12, 1e-10);
    close(compareSorted(sorted(a), sorted(b)).wasserstein, w1, 1e-12, 1e-10);
  });
});

describe('PSI null distribution (1/M + 1/N)·χ²(B−1)', () => {
  it.each(ref.psiNull)('M=$M N=$N B=$B', ({ M, N, B, psi, tail, critical05 }) => {
    close(psiTailProbability(psi, M, N, B), tail, 1e-12, 1e-9);
    close(psiCriticalValue(0.05, M, N, B), critical05, 1e-12, 1e-9);
  });
  it('reproduces REFERENCE.md §7 (B = 10, M = 10⁵)', () => {
    expect(psiTailProbability(0.2, 1e5, 30, 10)).toBeCloseTo(0.74, 2);
    expect(psiTailProbability(0.2, 1e5, 50, 10)).toBeCloseTo(0.35, 2);
    expect(psiTailProbability(0.2, 1e5, 100, 10)).toBeCloseTo(0.018, 3);
    expect(psiCriticalValue(0.05, 1e5, 30, 10)).toBeCloseTo(0.56, 2);
    expect(psiCriticalValue(0.05, 1e5, 10_000, 10)).toBeCloseTo(0.0019, 4);
  });
});

describe('model quality (scikit-learn definitions)', () => {
  it('binary', () => {
    const b = ref.binary;
    const got = binaryQuality(b.labels, b.scores);
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'prAuc', 'logLoss', 'brier', 'ece'] as const) close(got[k], b[k], 1e-12, 1e-10);
  });
  it('binary textbook example: sklearn docs roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.75, AP = 0.8333', () => {
    const got = binaryQuality([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(got.rocAuc).toBeCloseTo(0.75, 12);
    expect(got.prAuc).toBeCloseTo(0.8333333333333333, 12);
  });
  it('log loss clips certain wrong scores at float64 ε (sklearn ≥ 1.3): −ln(2⁻⁵²)/2 for one of two rows', () => {
    expect(binaryQuality([1, 0], [0, 0]).logLoss).toBeCloseTo((52 * Math.LN2) / 2, 9);
  });
  it('multiclass', () => {
    const m = ref.multiclass;
    const got = multiclassQuality(m.labels, m.predictions);
    close(got.accuracy, m.accuracy, 1e-12);
    close(got.macroF1, m.macroF1, 1e-12);
    close(got.microF1, m.microF1, 1e-12);
  });
  it('regression', () => {
    const r = ref.regression;
    const got = regressionQuality(r.actual as number[], r.predicted as number[]);
    for (const k of ['mae', 'rmse', 'mape', 'r2'] as const) close(got[k], r[k], 1e-12, 1e-10);
  });
});
