// Confidence-based performance estimation (CBPE, binary): quality expected from calibrated scores alone, before
// labels arrive. Works on a score histogram over the calibration's bins, so the same code serves a file (rows counted
// here) and a live window (counted by ClickHouse). Pure: the bootstrap's generator is seeded.
import { SeededRandom, type ScoreCalibration } from '../stats/index.js';
import { binomial } from './binomial.js';

export interface ExpectedQuality {
  rows: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** NaN when the expected positives or negatives are 0 */
  rocAuc: number;
  /** expected confusion counts */
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export type QualityName = 'accuracy' | 'precision' | 'recall' | 'f1' | 'rocAuc';
export const ESTIMATED_METRICS: readonly QualityName[] = ['accuracy', 'precision', 'recall', 'f1', 'rocAuc'];

export interface PerformanceEstimate extends ExpectedQuality {
  /** central interval of each metric at `level` (null when the metric is undefined) */
  interval: { level: number; draws: number } & Record<QualityName, [number, number] | null>;
}

export interface EstimateOptions {
  /** interval level (default 0.95) */
  level?: number;
  /** bootstrap draws (default 400) */
  draws?: number;
  seed?: number;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Does bin b predict class 1? Its lower edge is ≥ the threshold (the threshold is always an edge). */
export function predictsOne(calibration: ScoreCalibration, b: number): boolean {
  return b > 0 && calibration.edges[b - 1] >= calibration.threshold;
}

/**
 * Quality from per-bin rows and positives (expected or simulated). ROC AUC sweeps the threshold down the bins; rows
 * of one bin share a calibrated probability, so the expected ROC curve is straight across a bin (the trapezoid).
 */
export function qualityFromBins(calibration: ScoreCalibration, rows: ArrayLike<number>, positives: ArrayLike<number>): ExpectedQuality {
  let tp = 0, fp = 0, fn = 0, tn = 0, n = 0;
  for (let b = 0; b < rows.length; b++) {
    n += rows[b];
    if (predictsOne(calibration, b)) {
      tp += positives[b];
      fp += rows[b] - positives[b];
    } else {
      fn += positives[b];
      tn += rows[b] - positives[b];
    }
  }
  const allPositive = tp + fn;
  const allNegative = fp + tn;
  let area = 0;
  let cumPositive = 0;
  let cumNegative = 0;
  for (let b = rows.length - 1; b >= 0; b--) {
    const pos = positives[b];
    const neg = rows[b] - positives[b];
    area += (neg * (2 * cumPositive + pos)) / 2;
    cumPositive += pos;
    cumNegative += neg;
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    rows: n,
    accuracy: ratio(tp + tn, n),
    precision,
    recall,
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    rocAuc: allPositive > 0 && allNegative > 0 && cumNegative > 0 ? area / (allPositive * allNegative) : NaN,
    tp, fp, fn, tn,
  };
}

/** Expected quality of a histogram: each row of bin b is positive with the bin's calibrated probability. */
export function expectedQuality(calibration: ScoreCalibration, counts: readonly number[]): ExpectedQuality {
  return qualityFromBins(calibration, counts, counts.map((c, b) => c * calibration.probability[b]));
}

function percentile(sorted: number[], q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

/**
 * The estimate and its interval: a parametric bootstrap. Each draw first redraws every bin's probability from its
 * reference rows (Binomial(m_b, p_b)/m_b: the calibration's own uncertainty), then the current rows' labels
 * (Binomial(n_b, p*_b) positives per bin: the Poisson-binomial spread of realized quality around its expectation),
 * and computes the realized metrics; the interval is their central `level` share. It says where the realized value
 * falls when the calibration still holds — not under concept drift.
 */
export function estimatePerformance(calibration: ScoreCalibration, counts: readonly number[], options: EstimateOptions = {}): PerformanceEstimate {
  if (counts.length !== calibration.probability.length) throw new RangeError(`estimate: ${counts.length} bins but the calibration has ${calibration.probability.length}`);
  const level = options.level ?? 0.95;
  const draws = options.draws ?? 400;
  const rng = new SeededRandom(options.seed ?? 17);
  const expected = expectedQuality(calibration, counts);
  const samples: Record<QualityName, number[]> = { accuracy: [], precision: [], recall: [], f1: [], rocAuc: [] };
  const positives = new Array<number>(counts.length);
  for (let d = 0; d < draws; d++) {
    for (let b = 0; b < counts.length; b++) {
      const m = calibration.rows[b];
      const p = m > 0 ? binomial(rng, m, calibration.probability[b]) / m : calibration.probability[b];
      positives[b] = binomial(rng, counts[b], p);
    }
    const q = qualityFromBins(calibration, counts, positives);
    for (const name of ESTIMATED_METRICS) if (Number.isFinite(q[name])) samples[name].push(q[name]);
  }
  const interval = { level, draws } as PerformanceEstimate['interval'];
  for (const name of ESTIMATED_METRICS) {
    const s = samples[name].sort((a, b) => a - b);
    // a metric undefined in most draws (no positives expected) gets no interval
    interval[name] = s.length >= draws / 2 && Number.isFinite(expected[name]) ? [percentile(s, (1 - level) / 2), percentile(s, 1 - (1 - level) / 2)] : null;
  }
  return { ...expected, interval };
}
