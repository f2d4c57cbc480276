// Exact two-sided two-sample KS p-value, the lattice-path counts scipy's ks_2samp uses when max(n, m) ≤ 10 000.

/** P(D_{n,n} ≥ h/n): alternating sum of binomial ratios, evaluated Horner-style to avoid cancellation. */
export function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * Share of lattice paths (0,0)→(m,n) that leave the band |x/m − y/n| < h/lcm(m,n), i.e. P(D ≥ h/lcm).
 * Hodges' inside method with Viehmann's recursion for 1 − p (arXiv:2102.08037), one sliding column.
 */
export function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < Math.min(maxj, lenA); j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) for (let t = curlen; t < Math.min(lastlen, lenA); t++) A[t] = 1;
  }
  return A[maxj - minj - 1];
}
