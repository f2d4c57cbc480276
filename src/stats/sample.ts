// A numeric sample sorted once and reused by every statistic: quantiles, PSI bins, KS and Wasserstein walks.
import { sortFloat64 } from './sort.js';

/** Non-missing values in ascending order, plus how many were missing (null, undefined or NaN). */
export interface SortedSample {
  readonly values: Float64Array;
  readonly missing: number;
}

/** Sorts once; NaN counts as missing. Accepts numbers or nulls. */
export function sortSample(values: ArrayLike<number | null | undefined>): SortedSample {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || Number.isNaN(v)) continue;
    out[n++] = v;
  }
  const sorted = n === out.length ? out : out.slice(0, n);
  return { values: sortFloat64(sorted), missing: values.length - n };
}

// numpy's _lerp: a + (b−a)·t, computed from the nearer end so results match numpy bit for bit.
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Quantile of an ascending array with linear interpolation (numpy.quantile's default method). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  const position = (n - 1) * q;
  const below = Math.floor(position);
  if (below >= n - 1) return sorted[n - 1];
  if (below < 0) return sorted[0];
  return lerp(sorted[below], sorted[below + 1], position - below);
}

/** Number of elements ≤ x in an ascending array (searchsorted side="right"). */
export function countAtMost(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of elements < x in an ascending array (searchsorted side="left"). */
export function countBelow(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Mean, population σ (ddof 0), min and max of the non-missing values; NaN when empty. */
export function describeSorted(sorted: Float64Array): { mean: number; std: number; min: number; max: number } {
  const n = sorted.length;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
  return { mean, std: Math.sqrt(ss / n), min: sorted[0], max: sorted[n - 1] };
}
