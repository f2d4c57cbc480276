// Distances between two distributions given as aligned count vectors (bins or categories), unsmoothed shares.
import { InputError } from '../domain/index.js';

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  if (total === 0) throw new InputError('a distance needs non-empty samples on both sides');
  return counts.map((c) => c / total);
}

function aligned(reference: readonly number[], current: readonly number[]): [number[], number[]] {
  if (reference.length !== current.length) throw new InputError(`distances need aligned bins (${reference.length} vs ${current.length})`);
  return [shares(reference), shares(current)];
}

/** Jensen–Shannon distance, base 2 (in [0, 1]; scipy.spatial.distance.jensenshannon(p, q, base=2)). */
export function jensenShannonDistance(reference: readonly number[], current: readonly number[]): number {
  const [p, q] = aligned(reference, current);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const mid = (p[i] + q[i]) / 2;
    if (p[i] > 0) divergence += p[i] * Math.log(p[i] / mid);
    if (q[i] > 0) divergence += q[i] * Math.log(q[i] / mid);
  }
  return Math.sqrt(Math.max(0, divergence / 2 / Math.LN2));
}

/** Hellinger distance √(1 − Σ √(p·q)) (in [0, 1]). */
export function hellingerDistance(reference: readonly number[], current: readonly number[]): number {
  const [p, q] = aligned(reference, current);
  let affinity = 0;
  for (let i = 0; i < p.length; i++) affinity += Math.sqrt(p[i] * q[i]);
  return Math.sqrt(Math.max(0, 1 - affinity));
}
