// Distribution of the one-sample Kolmogorov statistic D_n (scipy.stats.kstwo), used for the asymptotic KS p-value.
// Port of scipy's _ksstats.py dispatch (Simard & L'Ecuyer 2011): Ruben–Gambino ends, Durbin matrix (Marsaglia–Tsang–Wang),
// Pelz–Good, and 2·Smirnov for the upper tail. Where scipy uses Pomeranz (n ≤ 140) we use the Durbin matrix: both are exact.
import { logGamma } from './special.js';

const SCALE_EXP = 128;
const SCALE = 2 ** SCALE_EXP;
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SQRT2PI = Math.sqrt(2 * Math.PI);
// B_2j / (2j(2j − 1)) for j = 8 … 1
const STIRLING = [-3617 / 122400, 1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12];

const clip = (p: number): number => Math.min(1, Math.max(0, p));

// ln(n! / n^n) by Stirling with the n·ln n term removed up front.
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/** Above this n scipy (and we) use the asymptotic form of the one-sided Smirnov tail instead of the exact sum. */
const SMIRNOV_EXACT_MAX_N = 1_000_000;
/** Below this n the Birnbaum–Tingey sum is added term by term; above, from every h-th term (see smirnovSf). */
const SMIRNOV_STRIDE_MIN_N = 4096;
const SMIRNOV_STRIDE_TOLERANCE = 1e-13;
const LOG_2PI = Math.log(2 * Math.PI);

// ln k! − (k ln k − k + ½ ln 2πk): Stirling's series from k = 10 (error < 1e-16), ln Γ below.
function stirlingCorrection(k: number): number {
  if (k < 10) return logGamma(k + 1) - (k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k));
  const rk = 1 / k;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rk * rk) + c;
  return rk * poly;
}

/**
 * One term C(n, j)·(1 − x − j/n)^(n−j)·(x + j/n)^(j−1) of the Birnbaum–Tingey sum, in logs with the n·ln n parts of
 * ln C(n, j) cancelled against the powers by hand, so no large logarithms are subtracted (the term is then accurate
 * to ~1e-14 even at n = 10⁶, where ln n! ≈ 1.3·10⁷).
 */
function smirnovTerm(n: number, x: number, j: number): number {
  const nx = n * x;
  const b = x + j / n;
  if (j === 0) return Math.exp(n * Math.log1p(-x) - Math.log(x));
  const rest = n - j;
  const log =
    0.5 * (Math.log(n / (j * rest)) - LOG_2PI) + stirlingCorrection(n) - stirlingCorrection(j) - stirlingCorrection(rest) +
    rest * Math.log1p(-nx / rest) + j * Math.log1p(nx / j) - Math.log(b);
  return Math.exp(log);
}

// Σ smirnovTerm(j) over j = first, first + step, … ≤ last.
function strideSum(n: number, x: number, first: number, step: number, last: number): number {
  let sum = 0;
  for (let j = first; j <= last; j += step) sum += smirnovTerm(n, x, j);
  return sum;
}

/**
 * One-sided Smirnov survival P(D_n⁺ ≥ x) = x·Σⱼ C(n, j)(1 − x − j/n)^(n−j)(x + j/n)^(j−1), as scipy.special.smirnov:
 * the exact sum up to n = 10⁶, an asymptotic form above.
 *
 * The sum has ~n(1 − x) terms and they are not small in the tails (most lie within e⁻⁴⁰ of the largest), so adding
 * them all costs O(n): 8 ms at n = 10⁵, once per feature and segment in every window. The terms are a smooth,
 * bell-shaped function of j whose width grows with n, so from n = 4096 the sum is taken as h·Σ over every h-th
 * term (the trapezoidal rule, exponentially accurate for such functions), h halved until two steps agree to 1e-13;
 * at h = 1 it is the exact sum, so a sum that does not settle costs at most twice the plain one.
 */
export function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  if (n > SMIRNOV_EXACT_MAX_N) return clip(Math.exp(-2 * n * x * x - (2 * x) / 3) * (1 - 1 / (18 * n)));
  let last = Math.floor(n * (1 - x) + 1e-12);
  while (last >= 0 && 1 - x - last / n <= 0) last--; // the terms need 1 − x − j/n > 0
  if (last < 0) return 0;
  let step = 1;
  while (step * 512 <= n) step *= 2;
  if (n < SMIRNOV_STRIDE_MIN_N) step = 1;
  let samples = strideSum(n, x, 0, step, last);
  let estimate = step * samples;
  for (let halvings = 0; step > 1; halvings++) {
    const half = step / 2;
    samples += strideSum(n, x, half, step, last);
    const finer = half * samples;
    step = half;
    // two halvings at least, so a coarse first step that straddles the bell cannot agree with itself by chance
    const settled = halvings >= 1 && Math.abs(finer - estimate) <= SMIRNOV_STRIDE_TOLERANCE * finer;
    estimate = finer;
    if (settled) break;
  }
  return clip(x * estimate);
}

type Matrix = Float64Array[];

function multiply(a: Matrix, b: Matrix): Matrix {
  const m = a.length;
  const out: Matrix = Array.from({ length: m }, () => new Float64Array(m));
  for (let i = 0; i < m; i++) {
    const row = out[i];
    const ai = a[i];
    for (let k = 0; k < m; k++) {
      const aik = ai[k];
      if (aik === 0) continue;
      const bk = b[k];
      for (let j = 0; j < m; j++) row[j] += aik * bk[j];
    }
  }
  return out;
}

/** P(D_n ≤ d) by the Durbin matrix method (Marsaglia, Tsang & Wang 2003); cost O(m³ log n), m = 2⌈nd⌉ − 1. */
export function kolmogorovCdfDurbin(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  let H: Matrix = Array.from({ length: m }, () => new Float64Array(m));
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r][i] = w[r - i + 1];
  for (let r = 0; r < m; r++) H[r][0] = v[r];
  for (let c = 0; c < m; c++) H[m - 1][c] = v[m - 1 - c];

  let power: Matrix = Array.from({ length: m }, (_, i) => {
    const row = new Float64Array(m);
    row[i] = 1;
    return row;
  });
  let exponent = 0;
  let hExponent = 0;
  for (let nn = n; nn > 0; nn = Math.floor(nn / 2)) {
    if (nn % 2) {
      power = multiply(power, H);
      exponent += hExponent;
    }
    H = multiply(H, H);
    hExponent *= 2;
    if (Math.abs(H[k - 1][k - 1]) > SCALE) {
      for (const row of H) for (let c = 0; c < m; c++) row[c] /= SCALE;
      hExponent += SCALE_EXP;
    }
  }
  let p = power[k - 1][k - 1];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < 1 / SCALE) {
      p *= SCALE;
      exponent -= SCALE_EXP;
    }
  }
  return clip(p * 2 ** exponent);
}

/** Pelz–Good asymptotic expansion of P(D_n ≤ x). */
export function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qpower = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qpower + coeffs[i];
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT2PI) / divisors[i];
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qk = q ** k2;
    k2extra += k2 * qk;
    k3extra += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * k2 * qk;
  }
  K[2] += (k2extra * PI2 * SQRT2PI) / (-36 * z ** 3);
  K[3] += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  let total = 0;
  for (let i = 0; i < 4; i++) total += K[i] / n ** (i / 2);
  return total;
}

/** P(D_n > x) for the two-sided one-sample statistic (scipy.stats.kstwo.sf). */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    const cdf =
      n <= 140
        ? Array.from({ length: n }, (_, i) => ((i + 1) / n) * (2 * t - 1)).reduce((a, b) => a * b, 1)
        : Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 4) return clip(1 - kolmogorovCdfDurbin(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  const pelzGood = kolmogorovCdfPelzGood(n, x);
  // scipy would run the O(m³ log n) Durbin matrix here; when the CDF is below 1e-10 both agree with sf = 1 to 1e-10
  if (n <= 100_000 && n * x ** 1.5 <= 1.4 && pelzGood > 1e-10) return clip(1 - kolmogorovCdfDurbin(n, x));
  return clip(1 - pelzGood);
}
