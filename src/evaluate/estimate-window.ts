// A live window's estimates from the estimate push-down (estimate-sql.ts): CBPE over its score histogram, the
// multivariate verdict from its mean reconstruction error, the estimation error once labels landed, and the
// drift_results rows that store them.
import type { BaselineProfile } from '../baseline/index.js';
import { estimatePerformance, multivariateDrift, ESTIMATED_METRICS, type MultivariateDrift, type PerformanceEstimate, type QualityName } from '../estimate/index.js';
import { NO_SCORE_BIN } from './estimate-sql.js';
import type { ModelReference, WindowSummary } from '../replay/index.js';
import type { QualityResult } from './window-stats.js';

/** Feature names of the estimate rows in drift_results. */
export const ESTIMATE_FEATURE = '__estimate__';
export const MULTIVARIATE_FEATURE = '__multivariate__';

/** Statistic names of the estimated metrics (estimated_accuracy, …) and of their errors (estimation_error_accuracy, …). */
export const METRIC_NAMES: Record<QualityName, string> = { accuracy: 'accuracy', precision: 'precision', recall: 'recall', f1: 'f1', rocAuc: 'roc_auc' };

export interface WindowEstimate {
  /** rows with a score, over which quality is estimated */
  scored: number;
  performance: PerformanceEstimate | null;
  multivariate: MultivariateDrift | null;
  /** rows per training-error decile bin (the multivariate stream's counts; null when the baseline has no deciles) */
  errorCounts: number[] | null;
  /** estimate − realized for the metrics the window's labels give (null without binary labels) */
  error: { labelled: number; realized: Partial<Record<QualityName, number>>; difference: Partial<Record<QualityName, number>> } | null;
}

const num = (v: unknown) => Number(v ?? 0);

export function windowEstimate(profile: BaselineProfile, rows: ReadonlyArray<{ bin: unknown; error_bin?: unknown; c: unknown; error_sum: unknown }>, quality: QualityResult, seed: number): WindowEstimate {
  const calibration = profile.calibration ?? null;
  const counts = new Array<number>(calibration ? calibration.probability.length : 1).fill(0);
  let all = 0;
  let errorSum = 0;
  const deciles = profile.multivariate?.error_edges;
  const errorCounts = deciles ? new Array<number>(deciles.length + 1).fill(0) : null;
  for (const r of rows) {
    const bin = num(r.bin);
    // error_bin < 0: a row of the score histogram only (the error came from a sample of the window: pca-sample.ts)
    const errorBin = num(r.error_bin);
    if (errorBin >= 0) {
      if (errorCounts) errorCounts[Math.min(errorBin, errorCounts.length - 1)] += num(r.c);
      all += num(r.c);
      errorSum += num(r.error_sum);
    }
    if (bin !== NO_SCORE_BIN && bin >= 0 && bin < counts.length) counts[bin] += num(r.c);
  }
  const scored = counts.reduce((a, b) => a + b, 0);
  const performance = calibration && scored > 0 ? estimatePerformance(calibration, counts, { seed }) : null;
  // ClickHouse sums in a thread-dependent order (last-bit differences): 12 digits keep the result reproducible
  const multivariate = profile.multivariate && all > 0 ? multivariateDrift(profile.multivariate, Number((errorSum / all).toPrecision(12)), all) : null;
  let error: WindowEstimate['error'] = null;
  if (performance && quality.labelled > 0) {
    const realized: Partial<Record<QualityName, number>> = {};
    const difference: Partial<Record<QualityName, number>> = {};
    for (const m of ESTIMATED_METRICS) {
      const value = m === 'rocAuc' ? null : quality[m];
      if (value === null || !Number.isFinite(performance[m])) continue;
      realized[m] = value;
      difference[m] = performance[m] - value;
    }
    error = { labelled: quality.labelled, realized, difference };
  }
  return { scored, performance, multivariate, errorCounts: profile.multivariate && all > 0 ? errorCounts : null, error };
}

/** The multivariate stream in the sequential tests: a pseudo-feature whose bins are the training errors' deciles. */
export function withMultivariateStream(reference: ModelReference, profile: BaselineProfile): ModelReference {
  const m = profile.multivariate;
  if (!m?.error_edges || !m.error_counts) return reference;
  return { ...reference, features: { ...reference.features, [MULTIVARIATE_FEATURE]: { kind: 'numeric', edges: m.error_edges, counts: m.error_counts, missing: 0 } } };
}

/** The window's counts for that stream (the summary the sequential tests take). */
export function withMultivariateCounts(summary: WindowSummary, estimate: WindowEstimate | undefined): WindowSummary {
  if (!estimate?.errorCounts) return summary;
  return { ...summary, features: { ...summary.features, [MULTIVARIATE_FEATURE]: { kind: 'numeric', counts: estimate.errorCounts, missing: 0 } } };
}

export interface EstimateRow {
  feature: string;
  n: number;
  statistic: string;
  value: number;
  details: object;
}

/** drift_results rows: estimated_<metric> (interval in details), estimation_error_<metric>, reconstruction_error. */
export function estimateRows(e: WindowEstimate): EstimateRow[] {
  const out: EstimateRow[] = [];
  const p = e.performance;
  if (p) {
    for (const m of ESTIMATED_METRICS) {
      if (!Number.isFinite(p[m])) continue;
      out.push({ feature: ESTIMATE_FEATURE, n: e.scored, statistic: `estimated_${METRIC_NAMES[m]}`, value: p[m], details: { interval: p.interval[m], level: p.interval.level } });
    }
  }
  if (e.error) {
    for (const [m, d] of Object.entries(e.error.difference) as Array<[QualityName, number]>) {
      out.push({ feature: ESTIMATE_FEATURE, n: e.error.labelled, statistic: `estimation_error_${METRIC_NAMES[m]}`, value: d, details: { realized: e.error.realized[m], estimated: p?.[m] } });
    }
  }
  const mv = e.multivariate;
  if (mv && Number.isFinite(mv.reconstruction_error)) {
    out.push({ feature: MULTIVARIATE_FEATURE, n: mv.rows, statistic: 'reconstruction_error', value: mv.reconstruction_error, details: { baseline_mean: mv.baseline_mean, baseline_std: mv.baseline_std, drift: mv.drift, error_counts: e.errorCounts } });
  }
  return out;
}

/** `driftwatch evaluate --json`: the window's estimates as `drift --json` names them (null when the baseline has none). */
export function estimateJson(e: WindowEstimate | undefined): { performance_estimate: Record<string, unknown> | null; multivariate: Record<string, unknown> | null } {
  const p = e?.performance;
  const mv = e?.multivariate;
  const interval = p ? Object.fromEntries([['level', p.interval.level], ...ESTIMATED_METRICS.map((m) => [METRIC_NAMES[m], p.interval[m] ?? null])]) : null;
  return {
    performance_estimate: p && e ? { method: 'cbpe', rows: e.scored, ...Object.fromEntries(ESTIMATED_METRICS.map((m) => [METRIC_NAMES[m], Number.isFinite(p[m]) ? p[m] : null])), interval } : null,
    multivariate: mv ? { reconstruction_error: mv.reconstruction_error, baseline_mean: mv.baseline_mean, baseline_std: mv.baseline_std, drift: mv.drift, rows: mv.rows } : null,
  };
}
