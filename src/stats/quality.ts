// Model quality against ground truth: binary classification, multiclass, regression (scikit-learn's definitions).
import { InputError } from '../domain/index.js';

function sameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new InputError(`${what}: ${a.length} labels but ${b.length} predictions`);
  if (a.length === 0) throw new InputError(`${what}: no rows`);
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export interface BinaryQuality {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
  ece: number;
}

/** Options: decision threshold (default 0.5) and calibration bins for ECE (default 10, equal width). */
export interface BinaryQualityOptions {
  threshold?: number;
  calibrationBins?: number;
}

/** Binary metrics from 0/1 labels and scores P(y = 1) in [0, 1]. Undefined ratios (no positives…) are 0, AUCs NaN. */
export function binaryQuality(labels: ArrayLike<number>, scores: ArrayLike<number>, options: BinaryQualityOptions = {}): BinaryQuality {
  sameLength(labels, scores, 'binary quality');
  const threshold = options.threshold ?? 0.5;
  const n = labels.length;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let logLoss = 0;
  let brier = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new InputError(`binary quality: label ${y} at row ${i + 1} is not 0 or 1`);
    const s = scores[i];
    const predicted = s >= threshold ? 1 : 0;
    if (predicted === 1 && y === 1) tp++;
    else if (predicted === 1) fp++;
    else if (y === 1) fn++;
    else tn++;
    // clipped at float64 ε like scikit-learn ≥ 1.3 (older releases used 1e-15)
    const p = Math.min(1 - Number.EPSILON, Math.max(Number.EPSILON, s));
    logLoss -= y === 1 ? Math.log(p) : Math.log(1 - p);
    brier += (s - y) ** 2;
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    accuracy: (tp + tn) / n,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    rocAuc: rocAuc(labels, scores),
    prAuc: averagePrecision(labels, scores),
    logLoss: logLoss / n,
    brier: brier / n,
    ece: expectedCalibrationError(labels, scores, options.calibrationBins ?? 10),
  };
}

function byScoreDescending(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
}

/** ROC AUC: the trapezoid under the ROC curve, tied scores as one step (= Mann–Whitney U with ties halved). */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = byScoreDescending(scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let area = 0;
  for (let i = 0; i < order.length; ) {
    const s = scores[order[i]];
    const tp0 = tp;
    const fp0 = fp;
    for (; i < order.length && scores[order[i]] === s; i++) {
      if (labels[order[i]] === 1) tp++;
      else fp++;
    }
    area += ((fp - fp0) * (tp + tp0)) / 2;
  }
  return area / (positives * negatives);
}

/** PR AUC as average precision: Σ (R_k − R_{k−1})·P_k over distinct thresholds (sklearn average_precision_score). */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = byScoreDescending(scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  if (positives === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    const s = scores[order[i]];
    const tp0 = tp;
    for (; i < order.length && scores[order[i]] === s; i++, seen++) if (labels[order[i]] === 1) tp++;
    ap += ((tp - tp0) / positives) * (tp / seen);
  }
  return ap;
}

/** ECE: Σ_bins (n_b/N)·|mean label − mean score| over equal-width score bins on [0, 1] (last bin closed). */
export function expectedCalibrationError(labels: ArrayLike<number>, scores: ArrayLike<number>, bins = 10): number {
  const count = new Float64Array(bins);
  const sumLabel = new Float64Array(bins);
  const sumScore = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(scores[i] * bins)));
    count[b]++;
    sumLabel[b] += labels[i];
    sumScore[b] += scores[i];
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b] > 0) ece += Math.abs(sumLabel[b] - sumScore[b]) / labels.length;
  return ece;
}

export interface MulticlassQuality {
  accuracy: number;
  macroF1: number;
  microF1: number;
}

/** Multiclass metrics over the classes seen in labels or predictions (sklearn f1_score average="macro"/"micro"). */
export function multiclassQuality(labels: ArrayLike<string | number>, predictions: ArrayLike<string | number>): MulticlassQuality {
  sameLength(labels, predictions, 'multiclass quality');
  const tp = new Map<string | number, number>();
  const predicted = new Map<string | number, number>();
  const actual = new Map<string | number, number>();
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const p = predictions[i];
    actual.set(y, (actual.get(y) ?? 0) + 1);
    predicted.set(p, (predicted.get(p) ?? 0) + 1);
    if (y === p) {
      correct++;
      tp.set(y, (tp.get(y) ?? 0) + 1);
    }
  }
  const classes = new Set([...actual.keys(), ...predicted.keys()]);
  let f1Sum = 0;
  for (const c of classes) {
    const t = tp.get(c) ?? 0;
    f1Sum += ratio(2 * t, (actual.get(c) ?? 0) + (predicted.get(c) ?? 0));
  }
  const accuracy = correct / labels.length;
  // micro-averaged F1 equals accuracy for single-label multiclass
  return { accuracy, macroF1: f1Sum / classes.size, microF1: accuracy };
}

export interface RegressionQuality {
  mae: number;
  rmse: number;
  mape: number;
  r2: number;
}

/** Regression metrics; MAPE divides by max(|y|, ε) like sklearn (a fraction, not a percentage). */
export function regressionQuality(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionQuality {
  sameLength(actual, predicted, 'regression quality');
  const n = actual.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i];
  mean /= n;
  let abs = 0;
  let sq = 0;
  let pct = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = actual[i] - predicted[i];
    abs += Math.abs(e);
    sq += e * e;
    pct += Math.abs(e) / Math.max(Math.abs(actual[i]), Number.EPSILON);
    total += (actual[i] - mean) ** 2;
  }
  // sklearn: constant truth gives R² = 1 for a perfect fit, else 0
  const r2 = total === 0 ? (sq === 0 ? 1 : 0) : 1 - sq / total;
  return { mae: abs / n, rmse: Math.sqrt(sq / n), mape: pct / n, r2 };
}
