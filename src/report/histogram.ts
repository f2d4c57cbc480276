// Display histograms: equal-width bins over the range both samples share (robust to a few extreme values), and
// category shares. These are for the eye; the statistics use the reference-decile bins of src/stats.
import { quantileSorted, sortFloat64, type ReferenceDistribution } from '../stats/index.js';
import type { CategoryBars, NumericHistogram } from './model.js';

export const DISPLAY_BINS = 30;
/** the drawn range covers the 0.5 %–99.5 % quantiles of both samples */
const TAIL = 0.005;
/** enough values to place the range; the counts use every value */
const RANGE_SAMPLE = 20_000;
export const MAX_CATEGORIES = 12;

/** Quantile function of the reference: exact sample, or linear between the baseline's quantiles at i/(Q−1). */
function referenceQuantile(distribution: ReferenceDistribution): (p: number) => number {
  if (distribution.kind === 'exact') return (p) => quantileSorted(distribution.sorted, p);
  return (p) => quantileSorted(distribution.ecdf.values, p);
}

/** Share of the reference at or below x, read off the baseline's quantiles (linear between them). */
function quantileCdf(quantiles: ArrayLike<number>, x: number): number {
  const q = quantiles.length;
  if (x < quantiles[0]) return 0;
  if (x >= quantiles[q - 1]) return 1;
  let lo = 0;
  let hi = q - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (quantiles[mid] <= x) lo = mid;
    else hi = mid;
  }
  const width = quantiles[hi] - quantiles[lo];
  return (lo + (width > 0 ? (x - quantiles[lo]) / width : 0)) / (q - 1);
}

/** Every `step`-th non-missing value, sorted: cheap quantiles for placing the range. */
function strided(values: Float64Array): Float64Array {
  const step = Math.max(1, Math.floor(values.length / RANGE_SAMPLE));
  const out: number[] = [];
  for (let i = 0; i < values.length; i += step) if (!Number.isNaN(values[i])) out.push(values[i]);
  return sortFloat64(Float64Array.from(out));
}

/** Counts per equal-width bin; values below lo or above hi are clipped into the outer bins (hi itself is in the last). */
function countInto(values: ArrayLike<number>, lo: number, width: number, bins: number): { counts: number[]; clipped: number; total: number } {
  const counts = new Array<number>(bins).fill(0);
  const hi = lo + width * bins;
  let clipped = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    total++;
    const f = foldBin(v < lo ? -1 : v > hi ? bins : Math.min(Math.floor((v - lo) / width), bins - 1), bins);
    if (f.clipped) clipped++;
    counts[f.bin]++;
  }
  return { counts, clipped, total };
}

const shares = (counts: number[], total: number): number[] => counts.map((c) => (total > 0 ? c / total : 0));

/** Equal-width edges over the 0.5 %–99.5 % range of the reference and (when known) of the current sample. */
export function displayEdges(reference: ReferenceDistribution, current: { low: number; high: number } | undefined, bins = DISPLAY_BINS): number[] {
  const refQ = referenceQuantile(reference);
  let lo = refQ(TAIL);
  let hi = refQ(1 - TAIL);
  if (current && Number.isFinite(current.low) && Number.isFinite(current.high)) {
    lo = Math.min(lo, current.low);
    hi = Math.max(hi, current.high);
  }
  if (!(hi > lo)) {
    // a constant column: one unit around the value
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
}

/** The reference's shares over display edges: exact counts, or read off the baseline's quantiles. */
function referenceShares(reference: ReferenceDistribution, edges: number[]): { shares: number[]; clipped: number; approximate: boolean } {
  const bins = edges.length - 1;
  if (reference.kind === 'exact') {
    const r = countInto(reference.sorted, edges[0], (edges[bins] - edges[0]) / bins, bins);
    return { shares: shares(r.counts, r.total), clipped: r.clipped, approximate: false };
  }
  const q = reference.ecdf.values;
  const cdf = edges.map((e, i) => (i === 0 ? 0 : i === bins ? 1 : quantileCdf(q, e)));
  const outside = quantileCdf(q, edges[0]) + (1 - quantileCdf(q, edges[bins]));
  return { shares: cdf.slice(1).map((f, i) => f - cdf[i]), clipped: outside, approximate: true };
}

/** Baseline vs current over DISPLAY_BINS equal-width bins; `current` holds NaN for missing values. */
export function numericHistogram(reference: ReferenceDistribution, current: Float64Array, bins = DISPLAY_BINS): NumericHistogram {
  const cur = strided(current);
  const edges = displayEdges(reference, cur.length > 0 ? { low: quantileSorted(cur, TAIL), high: quantileSorted(cur, 1 - TAIL) } : undefined, bins);
  const c = countInto(current, edges[0], (edges[bins] - edges[0]) / bins, bins);
  return histogramOf(reference, edges, c.counts, c.clipped);
}

/**
 * The same from current counts per display bin computed elsewhere (ClickHouse); `counts` already folds values
 * outside the edges into the outer bins, `clipped` says how many there were.
 */
export function histogramOf(reference: ReferenceDistribution, edges: number[], counts: number[], clipped: number): NumericHistogram {
  const total = counts.reduce((s, c) => s + c, 0);
  const r = referenceShares(reference, edges);
  return { kind: 'numeric', edges, reference: r.shares, current: shares(counts, total), clipped: { reference: r.clipped, current: clipped }, approximate: r.approximate };
}

/** Display bin of a raw bin number: −1 below the edges, `bins` above them, both drawn in the outer bins. */
export function foldBin(raw: number, bins: number): { bin: number; clipped: boolean } {
  if (raw < 0) return { bin: 0, clipped: true };
  if (raw >= bins) return { bin: bins - 1, clipped: true };
  return { bin: raw, clipped: false };
}

export const RANGE_TAIL = TAIL;

export const MISSING_CATEGORY = '(missing)';

/** Category shares of both sides; the MAX_CATEGORIES − 1 largest (by the larger of the two shares) shown, the rest as "other". */
export function categoryBars(reference: ReadonlyMap<string | null, number>, current: ReadonlyMap<string | null, number>, max = MAX_CATEGORIES): CategoryBars {
  const total = (m: ReadonlyMap<string | null, number>) => [...m.values()].reduce((s, c) => s + c, 0);
  const nRef = total(reference);
  const nCur = total(current);
  const keys = new Set<string | null>([...reference.keys(), ...current.keys()]);
  const rows = [...keys].map((k) => ({
    category: k === null ? MISSING_CATEGORY : k,
    reference: nRef > 0 ? (reference.get(k) ?? 0) / nRef : 0,
    current: nCur > 0 ? (current.get(k) ?? 0) / nCur : 0,
  }));
  rows.sort((a, b) => Math.max(b.reference, b.current) - Math.max(a.reference, a.current) || (a.category < b.category ? -1 : 1));
  if (rows.length > max) {
    const rest = rows.splice(max - 1);
    rows.push({
      category: `(${rest.length} other)`,
      reference: rest.reduce((s, r) => s + r.reference, 0),
      current: rest.reduce((s, r) => s + r.current, 0),
    });
  }
  return { kind: 'categorical', categories: rows.map((r) => r.category), reference: rows.map((r) => r.reference), current: rows.map((r) => r.current) };
}
