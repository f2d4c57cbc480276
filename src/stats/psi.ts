// Population Stability Index, numeric (reference deciles, open outer bins, missing bin) and categorical (DESIGN.md).
import { InputError } from '../domain/index.js';
import { countBelow, quantileSorted, type SortedSample } from './sample.js';

/** The nine inner PSI edges: reference deciles with numpy's linear interpolation (duplicates kept, so B stays 10). */
export function decileEdges(sortedReference: ArrayLike<number>): number[] {
  if (sortedReference.length === 0) throw new InputError('PSI needs a non-empty reference sample');
  const edges: number[] = [];
  for (let i = 1; i < 10; i++) edges.push(quantileSorted(sortedReference, i / 10));
  return edges;
}

/**
 * Counts per bin over edges e1 ≤ … ≤ ek: bin 0 = (−∞, e1), bin i = [ei, ei+1), bin k = [ek, +∞)
 * (left-closed like numpy.digitize / numpy.histogram); returns k + 1 counts.
 */
export function binCounts(sorted: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts: number[] = [];
  let previous = 0;
  for (const edge of edges) {
    const below = countBelow(sorted, edge);
    counts.push(below - previous);
    previous = below;
  }
  counts.push(sorted.length - previous);
  return counts;
}

function sum(counts: readonly number[]): number {
  let total = 0;
  for (const c of counts) total += c;
  return total;
}

/** Smoothed shares (count + 0.5) / (N + 0.5·B). */
export function smoothedShares(counts: readonly number[]): number[] {
  const denominator = sum(counts) + 0.5 * counts.length;
  return counts.map((c) => (c + 0.5) / denominator);
}

/** PSI = Σ (cur − ref)·ln(cur / ref) over smoothed shares of two aligned count vectors. */
export function psiFromCounts(reference: readonly number[], current: readonly number[]): number {
  if (reference.length !== current.length) throw new InputError(`PSI needs aligned bins (${reference.length} vs ${current.length})`);
  if (reference.length === 0) throw new InputError('PSI needs at least one bin');
  if (sum(reference) === 0 || sum(current) === 0) throw new InputError('PSI needs non-empty samples on both sides');
  const ref = smoothedShares(reference);
  const cur = smoothedShares(current);
  let psi = 0;
  for (let i = 0; i < ref.length; i++) psi += (cur[i] - ref[i]) * Math.log(cur[i] / ref[i]);
  return psi;
}

/** Aligned numeric PSI bins: the 10 decile bins, plus a trailing missing bin when either side has missing values. */
export interface NumericBins {
  edges: number[];
  reference: number[];
  current: number[];
}

export function numericBins(reference: SortedSample, current: SortedSample, edges = decileEdges(reference.values)): NumericBins {
  const ref = binCounts(reference.values, edges);
  const cur = binCounts(current.values, edges);
  if (reference.missing > 0 || current.missing > 0) {
    ref.push(reference.missing);
    cur.push(current.missing);
  }
  return { edges, reference: ref, current: cur };
}

/**
 * Aligned bins when the reference is already binned (a baseline's edges, counts and missing count) and the current
 * sample is sorted: the 10 bins, plus the missing bin when either side has missing values.
 */
export function numericPsiBins(
  edges: readonly number[],
  reference: { counts: readonly number[]; missing: number },
  current: { sorted: ArrayLike<number>; missing: number },
): { reference: number[]; current: number[] } {
  if (reference.counts.length !== edges.length + 1) throw new InputError(`PSI needs ${edges.length + 1} reference counts, got ${reference.counts.length}`);
  const ref = [...reference.counts];
  const cur = binCounts(current.sorted, edges);
  if (reference.missing > 0 || current.missing > 0) {
    ref.push(reference.missing);
    cur.push(current.missing);
  }
  return { reference: ref, current: cur };
}

/** Numeric PSI of two sorted samples. */
export function psiNumeric(reference: SortedSample, current: SortedSample): number {
  if (current.values.length + current.missing === 0) throw new InputError('PSI needs a non-empty current sample');
  const bins = numericBins(reference, current);
  return psiFromCounts(bins.reference, bins.current);
}

/** A categorical value; null is the missing category. */
export type Category = string | null;

/** Counts of each category (null = missing). */
export function categoryCounts(values: Iterable<Category>): Map<Category, number> {
  const counts = new Map<Category, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** Aligns two category count maps on the union of categories (sorted; missing last). */
export function alignCategories(
  reference: ReadonlyMap<Category, number>,
  current: ReadonlyMap<Category, number>,
): { categories: Category[]; reference: number[]; current: number[] } {
  const keys = new Set<Category>([...reference.keys(), ...current.keys()]);
  const categories = [...keys].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return {
    categories,
    reference: categories.map((c) => reference.get(c) ?? 0),
    current: categories.map((c) => current.get(c) ?? 0),
  };
}

/** Categorical PSI: one bin per category seen in either sample. */
export function psiCategorical(reference: ReadonlyMap<Category, number>, current: ReadonlyMap<Category, number>): number {
  const aligned = alignCategories(reference, current);
  return psiFromCounts(aligned.reference, aligned.current);
}
