// Wasserstein-1 (earth mover's) distance between two ascending samples: ∫ |F_a − F_b| dx in one merge walk.
import { InputError } from '../domain/index.js';

/** Raw W1 (scipy.stats.wasserstein_distance). */
export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new InputError('Wasserstein needs two non-empty samples');
  let i = 0;
  let j = 0;
  let total = 0;
  let x = a[0] <= b[0] ? a[0] : b[0];
  while (i < n || j < m) {
    const next = j >= m || (i < n && a[i] <= b[j]) ? a[i] : b[j];
    total += Math.abs(i / n - j / m) * (next - x);
    x = next;
    while (i < n && a[i] <= x) i++;
    while (j < m && b[j] <= x) j++;
  }
  return total;
}

/** W1 scaled by the reference spread: W1 / max(σ_ref, 0.001), comparable across features. */
export function normalizedWasserstein(w1: number, referenceStd: number): number {
  return w1 / Math.max(referenceStd, 0.001);
}
