// Score calibration for label-free performance estimation: histogram binning of the reference scores (equal-count
// bins, the decision threshold always an edge) with the bins' positive rates made non-decreasing by isotonic
// regression (pool adjacent violators, weighted by rows). A step function, so a score histogram counted on the same
// edges (in ClickHouse, per window) gives exactly what row-by-row calibration gives.
import { InputError } from '../domain/index.js';
import { countAtMost, quantileSorted, sortSample } from './sample.js';

/** Fewer labelled reference rows than this and no calibration is learnt (an estimate would be mostly noise). */
export const CALIBRATION_MIN_ROWS = 200;
/** Each bin holds about this many reference rows (fewer bins for small references)… */
export const CALIBRATION_ROWS_PER_BIN = 100;
/** …and there are at most this many bins besides the split at the threshold. */
export const CALIBRATION_MAX_BINS = 50;
/**
 * Edges are multiples of 2⁻¹⁴: a score's bin is then decided exactly by its cell ⌊s·2¹⁴⌋ (a power-of-two product
 * is exact), which is how ClickHouse counts a window's histogram in one cheap GROUP BY.
 */
export const CALIBRATION_GRID = 16_384;

export interface ScoreCalibration {
  method: 'histogram_isotonic';
  /** the model's decision threshold: score ≥ threshold predicts 1 */
  threshold: number;
  /** inner bin edges, ascending; bin b holds scores in [edges[b−1], edges[b]) (−∞ and +∞ outside) */
  edges: number[];
  /** reference rows and positives per bin (edges.length + 1 bins) */
  rows: number[];
  positives: number[];
  /** calibrated P(label = 1) per bin */
  probability: number[];
}

/** Weighted isotonic regression (non-decreasing) by pool adjacent violators; zero-weight points take a neighbour's value. */
export function isotonic(values: readonly number[], weights: readonly number[]): number[] {
  const blocks: Array<{ mean: number; weight: number; size: number }> = [];
  for (let i = 0; i < values.length; i++) {
    if (weights[i] <= 0) {
      blocks.push({ mean: NaN, weight: 0, size: 1 });
      continue;
    }
    let b = { mean: values[i], weight: weights[i], size: 1 };
    // merge backwards while the previous weighted block is above this one (empty blocks merge in as they go)
    while (blocks.length > 0) {
      const prev = blocks[blocks.length - 1];
      if (prev.weight > 0 && prev.mean <= b.mean) break;
      blocks.pop();
      const weight = prev.weight + b.weight;
      b = { mean: prev.weight === 0 ? b.mean : (prev.mean * prev.weight + b.mean * b.weight) / weight, weight, size: prev.size + b.size };
    }
    blocks.push(b);
  }
  const out: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.size; k++) out.push(b.mean);
  // trailing empty points (no weight after them) take the last weighted value
  let last = NaN;
  for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i])) out[i] = last; else last = out[i];
  return out;
}

/** The bin of a score: how many edges are ≤ it. */
export function binOf(edges: readonly number[], score: number): number {
  return countAtMost(edges, score);
}

/** Rows per bin of the given scores (NaN scores are skipped). */
export function scoreHistogram(edges: readonly number[], scores: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < scores.length; i++) if (!Number.isNaN(scores[i])) counts[binOf(edges, scores[i])]++;
  return counts;
}

/**
 * Learns the calibration from labelled reference rows (labels 0/1, scores). Edges: the distinct quantiles at k/B
 * (numpy linear, B = min(50, ⌊n/100⌋)) rounded to the grid, plus the threshold (which must lie on it); a bin left without reference rows is merged into a
 * neighbour, except beside the threshold (it keeps the predicted class apart) where it takes its neighbour's rate.
 */
export function fitCalibration(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): ScoreCalibration {
  if (labels.length !== scores.length) throw new InputError(`calibration: ${labels.length} labels but ${scores.length} scores`);
  const n = labels.length;
  if (n < CALIBRATION_MIN_ROWS) throw new InputError(`calibration needs at least ${CALIBRATION_MIN_ROWS} labelled rows, got ${n}`, 'too_few_rows');
  const sorted = sortSample(scores).values;
  if (sorted.length !== n) throw new InputError('calibration: a score is missing');
  if (!Number.isInteger(threshold * CALIBRATION_GRID)) throw new RangeError(`calibration: threshold ${threshold} is not a multiple of 1/${CALIBRATION_GRID}`);
  for (let i = 0; i < n; i++) if (labels[i] !== 0 && labels[i] !== 1) throw new InputError(`calibration: label ${labels[i]} at row ${i + 1} is not 0 or 1`);
  const bins = Math.max(2, Math.min(CALIBRATION_MAX_BINS, Math.floor(n / CALIBRATION_ROWS_PER_BIN)));
  const cuts = new Set<number>([threshold]);
  for (let k = 1; k < bins; k++) cuts.add(Math.floor(quantileSorted(sorted, k / bins) * CALIBRATION_GRID + 0.5) / CALIBRATION_GRID);
  let edges = [...cuts].sort((a, b) => a - b);
  const count = (e: number[]) => {
    const rows = new Array<number>(e.length + 1).fill(0);
    const positives = new Array<number>(e.length + 1).fill(0);
    for (let i = 0; i < n; i++) {
      const b = binOf(e, scores[i]);
      rows[b]++;
      positives[b] += labels[i];
    }
    return { rows, positives };
  };
  let { rows, positives } = count(edges);
  // merge empty bins by dropping an edge that is not the threshold
  for (let b = 0; b < rows.length; ) {
    if (rows[b] > 0) {
      b++;
      continue;
    }
    const left = b > 0 && edges[b - 1] !== threshold ? b - 1 : -1;
    const right = b < edges.length && edges[b] !== threshold ? b : -1;
    const drop = left >= 0 ? left : right;
    if (drop < 0) {
      b++;
      continue;
    }
    edges = edges.filter((_, i) => i !== drop);
    ({ rows, positives } = count(edges));
    b = 0;
  }
  const probability = isotonic(rows.map((r, b) => (r > 0 ? positives[b] / r : 0)), rows);
  return { method: 'histogram_isotonic', threshold, edges, rows, positives, probability };
}

/** Calibrated probability of each score. */
export function calibrate(calibration: ScoreCalibration, scores: ArrayLike<number>): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = calibration.probability[binOf(calibration.edges, scores[i])];
  return out;
}
