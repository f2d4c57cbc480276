// The report's estimates: quality expected before labels (CBPE, with its interval) per window, drawn beside the
// realized quality, and the multivariate reconstruction error per window with its baseline band.
import type { DriftRow } from './store-queries.js';

/** drift_results feature names of the estimate rows (src/evaluate/estimate-window.ts). */
const ESTIMATE_FEATURE = '__estimate__';
const MULTIVARIATE_FEATURE = '__multivariate__';

export interface EstimatePoint {
  start: number;
  end: number;
  /** estimated accuracy and its interval */
  value: number;
  low: number | null;
  high: number | null;
}

export interface MultivariatePoint {
  start: number;
  end: number;
  error: number;
  low: number;
  high: number;
  drift: boolean;
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function estimatePoints(rows: readonly DriftRow[]): EstimatePoint[] {
  return rows
    .filter((r) => r.feature === ESTIMATE_FEATURE && r.statistic === 'estimated_accuracy')
    .map((r) => {
      const interval = Array.isArray(r.details.interval) ? r.details.interval : [];
      return { start: r.start, end: r.end, value: r.value, low: finite(interval[0]), high: finite(interval[1]) };
    });
}

export function multivariatePoints(rows: readonly DriftRow[]): MultivariatePoint[] {
  return rows
    .filter((r) => r.feature === MULTIVARIATE_FEATURE && r.statistic === 'reconstruction_error')
    .map((r) => {
      const mean = finite(r.details.baseline_mean) ?? NaN;
      const std = finite(r.details.baseline_std) ?? NaN;
      return { start: r.start, end: r.end, error: r.value, low: mean - 3 * std, high: mean + 3 * std, drift: r.details.drift === true };
    });
}
