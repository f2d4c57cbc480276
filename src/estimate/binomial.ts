// Binomial draws for the estimate's parametric bootstrap: exact for small counts, normal approximation for large.
import type { SeededRandom } from '../stats/index.js';

/** Number of successes in n trials of probability p. */
export function binomial(rng: SeededRandom, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const q = Math.min(p, 1 - p);
  let k: number;
  if (n <= 40) {
    k = 0;
    for (let i = 0; i < n; i++) if (rng.next() < q) k++;
  } else if (n * q < 12) {
    // waiting times: geometric gaps between successes, O(n·q) draws
    const logQ = Math.log1p(-q);
    k = -1;
    for (let at = 0; at <= n; k++) at += 1 + Math.floor(Math.log(1 - rng.next()) / logQ);
  } else {
    k = Math.min(n, Math.max(0, Math.round(rng.normal(n * q, Math.sqrt(n * q * (1 - q))))));
  }
  return q === p ? k : n - k;
}
