// Two-sample Anderson–Darling test, as scipy.stats.anderson_ksamp([a, b], variant="midrank"): Scholz & Stephens'
// (1987) A²akN for ties, standardised, its p-value interpolated from their table and capped to [0.001, 0.25].

export interface AndersonResult {
  /** the standardised statistic scipy reports */
  statistic: number;
  /** interpolated; 0.25 means "≥ 0.25" and 0.001 "≤ 0.001" (scipy's caps) */
  pValue: number;
}

// Scholz & Stephens' Table 2 for k − 1 = 1 degree of freedom: critical values at these significance levels.
const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const LEVELS = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
const CRITICAL = B0.map((b0, i) => b0 + B1[i] + B2[i]);

/** Least-squares parabola through (x, y) (numpy.polyfit(x, y, 2)), as [c2, c1, c0]. */
function parabola(x: readonly number[], y: readonly number[]): [number, number, number] {
  // normal equations, solved by Cramer's rule (3 × 3, well conditioned for these 7 points)
  const s = [0, 0, 0, 0, 0];
  const t = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    for (let p = 0; p < 5; p++) s[p] += x[i] ** p;
    for (let p = 0; p < 3; p++) t[p] += y[i] * x[i] ** p;
  }
  const det = (m: number[][]) => m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const a = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]];
  const d = det(a);
  const solve = (col: number) => det(a.map((row, r) => row.map((v, c) => (c === col ? t[r] : v)))) / d;
  return [solve(2), solve(1), solve(0)];
}

const FIT = parabola(CRITICAL, LEVELS.map(Math.log));

/** The standardised statistic and p-value from the two samples' sums of Scholz & Stephens' A²akN (rank-tests.ts shares the walk). */
export function andersonFromSums(sumA: number, sumB: number, na: number, nb: number): AndersonResult {
  const n = [na, nb];
  const N = na + nb;
  const a2kn = ((sumA / na + sumB / nb) * (N - 1)) / N;
  // variance of A²kN under H0 (Scholz & Stephens eq. 4), k = 2
  const k = 2;
  const H = 1 / n[0] + 1 / n[1];
  let cumulative = 0;
  let g = 0;
  for (let i = N - 1, j = 2; i >= 2; i--, j++) {
    cumulative += 1 / i;
    g += cumulative / j;
  }
  const h = cumulative + 1;
  const ca = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const cb = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const cc = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const cd = (2 * h + 6) * k ** 2 - 4 * h * k;
  const variance = (ca * N ** 3 + cb * N ** 2 + cc * N + cd) / ((N - 1) * (N - 2) * (N - 3));
  const statistic = (a2kn - (k - 1)) / Math.sqrt(variance);
  let pValue: number;
  if (statistic < Math.min(...CRITICAL)) pValue = Math.max(...LEVELS);
  else if (statistic > Math.max(...CRITICAL)) pValue = Math.min(...LEVELS);
  else pValue = Math.exp((FIT[0] * statistic + FIT[1]) * statistic + FIT[2]);
  return { statistic, pValue };
}
