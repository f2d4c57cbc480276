// KS distance and Wasserstein-1 from one merge walk over two ascending samples: no sorting here, O(n + m).
import { InputError } from '../domain/index.js';
import { ksPValue, type KsResult } from './ks.js';

export interface EcdfComparison {
  /** sup |F_ref − F_cur| (the two-sample KS statistic D). */
  ks: number;
  /** ∫ |F_ref − F_cur| dx (scipy.stats.wasserstein_distance). */
  wasserstein: number;
}

/** D and W1 between two ascending, NaN-free samples. Ties are stepped over together, as scipy's searchsorted(side="right"). */
export function compareSorted(reference: Float64Array, current: Float64Array): EcdfComparison {
  const n = reference.length;
  const m = current.length;
  if (n === 0 || m === 0) throw new InputError('KS and Wasserstein need two non-empty samples');
  let i = 0;
  let j = 0;
  let ks = 0;
  let wasserstein = 0;
  let diff = 0;
  let previous = Math.min(reference[0], current[0]);
  while (i < n || j < m) {
    const a = i < n ? reference[i] : Infinity;
    const b = j < m ? current[j] : Infinity;
    const v = a <= b ? a : b;
    wasserstein += Math.abs(diff) * (v - previous);
    previous = v;
    while (i < n && reference[i] === v) i++;
    while (j < m && current[j] === v) j++;
    diff = i / n - j / m;
    const abs = Math.abs(diff);
    if (abs > ks) ks = abs;
  }
  return { ks, wasserstein };
}

/** A sample summarised by points with cumulative shares, e.g. a baseline's quantiles: F(values[i]) = cumulative[i]. */
export interface WeightedEcdf {
  values: Float64Array | readonly number[];
  cumulative: Float64Array | readonly number[];
}

/** D and W1 between a summarised reference and an ascending current sample (same walk, weighted steps). */
export function compareWeighted(reference: WeightedEcdf, current: Float64Array): EcdfComparison {
  const n = reference.values.length;
  const m = current.length;
  if (n === 0 || m === 0) throw new InputError('KS and Wasserstein need two non-empty samples');
  let i = 0;
  let j = 0;
  let ks = 0;
  let wasserstein = 0;
  let diff = 0;
  let fRef = 0;
  let previous = Math.min(reference.values[0], current[0]);
  while (i < n || j < m) {
    const a = i < n ? reference.values[i] : Infinity;
    const b = j < m ? current[j] : Infinity;
    const v = a <= b ? a : b;
    wasserstein += Math.abs(diff) * (v - previous);
    previous = v;
    while (i < n && reference.values[i] === v) fRef = reference.cumulative[i++];
    while (j < m && current[j] === v) j++;
    diff = fRef - j / m;
    const abs = Math.abs(diff);
    if (abs > ks) ks = abs;
  }
  return { ks, wasserstein };
}

/** Two-sample two-sided KS test on ascending samples: scipy.stats.ks_2samp(ref, cur, method="auto"). */
export function ksTwoSample(reference: Float64Array, current: Float64Array): KsResult {
  const { ks } = compareSorted(reference, current);
  return ksPValue(ks, reference.length, current.length);
}
