// Per-window statistics against the reference, on bin counts (what ClickHouse push-down also returns).
// PSI follows DESIGN.md: smoothed shares (count + 0.5)/(N + 0.5·B); a missing bin only when either side has missing.
// A local copy of the PSI-on-counts formula: src/stats was not committed when replay was written.
import type { FeatureReference } from './reference.js';

/** A window's counts for one feature, aligned with its reference. */
export type FeatureCounts =
  | { kind: 'numeric'; counts: number[]; missing: number }
  | { kind: 'categorical'; counts: Record<string, number>; missing: number };

export interface AlignedBins {
  reference: number[];
  current: number[];
}

export function alignBins(ref: FeatureReference, cur: FeatureCounts): AlignedBins {
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const withMissing = ref.missing > 0 || cur.missing > 0;
    return {
      reference: withMissing ? [...ref.counts, ref.missing] : [...ref.counts],
      current: withMissing ? [...cur.counts, cur.missing] : [...cur.counts],
    };
  }
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    const names = [...new Set([...Object.keys(ref.counts), ...Object.keys(cur.counts)])].sort();
    const withMissing = ref.missing > 0 || cur.missing > 0;
    return {
      reference: [...names.map((n) => ref.counts[n] ?? 0), ...(withMissing ? [ref.missing] : [])],
      current: [...names.map((n) => cur.counts[n] ?? 0), ...(withMissing ? [cur.missing] : [])],
    };
  }
  throw new RangeError(`feature kinds differ: reference ${ref.kind}, window ${cur.kind}`);
}

function total(counts: readonly number[]): number {
  return counts.reduce((a, b) => a + b, 0);
}

/** PSI = Σ (cur − ref)·ln(cur / ref) over smoothed shares. */
export function psiOfBins({ reference, current }: AlignedBins): number {
  const b = reference.length;
  const rt = total(reference) + 0.5 * b;
  const ct = total(current) + 0.5 * b;
  let psi = 0;
  for (let i = 0; i < b; i++) {
    const r = (reference[i] + 0.5) / rt;
    const c = (current[i] + 0.5) / ct;
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** Pearson χ² of the 2×B contingency table (no continuity correction); bins empty on both sides are dropped. */
export function chi2OfBins({ reference, current }: AlignedBins): { statistic: number; df: number } {
  const keep = reference.map((r, i) => r + current[i] > 0);
  const ref = reference.filter((_, i) => keep[i]);
  const cur = current.filter((_, i) => keep[i]);
  const [rt, ct] = [total(ref), total(cur)];
  const n = rt + ct;
  let statistic = 0;
  for (let i = 0; i < ref.length; i++) {
    const col = ref[i] + cur[i];
    for (const [obs, rowTotal] of [[ref[i], rt], [cur[i], ct]]) {
      const expected = (rowTotal * col) / n;
      statistic += ((obs - expected) ** 2) / expected;
    }
  }
  return { statistic, df: Math.max(1, ref.length - 1) };
}
