// Log densities of the central and noncentral χ² distributions, the model of PSI under H0 and H1 (REFERENCE.md §7).

import { logGamma } from '../stats/special.js';

export { logGamma };

/** ln of the χ²(df) density at x > 0. */
export function chi2LogPdf(x: number, df: number): number {
  if (x <= 0) return df === 2 ? -Math.log(2) : df < 2 ? Infinity : -Infinity;
  const k = df / 2;
  return (k - 1) * Math.log(x) - x / 2 - k * Math.log(2) - logGamma(k);
}

/**
 * ln of the noncentral χ²(df, nc) density at x, as the Poisson(nc/2) mixture of central χ²(df + 2j).
 * The sum starts at the mixture's mode (j ≈ √(nc·x)/2) and walks both ways until terms are e^-40 of the largest.
 */
export function noncentralChi2LogPdf(x: number, df: number, nc: number): number {
  if (nc <= 0) return chi2LogPdf(x, df);
  if (x <= 0) return chi2LogPdf(x, df) - nc / 2;
  const half = nc / 2;
  const logHalf = Math.log(half);
  const term = (j: number): number => -half + j * logHalf - logGamma(j + 1) + chi2LogPdf(x, df + 2 * j);
  const start = Math.max(0, Math.floor(Math.sqrt(nc * x) / 2));
  const peak = term(start);
  let sum = 1; // Σ exp(term − peak)
  for (let j = start + 1; ; j++) {
    const r = term(j) - peak;
    sum += Math.exp(r);
    if (r < -40 && j > start + 5) break;
  }
  for (let j = start - 1; j >= 0; j--) {
    const r = term(j) - peak;
    sum += Math.exp(r);
    if (r < -40) break;
  }
  return peak + Math.log(sum);
}
