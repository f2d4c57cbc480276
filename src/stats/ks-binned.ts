// KS from aggregates (binned counts over common edges, or reference quantiles): a statistic plus its error bound.
import { InputError } from '../domain/index.js';
import { ksPValue } from './ks.js';

export interface BinnedKs {
  /** sup |F_ref − F_cur| over the bin edges: a lower bound of the exact D */
  statistic: number;
  /** the exact D is at most this (the CDFs may move apart inside a bin by at most that bin's larger share) */
  upperBound: number;
  pValue: number;
}

/**
 * KS between two histograms over the same edges (counts per bin, same length, in edge order).
 * The exact D lies in [statistic, upperBound]; the p-value is taken at `statistic`.
 */
export function ksFromHistograms(reference: readonly number[], current: readonly number[]): BinnedKs {
  if (reference.length !== current.length) throw new InputError(`KS needs aligned bins (${reference.length} vs ${current.length})`);
  const n = reference.reduce((s, c) => s + c, 0);
  const m = current.reduce((s, c) => s + c, 0);
  if (n === 0 || m === 0) throw new InputError('KS needs two non-empty samples');
  let fr = 0;
  let fc = 0;
  let statistic = 0;
  let upper = 0;
  for (let k = 0; k < reference.length; k++) {
    const r = reference[k] / n;
    const c = current[k] / m;
    // inside bin k, F_ref − F_cur stays within [left − c, left + r]
    const left = fr / n - fc / m;
    upper = Math.max(upper, left + r, c - left);
    fr += reference[k];
    fc += current[k];
    statistic = Math.max(statistic, Math.abs(fr / n - fc / m));
  }
  upper = Math.min(1, Math.max(upper, statistic));
  return { statistic, upperBound: upper, pValue: ksPValue(statistic, n, m).pValue };
}
