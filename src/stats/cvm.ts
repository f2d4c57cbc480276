// Two-sample Cramér–von Mises test, as scipy.stats.cramervonmises_2samp(method="auto"): midranks for ties, the
// exact p-value when both samples have ≤ 20 values, Anderson's (1962) asymptotic normalisation beyond.
import { logGamma } from './special.js';

/** scipy uses the exact distribution up to this many values in the larger sample. */
export const CVM_EXACT_MAX_N = 20;

export interface CvmResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** Σ over a run of `count` sample positions first+1 … first+count, all at pooled midrank r, of (r − position)². */
export function squaredRankGaps(rank: number, first: number, count: number): number {
  // Σ_{i=1..c} (d − i)² with d = r − first, in closed form
  const d = rank - first;
  return count * d * d - d * count * (count + 1) + (count * (count + 1) * (2 * count + 1)) / 6;
}

/** exp(−q)·K_{1/4}(q): ∫₀^∞ exp(−q(1 + cosh t))·cosh(t/4) dt by the trapezoid rule (exponentially accurate here). */
function scaledBesselK14(q: number): number {
  const h = 0.02;
  let sum = 0.5 * Math.exp(-2 * q);
  for (let t = h; ; t += h) {
    const exponent = -q * (1 + Math.cosh(t)) + t / 4;
    if (exponent < -745) break;
    sum += Math.exp(-q * (1 + Math.cosh(t))) * Math.cosh(t / 4);
  }
  return sum * h;
}

/** CDF of the limiting Cramér–von Mises distribution (Csörgő & Faraway 1996, eq. 1.2; scipy's _cdf_cvm_inf). */
export function cvmLimitCdf(x: number): number {
  let total = 0;
  for (let k = 0; k < 1000; k++) {
    const u = Math.exp(logGamma(k + 0.5) - logGamma(k + 1)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const z = u * Math.sqrt(y) * scaledBesselK14((y * y) / (16 * x));
    total += z;
    if (Math.abs(z) < 1e-7) break;
  }
  return total;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** P(U ≥ u) over all arrangements of m and n values (Xiao, Gordon & Yakovlev 2006; scipy's _pval_cvm_2samp_exact). */
function exactPValue(u: number, m: number, n: number): number {
  const lcm = (m * n) / gcd(m, n);
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = Math.floor((lcm ** 2 * (m + n) * (6 * u - mn * (4 * mn - 1))) / (6 * mn ** 2));
  // gs[v]: frequency of each accumulated value over lattice paths reaching (u, v)
  let gs: Array<Map<number, number>> = [new Map([[0, 1]]), ...Array.from({ length: m }, () => new Map<number, number>())];
  for (let i = 0; i <= n; i++) {
    const next: Array<Map<number, number>> = [];
    let tmp = new Map<number, number>();
    for (let v = 0; v <= m; v++) {
      // paths arriving from (i, v − 1) and from (i − 1, v), each then adding this point's term
      const step = (a * v - b * i) ** 2;
      const here = new Map<number, number>();
      for (const [value, f] of tmp) here.set(value + step, f);
      for (const [value, f] of gs[v]) here.set(value + step, (here.get(value + step) ?? 0) + f);
      tmp = here;
      next.push(tmp);
    }
    gs = next;
  }
  let hits = 0;
  let total = 0;
  for (const [value, f] of gs[m]) {
    total += f;
    if (value >= zeta) hits += f;
  }
  return hits / total;
}

/** The statistic T and its p-value from U (rank-tests.ts computes U in the walk it shares with Anderson–Darling). */
export function cvmFromU(u: number, nx: number, ny: number): CvmResult {
  const k = nx * ny;
  const N = nx + ny;
  const statistic = u / (k * N) - (4 * k - 1) / (6 * N);
  if (Math.max(nx, ny) <= CVM_EXACT_MAX_N) return { statistic, pValue: exactPValue(u, nx, ny), method: 'exact' };
  const et = (1 + 1 / N) / 6;
  const vt = ((N + 1) * (4 * k * N - 3 * (nx ** 2 + ny ** 2) - 2 * k)) / (45 * N ** 2 * 4 * k);
  const tn = 1 / 6 + (statistic - et) / Math.sqrt(45 * vt);
  // below 0.003 the limiting CDF is < 1.3e-18: p is 1 (as scipy)
  const pValue = tn >= 0.003 ? Math.max(0, 1 - cvmLimitCdf(tn)) : 1;
  return { statistic, pValue, method: 'asymptotic' };
}
