// One column's drift between a reference and a current sample: every statistic, and the rule that says "drift".
//
// The rule (what a CI gate needs): a column drifted when its test is significant (KS p for numeric, χ² p for
// categorical, below `alpha`, 0.05 by default) AND the shift is material (PSI ≥ `psiThreshold`, 0.1 by
// default). Significance alone flags harmless wobble in big samples; PSI alone flags noise in small ones
// (REFERENCE.md §7: at N = 30, PSI > 0.2 happens 74 % of the time with no drift at all).
import { InputError } from '../domain/index.js';
import { chi2Test, type Chi2Result } from './contingency.js';
import { outOfRangeCount, unseenCount } from './data-quality.js';
import { distanceBins, type DiscreteValues } from './distance-bins.js';
import { hellingerDistance, jensenShannonDistance } from './divergence.js';
import { compareSorted, compareWeighted, type WeightedEcdf } from './ecdf.js';
import { ksPValue, type KsResult } from './ks.js';
import { alignCategories, binCounts, numericPsiBins, psiFromCounts } from './psi.js';
import { rankTests } from './rank-tests.js';
import type { SortedSample } from './sample.js';

export interface DriftRule {
  alpha: number;
  psiThreshold: number;
}

export const DEFAULT_DRIFT_RULE: DriftRule = { alpha: 0.05, psiThreshold: 0.1 };

/** How the reference's distribution is known: the exact sorted sample, or quantiles with a stated KS error. */
export type ReferenceDistribution =
  | { kind: 'exact'; sorted: Float64Array }
  | { kind: 'quantiles'; ecdf: WeightedEcdf; ksBound: number };

export interface NumericReference {
  /** Non-missing rows. */
  count: number;
  missing: number;
  edges: readonly number[];
  counts: readonly number[];
  std: number;
  min: number;
  max: number;
  /** distinct values and their counts when there are few (distance-bins.ts); absent: binned by deciles */
  discrete?: DiscreteValues;
  distribution: ReferenceDistribution;
}

export interface CategoricalReference {
  /** Rows per category; the key null is the missing-value category. */
  frequencies: ReadonlyMap<string | null, number>;
}

export interface ColumnDrift {
  column: string;
  kind: 'numeric' | 'categorical';
  nReference: number;
  nCurrent: number;
  psi: number;
  ks?: { statistic: number; pValue: number; method: KsResult['method']; approximationBound?: number };
  wasserstein?: number;
  wassersteinNormed?: number;
  chi2?: Chi2Result;
  jsDistance: number;
  hellinger: number;
  /** tail-sensitive tests; only against an exact reference sample (a baseline kept as quantiles has none) */
  cvm?: { statistic: number; pValue: number };
  anderson?: { statistic: number; pValue: number };
  /** share of the current non-missing values outside the reference's [min, max] (numeric) */
  outOfRangeRate?: number;
  /** share of the current non-missing values in categories the reference never saw (categorical) */
  unseenRate?: number;
  /** share of the current rows without a value, and with a value of another type (set by the caller that read them) */
  missingRate?: number;
  typeMismatchRate?: number;
  /** the p-value the drift rule reads (KS for numeric, χ² for categorical) */
  pValue: number;
  drift: boolean;
  reason: string;
}

const fmt = (x: number): string => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : String(Number(x.toFixed(4))));

function decide(test: string, pValue: number, psi: number, rule: DriftRule): { drift: boolean; reason: string } {
  const significant = pValue < rule.alpha;
  const material = psi >= rule.psiThreshold;
  const p = `${test} p=${fmt(pValue)}`;
  const s = `PSI=${fmt(psi)}`;
  if (significant && material) return { drift: true, reason: `drift: ${p} < ${rule.alpha} and ${s} >= ${rule.psiThreshold}` };
  if (significant) return { drift: false, reason: `no drift: ${p} < ${rule.alpha} but ${s} < ${rule.psiThreshold} (significant, too small to matter)` };
  if (material) return { drift: false, reason: `no drift: ${s} >= ${rule.psiThreshold} but ${p} >= ${rule.alpha} (could be noise at this sample size)` };
  return { drift: false, reason: `no drift: ${p} >= ${rule.alpha} and ${s} < ${rule.psiThreshold}` };
}

/** JS and Hellinger on the distance bins (distance-bins.ts), with the missing bin when either side has missing values. */
function numericDistances(reference: NumericReference, current: SortedSample): { jsDistance: number; hellinger: number } {
  const bins = distanceBins(reference);
  const ref = [...bins.reference];
  const cur = binCounts(current.values, bins.splits);
  if (reference.missing > 0 || current.missing > 0) {
    ref.push(reference.missing);
    cur.push(current.missing);
  }
  return { jsDistance: jensenShannonDistance(ref, cur), hellinger: hellingerDistance(ref, cur) };
}

/** Cramér–von Mises and Anderson–Darling against an exact reference sample, where they are defined. */
function tailTests(reference: NumericReference, current: SortedSample): Pick<ColumnDrift, 'cvm' | 'anderson'> {
  if (reference.distribution.kind !== 'exact') return {};
  const { cvm, anderson } = rankTests(reference.distribution.sorted, current.values);
  return { ...(cvm ? { cvm: { statistic: cvm.statistic, pValue: cvm.pValue } } : {}), ...(anderson ? { anderson } : {}) };
}

/** Numeric column: PSI on reference deciles, KS, Wasserstein, CvM, Anderson–Darling; JS and Hellinger on the distance bins. */
export function numericColumnDrift(column: string, reference: NumericReference, current: SortedSample, rule: DriftRule = DEFAULT_DRIFT_RULE): ColumnDrift {
  if (reference.count === 0) throw new InputError(`column "${column}": the reference has no values`);
  if (current.values.length === 0) throw new InputError(`column "${column}": the current sample has no values`);
  const bins = numericPsiBins(reference.edges, { counts: reference.counts, missing: reference.missing }, { sorted: current.values, missing: current.missing });
  const psi = psiFromCounts(bins.reference, bins.current);
  const compared =
    reference.distribution.kind === 'exact'
      ? compareSorted(reference.distribution.sorted, current.values)
      : compareWeighted(reference.distribution.ecdf, current.values);
  const ksTest = ksPValue(compared.ks, reference.count, current.values.length);
  const ks =
    reference.distribution.kind === 'exact'
      ? { statistic: ksTest.statistic, pValue: ksTest.pValue, method: ksTest.method }
      : { statistic: compared.ks, pValue: ksTest.pValue, method: ksTest.method, approximationBound: reference.distribution.ksBound };
  return {
    column,
    kind: 'numeric',
    nReference: reference.count + reference.missing,
    nCurrent: current.values.length + current.missing,
    psi,
    ks,
    wasserstein: compared.wasserstein,
    wassersteinNormed: compared.wasserstein / Math.max(reference.std, 0.001),
    ...numericDistances(reference, current),
    ...tailTests(reference, current),
    outOfRangeRate: outOfRangeCount(current.values, reference.min, reference.max) / current.values.length,
    pValue: ks.pValue,
    ...decide('KS', ks.pValue, psi, rule),
  };
}

/** Categorical column: one bin per category seen in either sample (missing is a category), PSI, χ², JS, Hellinger. */
export function categoricalColumnDrift(
  column: string,
  reference: CategoricalReference,
  current: ReadonlyMap<string | null, number>,
  rule: DriftRule = DEFAULT_DRIFT_RULE,
): ColumnDrift {
  const { reference: ref, current: cur } = alignCategories(reference.frequencies, current);
  const nReference = ref.reduce((s, c) => s + c, 0);
  const nCurrent = cur.reduce((s, c) => s + c, 0);
  if (nReference === 0) throw new InputError(`column "${column}": the reference has no rows`);
  if (nCurrent === 0) throw new InputError(`column "${column}": the current sample has no rows`);
  const psi = psiFromCounts(ref, cur);
  const chi2 = chi2Test(ref, cur);
  return {
    column,
    kind: 'categorical',
    nReference,
    nCurrent,
    psi,
    chi2,
    jsDistance: jensenShannonDistance(ref, cur),
    hellinger: hellingerDistance(ref, cur),
    unseenRate: unseenShare(reference.frequencies, current),
    pValue: chi2.pValue,
    ...decide('chi2', chi2.pValue, psi, rule),
  };
}

function unseenShare(reference: ReadonlyMap<string | null, number>, current: ReadonlyMap<string | null, number>): number {
  const present = [...current].reduce((n, [k, c]) => (k === null ? n : n + c), 0);
  return present === 0 ? 0 : unseenCount(reference, current) / present;
}
