// Tie groups of two ascending samples, walked once: the shared pass of the rank-based two-sample tests.

/**
 * Calls visit(value, below, inA, inB) for each distinct value of the pooled sample, ascending: `below` pooled
 * values are smaller, `inA`/`inB` of each sample equal it. O(n + m); no sort, no allocation.
 */
export function eachTieGroup(a: ArrayLike<number>, b: ArrayLike<number>, visit: (value: number, below: number, inA: number, inB: number) => void): void {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const v = j >= m || (i < n && a[i] <= b[j]) ? a[i] : b[j];
    const i0 = i;
    const j0 = j;
    while (i < n && a[i] === v) i++;
    while (j < m && b[j] === v) j++;
    visit(v, i0 + j0, i - i0, j - j0);
  }
}
