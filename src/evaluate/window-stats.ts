// Turns a window's push-down aggregates into statistics: PSI (DESIGN.md smoothing), KS from the binned CDF with its
// bound, JS distance, χ² for categories, missing rate, quality from label-agreement counts, and the replay
// WindowSummary the detection policy consumes. Pure: no store, no clock.
import { chi2Test, hellingerDistance, jensenShannonDistance, ksFromHistograms, psiFromCounts, unseenCount } from '../stats/index.js';
import type { FeatureCounts, WindowSummary } from '../replay/index.js';
import { alignBins, binIndex } from '../replay/index.js';
import type { CategoricalPlan, NumericPlan, WindowPlan } from './plan.js';
import { keyLayout, type KeyLayout } from './sql.js';

export interface FeatureResult {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** rows in the window; `present` of them had a value */
  rows: number;
  present: number;
  missingRate: number | null;
  psi: number | null;
  ksStatistic: number | null;
  /** the exact KS D lies in [ksStatistic, ksUpperBound] (binned CDF, plus the baseline's quantile error) */
  ksUpperBound: number | null;
  ksPValue: number | null;
  jsDistance: number | null;
  chi2: number | null;
  chi2PValue: number | null;
  hellinger: number | null;
  /** data quality (issue 16): numeric values outside the baseline's [min, max], unseen categories (shares of `present`) */
  outOfRangeRate: number | null;
  unseenRate: number | null;
  /** rows whose value had another type than the baseline's kind (share of `rows`; set by the evaluator, quality-sql.ts) */
  typeMismatchRate: number | null;
  counts: FeatureCounts;
}

const NO_STATISTICS = { psi: null, ksStatistic: null, ksUpperBound: null, ksPValue: null, jsDistance: null, chi2: null, chi2PValue: null, hellinger: null, outOfRangeRate: null, unseenRate: null, typeMismatchRate: null };

/** JS and Hellinger on aligned counts, with the missing bin when either side has missing values (as PSI). */
function distances(ref: readonly number[], refMissing: number, cur: readonly number[], curMissing: number): { jsDistance: number; hellinger: number } {
  const withMissing = refMissing > 0 || curMissing > 0;
  const r = withMissing ? [...ref, refMissing] : ref;
  const c = withMissing ? [...cur, curMissing] : cur;
  return { jsDistance: jensenShannonDistance(r, c), hellinger: hellingerDistance(r, c) };
}

/** Per distance bin, the sum of its slots. */
export function distanceCounts(plan: Required<Pick<NumericPlan, 'distance' | 'slotDistance'>>, fine: readonly number[]): number[] {
  const out = new Array<number>(plan.distance.reference.length).fill(0);
  for (let i = 0; i < fine.length; i++) out[plan.slotDistance[i]] += fine[i];
  return out;
}

export interface QualityCounts {
  rows: number;
  labelled: number;
  correct: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  numericRows: number;
  absError: number;
  squaredError: number;
  /** epoch ms of the newest label ingestion seen (0 when none) */
  labelsAt: number;
}

export interface QualityResult {
  rows: number;
  labelled: number;
  labelCoverage: number | null;
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  mae: number | null;
  rmse: number | null;
  labelsAt: number;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** Splits `key, c` rows into each numeric feature's slot and missing counts (and its rows: their sum). */
export function numericCounts(rows: ReadonlyArray<{ key: number | string; c: number | string }>, plans: readonly NumericPlan[]): { rows: number[]; fine: number[][]; missing: number[] } {
  const layout = keyLayout(plans);
  const fine = plans.map((_, k) => new Array<number>(layout.slots[k]).fill(0));
  const missing = plans.map(() => 0);
  const total = plans.map(() => 0);
  for (const r of rows) {
    const key = Number(r.key);
    const c = Number(r.c);
    const k = featureOfKey(layout, key);
    if (k < 0) throw new RangeError(`push-down returned key ${key} for no feature`);
    const slot = key - layout.bases[k];
    if (slot === layout.slots[k]) missing[k] += c;
    else fine[k][slot] += c;
    total[k] += c;
  }
  return { rows: total, fine, missing };
}

/** The feature whose keys [base, base + slots] hold `key`, −1 for none. */
function featureOfKey(layout: KeyLayout, key: number): number {
  const k = binIndex(layout.bases, key) - 1;
  return k >= 0 && key <= layout.bases[k] + layout.slots[k] ? k : -1;
}

/** Per PSI bin, the sum of its slots. */
export function psiCounts(plan: Pick<NumericPlan, 'edges' | 'slotBin'>, fine: readonly number[]): number[] {
  const out = new Array<number>(plan.edges.length + 1).fill(0);
  for (let i = 0; i < fine.length; i++) out[plan.slotBin[i]] += fine[i];
  return out;
}

export function numericResult(plan: NumericPlan, rows: number, fine: readonly number[], missing: number): FeatureResult {
  const counts: FeatureCounts = { kind: 'numeric', counts: psiCounts(plan, fine), missing };
  const present = rows - missing;
  const base: FeatureResult = { feature: plan.name, kind: 'numeric', rows, present, missingRate: ratio(missing, rows), ...NO_STATISTICS, counts };
  if (rows === 0) return base;
  const bins = alignBins({ kind: 'numeric', edges: plan.edges, counts: plan.reference.psi, missing: plan.reference.missing }, counts);
  base.psi = psiFromCounts(bins.reference, bins.current);
  if (!plan.distance || !plan.slotDistance) {
    // a plan without data quality (bench:evaluate's comparison): the distances on the PSI bins, as before issue 16
    Object.assign(base, distances(plan.reference.psi, plan.reference.missing, counts.counts, missing));
    return withKs(base, plan, fine, present);
  }
  const cur = distanceCounts({ distance: plan.distance, slotDistance: plan.slotDistance }, fine);
  Object.assign(base, distances(plan.distance.reference, plan.reference.missing, cur, missing));
  // the first and last distance bins lie outside the baseline's [min, max] (the policy's out-of-range stream reads the count)
  const outOfRange = cur[0] + cur[cur.length - 1];
  base.outOfRangeRate = ratio(outOfRange, present);
  base.counts = { ...counts, outOfRange };
  return withKs(base, plan, fine, present);
}

/** KS from the binned CDFs, with the bound of the binning and of a baseline kept as quantiles. */
function withKs(base: FeatureResult, plan: NumericPlan, fine: readonly number[], present: number): FeatureResult {
  if (present > 0 && plan.reference.fine.some((c) => c > 0)) {
    const ks = ksFromHistograms(plan.reference.fine, fine);
    base.ksStatistic = ks.statistic;
    base.ksUpperBound = Math.min(1, ks.upperBound + plan.reference.ksError);
    base.ksPValue = ks.pValue;
  }
  return base;
}

export function categoricalResult(plan: CategoricalPlan, rows: number, present: Record<string, number>): FeatureResult {
  const seen = Object.values(present).reduce((s, c) => s + c, 0);
  const counts: FeatureCounts = { kind: 'categorical', counts: { ...present }, missing: rows - seen };
  const base: FeatureResult = { feature: plan.name, kind: 'categorical', rows, present: seen, missingRate: ratio(rows - seen, rows), ...NO_STATISTICS, counts };
  if (rows === 0) return base;
  const bins = alignBins({ kind: 'categorical', counts: plan.reference.counts, missing: plan.reference.missing }, counts);
  base.psi = psiFromCounts(bins.reference, bins.current);
  base.jsDistance = jensenShannonDistance(bins.reference, bins.current);
  base.hellinger = hellingerDistance(bins.reference, bins.current);
  base.unseenRate = ratio(unseenCount(plan.reference.counts, present), seen);
  const chi2 = chi2Test(bins.reference, bins.current);
  base.chi2 = chi2.statistic;
  base.chi2PValue = chi2.pValue;
  return base;
}

export function qualityResult(q: QualityCounts): QualityResult {
  const binary = q.tp + q.fp + q.tn + q.fn;
  const precision = ratio(q.tp, q.tp + q.fp);
  const recall = ratio(q.tp, q.tp + q.fn);
  return {
    rows: q.rows,
    labelled: q.labelled,
    labelCoverage: ratio(q.labelled, q.rows),
    accuracy: ratio(q.correct, q.labelled),
    precision: binary > 0 ? precision : null,
    recall: binary > 0 ? recall : null,
    f1: binary > 0 && precision !== null && recall !== null ? (precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0) : null,
    mae: ratio(q.absError, q.numericRows),
    rmse: q.numericRows > 0 ? Math.sqrt(q.squaredError / q.numericRows) : null,
    labelsAt: q.labelsAt,
  };
}

/** The window as replay sees it, so WindowJudge applies the same policy live. */
export function windowSummary(plan: WindowPlan, start: number, end: number, rows: number, features: readonly FeatureResult[], quality: QualityCounts): WindowSummary {
  const counts: Record<string, FeatureCounts> = {};
  for (const f of features) counts[f.feature] = f.counts;
  return { model: plan.model, start, end, rows, features: counts, labeled: quality.labelled, correct: quality.correct };
}

/**
 * Type mismatches per feature (quality-sql.ts) into the results: their share of the rows, and out of the missing
 * share (such a row carried the feature, under the other kind). A feature without any gets 0 once the window has rows.
 */
export function withTypeMismatches(features: FeatureResult[], mismatched: ReadonlyMap<string, number>): void {
  for (const f of features) {
    if (f.rows === 0) continue;
    const m = Math.min(mismatched.get(f.feature) ?? 0, f.rows - f.present);
    f.typeMismatchRate = m / f.rows;
    f.missingRate = (f.rows - f.present - m) / f.rows;
  }
}
