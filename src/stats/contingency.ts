// χ² test of homogeneity on the 2×K table (reference vs current counts per category), no continuity correction.
import { InputError } from '../domain/index.js';
import { chi2Sf } from './special.js';

export interface Chi2Result {
  statistic: number;
  pValue: number;
  dof: number;
}

/** Categories empty on both sides are dropped (their expected count is 0); one remaining category gives χ² = 0, p = 1, dof = 0. */
export function chi2Test(reference: readonly number[], current: readonly number[]): Chi2Result {
  if (reference.length !== current.length) throw new InputError(`χ² needs aligned categories (${reference.length} vs ${current.length})`);
  const n = reference.reduce((s, c) => s + c, 0);
  const m = current.reduce((s, c) => s + c, 0);
  if (n === 0 || m === 0) throw new InputError('χ² needs two non-empty samples');
  const total = n + m;
  let statistic = 0;
  let columns = 0;
  for (let k = 0; k < reference.length; k++) {
    const column = reference[k] + current[k];
    if (column === 0) continue;
    columns++;
    const er = (n * column) / total;
    const ec = (m * column) / total;
    statistic += (reference[k] - er) ** 2 / er + (current[k] - ec) ** 2 / ec;
  }
  const dof = columns - 1;
  if (dof === 0) return { statistic: 0, pValue: 1, dof };
  return { statistic, pValue: chi2Sf(statistic, dof), dof };
}
