// Two-sample Kolmogorov–Smirnov: exact D by a merge walk of sorted samples, p-value as scipy ks_2samp(method="auto").
import { InputError } from '../domain/index.js';
import { probOutsideBand, probOutsideSquare } from './ks-exact.js';
import { kolmogorovSf } from './kolmogorov.js';

/** scipy switches from the exact to the asymptotic p-value above this sample size. */
export const KS_EXACT_MAX_N = 10_000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** sup |F_a − F_b| over two ascending samples, in one pass (ties handled like searchsorted side="right"). */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new InputError('KS needs two non-empty samples');
  let i = 0;
  let j = 0;
  let maxDiff = 0;
  let minDiff = 0;
  while (i < n && j < m) {
    const v = a[i] <= b[j] ? a[i] : b[j];
    while (i < n && a[i] <= v) i++;
    while (j < m && b[j] <= v) j++;
    const diff = i / n - j / m;
    if (diff > maxDiff) maxDiff = diff;
    else if (diff < minDiff) minDiff = diff;
  }
  return Math.max(maxDiff, -minDiff);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

// numpy.round: halves go to the even neighbour.
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Exact two-sided P(D ≥ d) for sample sizes n, m; null when the computation is not representable. */
export function ksExactPValue(d: number, n: number, m: number): { statistic: number; pValue: number } | null {
  const g = gcd(n, m);
  const lcm = (n / g) * m;
  const h = roundHalfEven(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { statistic, pValue: 1 };
  const p = n === m ? probOutsideSquare(n, h) : probOutsideBand(n, m, g, h);
  if (!(p >= 0 && p <= 1)) return null;
  return { statistic, pValue: p };
}

/** Asymptotic two-sided p-value: kstwo.sf(d, round(nm/(n+m))) as scipy does. */
export function ksAsymptoticPValue(d: number, n: number, m: number): number {
  const en = (n * m) / (n + m);
  return Math.min(1, Math.max(0, kolmogorovSf(roundHalfEven(en), d)));
}

/** p-value for a KS statistic d between samples of sizes n and m, scipy's "auto" rule. */
export function ksPValue(d: number, n: number, m: number): KsResult {
  if (Math.max(n, m) <= KS_EXACT_MAX_N) {
    const exact = ksExactPValue(d, n, m);
    if (exact) return { statistic: exact.statistic, pValue: exact.pValue, method: 'exact' };
  }
  return { statistic: d, pValue: ksAsymptoticPValue(d, n, m), method: 'asymptotic' };
}

/** Two-sample KS test on two ascending samples. */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  return ksPValue(ksStatistic(a, b), a.length, b.length);
}
