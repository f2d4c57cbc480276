// What a window is compared with: per feature, the baseline's PSI bins (numeric: decile edges and counts;
// categorical: counts per category), its row count, and the baseline accuracy when labels were known.
import { InputError, type FeatureValue, type Prediction } from '../domain/index.js';

export interface NumericReference {
  kind: 'numeric';
  /** nine inner decile edges; bin i = [edge i−1, edge i), outer bins open (left-closed, as numpy.digitize) */
  edges: number[];
  /** rows per bin (edges.length + 1 of them) */
  counts: number[];
  missing: number;
  /** the baseline's range, when known: windows then count values outside it (the out-of-range stream) */
  min?: number;
  max?: number;
}

export interface CategoricalReference {
  kind: 'categorical';
  counts: Record<string, number>;
  missing: number;
}

export type FeatureReference = NumericReference | CategoricalReference;

export interface ModelReference {
  model: string;
  baselineVersion: string;
  /** rows the baseline was built from (M) */
  rows: number;
  features: Record<string, FeatureReference>;
  /** share of correct predictions on the baseline, when it had labels */
  accuracy?: { value: number; rows: number };
}

/** Index of the bin holding x: the number of edges ≤ x (binary search). */
export function binIndex(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** numpy.quantile's default (linear) on a sorted array. */
function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  return i + 1 < sorted.length ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** Whether a prediction counts as correct against its label: equal labels, or a score ≥ 0.5 for label 1. */
export function isCorrect(prediction: Prediction['prediction'], label: Prediction['label']): boolean | null {
  if (label === null || prediction === null) return null;
  if (typeof prediction === 'number' && (label === 0 || label === 1 || label === '0' || label === '1')) return (prediction >= 0.5) === (Number(label) === 1);
  return String(prediction) === String(label);
}

/** Builds the reference of a model from its training rows (the replay's and the bench's baseline). */
export function referenceFromRows(model: string, baselineVersion: string, rows: Array<Pick<Prediction, 'features' | 'prediction' | 'label'>>): ModelReference {
  if (rows.length === 0) throw new InputError('a baseline needs at least one row');
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.features)) names.add(k);
  const features: Record<string, FeatureReference> = {};
  for (const name of names) {
    const values: FeatureValue[] = rows.map((r) => r.features[name] ?? null);
    const numbers = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
    const strings = values.filter((v): v is string => typeof v === 'string');
    const missing = values.length - numbers.length - strings.length;
    if (numbers.length > 0 && strings.length === 0) {
      const edges = Array.from({ length: 9 }, (_, i) => quantile(numbers, (i + 1) / 10));
      const counts = new Array<number>(10).fill(0);
      for (const x of numbers) counts[binIndex(edges, x)] += 1;
      features[name] = { kind: 'numeric', edges, counts, missing, min: numbers[0], max: numbers[numbers.length - 1] };
    } else {
      const counts: Record<string, number> = {};
      for (const s of values) if (s !== null) counts[String(s)] = (counts[String(s)] ?? 0) + 1;
      features[name] = { kind: 'categorical', counts, missing };
    }
  }
  let labeled = 0;
  let correct = 0;
  for (const r of rows) {
    const ok = isCorrect(r.prediction, r.label);
    if (ok === null) continue;
    labeled += 1;
    if (ok) correct += 1;
  }
  return { model, baselineVersion, rows: rows.length, features, ...(labeled > 0 ? { accuracy: { value: correct / labeled, rows: labeled } } : {}) };
}
