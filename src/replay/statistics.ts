// Per-window statistics against the reference, on bin counts (what ClickHouse push-down also returns).
// PSI follows DESIGN.md: smoothed shares (count + 0.5)/(N + 0.5·B); a missing bin only when either side has missing.
import { psiFromCounts } from '../stats/index.js';
import type { FeatureReference } from './reference.js';

/** A window's counts for one feature, aligned with its reference. */
export type FeatureCounts =
  | { kind: 'numeric'; counts: number[]; missing: number; outOfRange?: number }
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

/** PSI of aligned bins (src/stats, DESIGN.md conventions). */
export function psiOfBins({ reference, current }: AlignedBins): number {
  return psiFromCounts(reference, current);
}
