// What a window is measured against, derived from a baseline profile: per numeric feature the PSI deciles and a
// fine grid for the KS CDF, with the baseline's counts in its slots; per categorical feature its category counts.
// ClickHouse counts the window into exactly these slots (sql.ts) with the arithmetic of `slotOf`.
//
// Why a grid: on ClickHouse 18.16 every SQL operation costs a pass over the window's column, so the slot of a value
// must take few operations. A uniform grid (power-of-two cell width, so origin and scale print exactly) gives the
// cell in five; a decile edge that falls inside a cell splits it by one comparison with that edge, looked up by cell
// (transform). The slots therefore refine the deciles exactly (PSI is exact) and the KS CDF is known at every cell
// boundary and every decile edge.
import { segmentBaseline, type BaselineProfile, type CategoricalProfile, type FeatureProfile, type NumericProfile } from '../baseline/index.js';
import { binIndex } from '../replay/index.js';
import { discreteValues, distanceBins, quantileSorted, type DistanceBins } from '../stats/index.js';

/** Target grid cells per numeric feature (a power-of-two width gives 256–512); more only to separate close edges. */
export const GRID_CELLS = 256;
/** The grid is refined up to this many cells while two distinct decile edges share a cell. */
export const MAX_GRID_CELLS = 8192;
/**
 * Split levels (comparisons per value) all numeric features together may have with the segments' splits: the
 * numeric query's length grows with them (ClickHouse refuses queries over 256 KiB). 20 features × 12 levels fit.
 */
export const SEGMENT_LEVEL_BUDGET = 240;
/** Feature name of the prediction-drift stream. */
export const PREDICTION_FEATURE = '__prediction__';

/** cell(x) = trunc(clamp((x − origin) · scale, 0, cells − 1)); values beyond the grid fall in its end cells. */
export interface Grid {
  origin: number;
  scale: number;
  cells: number;
}

export interface NumericPlan {
  kind: 'numeric';
  name: string;
  /** where values come from: a feature in num_names, or the prediction column */
  source: 'feature' | 'prediction';
  /** PSI edges (the baseline's deciles) */
  edges: number[];
  grid: Grid;
  /** cells holding a decile edge, ascending, and per split level i the i-th distinct edge value in each of them */
  splitCells: number[];
  thresholds: number[][];
  /** PSI bin of each slot; a cell has thresholds.length + 1 slots */
  slotBin: number[];
  /**
   * JS/Hellinger bins (stats/distance-bins.ts: the deciles plus the baseline's [min, max], or one per value when few)
   * with the baseline's counts, and the bin of each slot: the slots refine these bins too. Their first and last
   * bins lie outside [min, max], so they also count the out-of-range values.
   */
  distance?: DistanceBins;
  slotDistance?: number[];
  reference: {
    psi: number[];
    missing: number;
    /** baseline counts per slot */
    fine: number[];
    /** extra KS error from a baseline kept as quantiles (0 when it kept the exact sample) */
    ksError: number;
  };
}

export interface CategoricalPlan {
  kind: 'categorical';
  name: string;
  source: 'feature' | 'prediction';
  reference: { counts: Record<string, number>; missing: number };
}

export type FeaturePlan = NumericPlan | CategoricalPlan;

export interface WindowPlan {
  model: string;
  baselineVersion: string;
  baselineRows: number;
  numeric: NumericPlan[];
  categorical: CategoricalPlan[];
}

/** The grid cell of x: the same IEEE operations, in the same order, as the SQL (no fused multiply-add there either). */
export function gridCell(g: Grid, x: number): number {
  return Math.trunc(Math.min(Math.max((x - g.origin) * g.scale, 0), g.cells - 1));
}

/** Slots per grid cell: one more than the most distinct edges any cell holds. */
export function slotsPerCell(p: Pick<NumericPlan, 'thresholds'>): number {
  return p.thresholds.length + 1;
}

/** Slot of x: its cell, then how many of that cell's edges are ≤ x. Same arithmetic as the SQL. */
export function slotOf(p: Pick<NumericPlan, 'grid' | 'splitCells' | 'thresholds'>, x: number): number {
  const cell = gridCell(p.grid, x);
  let slot = cell * (p.thresholds.length + 1);
  const j = splitIndex(p.splitCells, cell);
  if (j >= 0) for (const level of p.thresholds) if (x >= level[j]) slot++;
  return slot;
}

/** Index of `cell` among the split cells, −1 when it holds no edge. */
function splitIndex(splitCells: readonly number[], cell: number): number {
  const j = binIndex(splitCells, cell) - 1;
  return j >= 0 && splitCells[j] === cell ? j : -1;
}

/** A grid of about `target` power-of-two-wide cells over [low, high]; one cell when the range is empty or not finite. */
function gridOver(low: number, high: number, target: number): Grid {
  const width = 2 ** Math.floor(Math.log2((high - low) / target));
  if (!(high > low) || !Number.isFinite(width) || !Number.isFinite(1 / width) || !Number.isFinite(low)) return { origin: Number.isFinite(low) ? low : 0, scale: 1, cells: 1 };
  const origin = Math.floor(low / width) * width;
  return { origin, scale: 1 / width, cells: Math.max(1, Math.ceil((high - origin) / width)) };
}

/** The most distinct edges any one cell holds. */
function mostPerCell(byCell: ReadonlyMap<number, number[]>): number {
  return Math.max(0, ...[...byCell.values()].map((l) => l.length));
}

/** Distinct edge values per cell, ascending. */
function edgesByCell(grid: Grid, edges: readonly number[]): Map<number, number[]> {
  const cells = new Map<number, number[]>();
  for (const e of edges) {
    const c = gridCell(grid, e);
    const list = cells.get(c) ?? [];
    if (list[list.length - 1] !== e) list.push(e);
    cells.set(c, list);
  }
  return cells;
}

/** Per slot, its bin among `bounds` (ascending, each one a split of some cell): the bounds of lower cells, or all up to the slot's lower split. */
function slotBins(grid: Grid, byCell: ReadonlyMap<number, number[]>, levels: number, bounds: readonly number[]): number[] {
  const boundCells = bounds.map((e) => gridCell(grid, e)); // ascending: bounds are, and gridCell is monotone
  const out: number[] = [];
  for (let c = 0; c < grid.cells; c++) {
    const distinct = byCell.get(c) ?? [];
    for (let s = 0; s <= levels; s++) {
      const upTo = distinct[Math.min(s, distinct.length) - 1];
      out.push(upTo === undefined ? binIndex(boundCells, c - 1) : binIndex(bounds, upTo));
    }
  }
  return out;
}

/** F(x) of a baseline kept as quantiles q_i at i/(Q−1), linear between them. */
function quantileCdf(q: readonly number[], x: number): number {
  if (x < q[0]) return 0;
  if (x >= q[q.length - 1]) return 1;
  let lo = 0;
  let hi = q.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (q[mid] <= x) lo = mid;
    else hi = mid;
  }
  const width = q[hi] - q[lo];
  return (lo + (width > 0 ? (x - q[lo]) / width : 0)) / (q.length - 1);
}

/** The distance bins of a numeric profile (or none without data quality). */
function distanceOf(f: NumericProfile, dataQuality: boolean): DistanceBins | undefined {
  return dataQuality ? distanceBins({ min: f.min, max: f.max, edges: f.psi.edges, counts: f.psi.counts, discrete: f.discrete ?? exactDiscrete(f) }) : undefined;
}

/**
 * `segments`: the same feature's profiles in the baseline's segments (baseline/segments.ts). Their edges and distance
 * bounds split the grid's cells too, so that each segment's counts add up exactly to its own bins (segmentPlan).
 */
function numericPlan(name: string, f: NumericProfile, source: NumericPlan['source'], dataQuality: boolean, segments: readonly NumericProfile[] = [], maxLevels = Infinity, cells = GRID_CELLS, segmentSplits = true): NumericPlan {
  const edges = [...f.psi.edges];
  // The grid spans the 1st–99th percentile (and the edges, the segments' too), not the extremes, so one far outlier
  // in the baseline cannot squeeze the whole distribution into a few cells.
  const dist = f.distribution.values;
  const tail = (q: number) => (f.distribution.kind === 'exact' ? quantileSorted(dist, q) : dist[Math.round(q * (dist.length - 1))]);
  const robustLow = Math.min(tail(0.01), edges[0] ?? f.min);
  const robustHigh = Math.max(tail(0.99), edges[edges.length - 1] ?? f.max);
  // and the segments' edges (their range is the model's: baseline/segments.ts segmentBaseline)
  const segmentBounds = segments.flatMap((s) => s.psi.edges);
  const low = Math.min(robustLow, ...segmentBounds);
  const high = Math.max(robustHigh, ...segmentBounds);
  let grid = gridOver(low, high, cells);
  let byCell = edgesByCell(grid, edges);
  for (let target = cells * 2; mostPerCell(byCell) > 1 && target <= MAX_GRID_CELLS; target *= 2) {
    const finer = gridOver(low, high, target);
    if (finer.cells > MAX_GRID_CELLS) break;
    grid = finer;
    byCell = edgesByCell(grid, edges);
  }
  // The distance bins' bounds split cells too (min and max fall in the clamped end cells, so they never refine the grid).
  const own = [...edges, ...(distanceOf(f, dataQuality)?.splits ?? [])];
  const withSegments = (range: 'own' | 'model') => [...own, ...segments.flatMap((s) => {
    const view = range === 'own' ? s : withRangeOf(s, f);
    return [...view.psi.edges, ...(distanceOf(view, dataQuality)?.splits ?? [])];
  })];
  // The segments' splits crowd the model's cells: each level costs every value one comparison, each finer cell result
  // rows (measured on ClickHouse 26: refining 394 → 1570 cells returned 4× the rows and took longer than 11 levels).
  // Past maxLevels the segments' own range ends go first (all in the end cells: 11 segments there take 11 levels; their
  // out-of-range share then counts against the model's range), then all their splits (compared with the model: segmentPlan).
  for (const splits of segmentSplits ? [withSegments('own'), withSegments('model'), own] : [own]) {
    byCell = edgesByCell(grid, [...new Set(splits)].sort((a, b) => a - b));
    if (mostPerCell(byCell) <= maxLevels) break;
  }
  const splitCells = [...byCell.keys()].sort((a, b) => a - b);
  const levels = mostPerCell(byCell);
  const thresholds = Array.from({ length: levels }, (_, i) => splitCells.map((c) => byCell.get(c)![i] ?? Infinity));
  return onGrid({ name, source, grid, splitCells, thresholds }, f, dataQuality);
}

type SlotGrid = Pick<NumericPlan, 'name' | 'source' | 'grid' | 'splitCells' | 'thresholds'>;

/** The profile `f` binned on an existing slot grid, whose splits include f's edges and distance bounds. */
function onGrid(g: SlotGrid, f: NumericProfile, dataQuality: boolean): NumericPlan {
  const { grid, splitCells, thresholds } = g;
  const byCell = new Map(splitCells.map((c, j) => [c, thresholds.map((l) => l[j]).filter((x) => x !== Infinity)]));
  const levels = thresholds.length;
  const edges = [...f.psi.edges];
  const distance = distanceOf(f, dataQuality);
  // PSI bin of slot (cell, s): the edges of lower cells, or all edges up to the cell's s-th distinct split.
  const slotBin = slotBins(grid, byCell, levels, edges);
  const plan: NumericPlan = {
    kind: 'numeric', name: g.name, source: g.source, edges, grid, splitCells, thresholds, slotBin,
    ...(distance ? { distance, slotDistance: slotBins(grid, byCell, levels, distance.splits) } : {}),
    reference: { psi: [...f.psi.counts], missing: f.missing, fine: [], ksError: 0 },
  };
  const fine = new Array<number>(slotBin.length).fill(0);
  if (f.distribution.kind === 'exact') {
    for (const x of f.distribution.values) fine[slotOf(plan, x)] += 1;
  } else {
    spreadByQuantiles(plan, f.distribution.values, fine);
    plan.reference.ksError = f.distribution.ks_bound;
  }
  plan.reference.fine = fine;
  return plan;
}

/** Upper end of slot (cell, s): its cell's next edge, else the cell's end (+∞ for the last cell). */
function slotUpper(p: NumericPlan, slot: number): number {
  const per = slotsPerCell(p);
  const cell = Math.floor(slot / per);
  const s = slot % per;
  const j = splitIndex(p.splitCells, cell);
  if (j >= 0 && s < p.thresholds.length && p.thresholds[s][j] !== Infinity) return p.thresholds[s][j];
  return cell === p.grid.cells - 1 ? Infinity : p.grid.origin + (cell + 1) / p.grid.scale;
}

/**
 * A baseline kept as quantiles: each PSI bin's exact count is spread over its slots by the quantile CDF, rounding
 * cumulatively so bin totals stay exact.
 */
function spreadByQuantiles(p: NumericPlan, q: readonly number[], fine: number[]): void {
  const cdf = (x: number) => (x === Infinity ? 1 : quantileCdf(q, x));
  let first = 0;
  for (let d = 0; d <= p.edges.length; d++) {
    let last = first;
    while (last < p.slotBin.length && p.slotBin[last] === d) last++;
    if (last === first) continue;
    const from = d === 0 ? 0 : cdf(p.edges[d - 1]);
    const mass = cdf(d === p.edges.length ? Infinity : p.edges[d]) - from;
    let placed = 0;
    for (let slot = first; slot < last; slot++) {
      const share = mass > 0 ? Math.min(1, Math.max(0, (cdf(slotUpper(p, slot)) - from) / mass)) : slot === last - 1 ? 1 : 0;
      const upTo = slot === last - 1 ? p.reference.psi[d] : Math.round(share * p.reference.psi[d]);
      fine[slot] = Math.max(0, upTo - placed);
      placed = Math.max(placed, upTo);
    }
    first = last;
  }
}

/** A segment's numeric profile with the range of `model` (the whole model's profile of the feature). */
function withRangeOf(f: NumericProfile, model: Pick<NumericProfile, 'min' | 'max'>): NumericProfile {
  return { ...f, min: model.min, max: model.max };
}

/** Few distinct values of an exact baseline sample written before profiles kept them (`discrete`). */
function exactDiscrete(f: NumericProfile): NumericProfile['discrete'] {
  return f.distribution.kind === 'exact' ? discreteValues(f.distribution.values) : undefined;
}

function featurePlan(name: string, f: FeatureProfile, source: FeaturePlan['source'], dataQuality: boolean, segments: readonly FeatureProfile[], maxLevels: number, cells: number, segmentSplits: boolean): FeaturePlan {
  return f.kind === 'numeric'
    ? numericPlan(name, f, source, dataQuality, segments.filter((s): s is NumericProfile => s.kind === 'numeric'), maxLevels, cells, segmentSplits)
    : categoricalPlan(name, f, source);
}

function categoricalPlan(name: string, f: CategoricalProfile, source: FeaturePlan['source']): CategoricalPlan {
  return { kind: 'categorical', name, source, reference: { counts: { ...f.frequencies }, missing: f.missing } };
}

/** Every segment profile of a feature (of the prediction: `PREDICTION_FEATURE`) in the baseline. */
function segmentProfilesOf(profile: BaselineProfile, name: string): FeatureProfile[] {
  // as segmentPlan sees them (segmentBaseline)
  return Object.entries(profile.segments ?? {}).flatMap(([feature, c]) => Object.keys(c.values).map((value) => segmentBaseline(profile, feature, value)!))
    .map((s) => (name === PREDICTION_FEATURE ? s.prediction : s.features[name]))
    .filter((f): f is FeatureProfile => f !== null && f !== undefined);
}

/**
 * Every feature of the baseline plus the prediction (when the baseline profiled it). `dataQuality: false` leaves out
 * the distance bins (JS on the PSI bins, no out-of-range share): the plan before issue 16, which bench:evaluate measures
 * against. `gridCells`: the grid's target cells (GRID_CELLS; segmentedPlan takes fewer). `segmentSplits: false`: the
 * segments' profiles widen the grid's range but do not split its cells (segmentCellPlans splits them per segment). Plans are kept per profile:
 * binning the baseline's sample into the slots is a pass over it.
 */
export function planFromBaseline(profile: BaselineProfile, options: { dataQuality?: boolean; gridCells?: number; segmentSplits?: boolean } = {}): WindowPlan {
  const quality = options.dataQuality ?? true;
  const cells = options.gridCells ?? GRID_CELLS;
  const segmentSplits = options.segmentSplits ?? true;
  let byOptions = plans.get(profile);
  if (!byOptions) plans.set(profile, (byOptions = new Map()));
  const key = `${quality}/${cells}/${segmentSplits}`;
  let plan = byOptions.get(key);
  if (!plan) byOptions.set(key, (plan = Object.freeze(buildPlan(profile, quality, cells, segmentSplits))));
  return plan;
}

const plans = new WeakMap<BaselineProfile, Map<string, WindowPlan>>();

function buildPlan(profile: BaselineProfile, quality: boolean, cells: number, segmentSplits: boolean): WindowPlan {
  const numeric = Object.values(profile.features).filter((f) => f.kind === 'numeric').length + (profile.prediction?.kind === 'numeric' ? 1 : 0);
  const maxLevels = Math.max(2, Math.floor(SEGMENT_LEVEL_BUDGET / Math.max(1, numeric)));
  const features = Object.entries(profile.features).map(([name, f]) => featurePlan(name, f, 'feature', quality, segmentProfilesOf(profile, name), maxLevels, cells, segmentSplits));
  if (profile.prediction) features.push(featurePlan(PREDICTION_FEATURE, profile.prediction, 'prediction', quality, segmentProfilesOf(profile, PREDICTION_FEATURE), maxLevels, cells, segmentSplits));
  return {
    model: profile.model,
    baselineVersion: profile.version,
    baselineRows: profile.rows,
    numeric: features.filter((p): p is NumericPlan => p.kind === 'numeric'),
    categorical: features.filter((p): p is CategoricalPlan => p.kind === 'categorical'),
  };
}

/** Keys one flat table holds: ClickHouse counts UInt16 keys in an array, about twice as fast as hashing wider ones. */
export const FLAT_KEYS = 65_536;
/** The coarsest grid a segmented window takes to fit its segments into the flat table (cells 32–64 per feature). */
export const MIN_SEGMENT_GRID_CELLS = 32;

/**
 * The plan of a window split into `segments` segments: every segment's slots must fit one flat table (FLAT_KEYS)
 * beside the others, so the grid gets fewer cells (halved from GRID_CELLS down to MIN_SEGMENT_GRID_CELLS) until
 * `segments × keys` fits. The splits stay, so PSI and the distance bins stay exact; the KS bound widens with the
 * cells. When even the coarsest grid does not fit (many features, or segments' own profiles with many split levels),
 * the full grid, whose keys ClickHouse then hashes. `keys`: a plan's key space (sql.ts keySpace; kept there).
 */
export function segmentedPlan(profile: BaselineProfile, segments: number, keys: (plan: WindowPlan) => number, options: { dataQuality?: boolean } = {}): WindowPlan {
  for (let cells = GRID_CELLS; cells >= MIN_SEGMENT_GRID_CELLS; cells /= 2) {
    const plan = planFromBaseline(profile, { ...options, gridCells: cells });
    if (segments * keys(plan) <= FLAT_KEYS) return plan;
  }
  return planFromBaseline(profile, options);
}

/**
 * The plan of one segment: the window plan's slot grid (planFromBaseline put the segment's splits on it) with the
 * segment's own bins and reference counts (`segment`: segmentBaseline's profile). A feature whose own range ends the
 * grid could not take (SEGMENT_LEVEL_BUDGET) gets the range of `model` (the whole model's profile; listed in
 * `modelRange`); one the segment profiles with another kind than the model (never written by baseline build), or
 * whose splits the grid could not take at all, keeps the model's plan.
 */
export function segmentPlan(plan: WindowPlan, segment: BaselineProfile, options: { dataQuality?: boolean; model?: BaselineProfile } = {}): WindowPlan & { modelRange: string[] } {
  const quality = options.dataQuality ?? true;
  const own = (name: string) => profileOf(segment, name);
  const modelOf = (name: string) => (options.model ? profileOf(options.model, name) : undefined);
  const modelRange: string[] = [];
  return {
    ...plan,
    baselineRows: segment.rows,
    numeric: plan.numeric.map((p) => {
      const f = own(p.name);
      if (f?.kind !== 'numeric') return p;
      if (onSplits(p, f, quality)) return onGrid(p, f, quality);
      const m = modelOf(p.name);
      if (m?.kind !== 'numeric' || !onSplits(p, withRangeOf(f, m), quality)) return p;
      modelRange.push(p.name);
      return onGrid(p, withRangeOf(f, m), quality);
    }),
    categorical: plan.categorical.map((p) => {
      const f = own(p.name);
      return f?.kind === 'categorical' ? categoricalPlan(p.name, f, p.source) : p;
    }),
    modelRange,
  };
}

/** Whether every bound of `f`'s bins is a split of the plan's grid (else its counts would not add up to them). */
function onSplits(p: NumericPlan, f: NumericProfile, dataQuality: boolean): boolean {
  const splits = new Set(p.thresholds.flat());
  return [...f.psi.edges, ...(distanceOf(f, dataQuality)?.splits ?? [])].every((x) => splits.has(x));
}

/** Splits one (segment, cell) may add to the model's; past them a segment's feature takes the model's range ends, then the model's plan. */
export const SEGMENT_CELL_LEVELS = 6;

/** One extra split level of a feature: lookup keys seg · cells + cell and, for each, that segment's split there (sql.ts). */
export interface CellSplits {
  keys: number[];
  thresholds: number[];
}

/**
 * A window whose segments have their own profiles, each on its own splits: a value is compared with the model's
 * splits in its cell, then with its segment's own splits there (looked up by segment and cell), so it takes a few
 * comparisons instead of one per segment's split in the cell (segmentPlan's shared grid: 11 segments' range ends in
 * one end cell take 11). Every plan has the same slots per cell (the most any segment needs), so one key layout
 * holds them all; a segment's slot lies inside one of the model's (its splits include the model's), which is how the
 * whole window's counts come back (segment-reference.ts).
 */
export interface SegmentCellPlans {
  /** the whole model's plan, padded to the segments' slots per cell */
  plan: WindowPlan;
  /** per segment id: its plan on those slots, or null (compared with the model's: `plan`) */
  segments: Array<(WindowPlan & { modelRange: string[]; modelFeatures: string[] }) | null>;
  /** per numeric feature, per extra level: the segments' splits beyond the model's */
  extra: CellSplits[][];
}

function profileOf(profile: BaselineProfile, name: string): FeatureProfile | undefined {
  return (name === PREDICTION_FEATURE ? profile.prediction : profile.features[name]) ?? undefined;
}

// f's splits (edges, distance bounds) per cell that the model plan p does not have, ascending; null when a cell would take more than SEGMENT_CELL_LEVELS
function extraSplits(p: NumericPlan, f: NumericProfile, dataQuality: boolean): Map<number, number[]> | null {
  const model = new Set(p.thresholds.flat());
  const own = [...new Set([...f.psi.edges, ...(distanceOf(f, dataQuality)?.splits ?? [])])].filter((x) => !model.has(x)).sort((a, b) => a - b);
  const byCell = edgesByCell(p.grid, own);
  return mostPerCell(byCell) <= SEGMENT_CELL_LEVELS ? byCell : null;
}

// p's splits with `extra` added, as a slot grid of `levels` levels
function withSplits(p: NumericPlan, extra: ReadonlyMap<number, number[]>, levels: number): SlotGrid {
  const byCell = new Map(p.splitCells.map((c, j) => [c, p.thresholds.map((l) => l[j]).filter((x) => x !== Infinity)]));
  for (const [c, xs] of extra) byCell.set(c, [...(byCell.get(c) ?? []), ...xs].sort((a, b) => a - b));
  const splitCells = [...byCell.keys()].sort((a, b) => a - b);
  const thresholds = Array.from({ length: levels }, (_, i) => splitCells.map((c) => byCell.get(c)![i] ?? Infinity));
  return { name: p.name, source: p.source, grid: p.grid, splitCells, thresholds };
}

/**
 * `model`: the window's plan without the segments' splits (planFromBaseline segmentSplits: false) of `profile`;
 * `own`: per segment id, the segment's own profile (segmentBaseline), or null to compare it with the model's.
 */
export function segmentCellPlans(model: WindowPlan, profile: BaselineProfile, own: ReadonlyArray<{ profile: BaselineProfile; profiled: (name: string) => boolean } | null>, dataQuality = true): SegmentCellPlans {
  type Own = { f: NumericProfile; extra: Map<number, number[]>; range: 'own' | 'model' } | null;
  const perSegment: Own[][] = own.map((o) => model.numeric.map((p) => {
    const f = o ? profileOf(o.profile, p.name) : undefined;
    if (f?.kind !== 'numeric') return null;
    const extra = extraSplits(p, f, dataQuality);
    if (extra) return { f, extra, range: 'own' as const };
    const m = profileOf(profile, p.name);
    const ranged = m?.kind === 'numeric' ? withRangeOf(f, m) : null;
    const extraRanged = ranged ? extraSplits(p, ranged, dataQuality) : null;
    return ranged && extraRanged ? { f: ranged, extra: extraRanged, range: 'model' as const } : null;
  }));
  // per feature: the most splits any segment has in one cell, the model's included; and the extra levels
  const levels = model.numeric.map((p, k) => {
    const inCell = new Map(p.splitCells.map((c, j) => [c, p.thresholds.filter((l) => l[j] !== Infinity).length]));
    let most = p.thresholds.length;
    for (const s of perSegment) for (const [c, xs] of s[k]?.extra ?? []) most = Math.max(most, (inCell.get(c) ?? 0) + xs.length);
    return most;
  });
  const extra = model.numeric.map((p, k) => {
    const out: CellSplits[] = [];
    perSegment.forEach((s, seg) => {
      for (const [c, xs] of s[k]?.extra ?? []) {
        xs.forEach((x, l) => {
          out[l] ??= { keys: [], thresholds: [] };
          out[l].keys.push(seg * p.grid.cells + c);
          out[l].thresholds.push(x);
        });
      }
    });
    return out;
  });
  const padded = (p: NumericPlan, k: number) => {
    const f = profileOf(profile, p.name);
    return f?.kind === 'numeric' && levels[k] > p.thresholds.length ? onGrid(withSplits(p, new Map(), levels[k]), f, dataQuality) : p;
  };
  const plan: WindowPlan = { ...model, numeric: model.numeric.map(padded) };
  const segments = own.map((o, seg) => {
    if (!o) return null;
    const modelRange: string[] = [];
    const modelFeatures: string[] = [];
    const numeric = model.numeric.map((p, k) => {
      const s = perSegment[seg][k];
      if (!s) {
        modelFeatures.push(p.name);
        return plan.numeric[k];
      }
      if (s.range === 'model') modelRange.push(p.name);
      if (!o.profiled(p.name)) modelFeatures.push(p.name);
      return onGrid(withSplits(p, s.extra, levels[k]), s.f, dataQuality);
    });
    const categorical = model.categorical.map((p) => {
      const f = profileOf(o.profile, p.name);
      if (f?.kind === 'categorical' && o.profiled(p.name)) return categoricalPlan(p.name, f, p.source);
      modelFeatures.push(p.name);
      return f?.kind === 'categorical' ? categoricalPlan(p.name, f, p.source) : p;
    });
    return { ...plan, baselineRows: o.profile.rows, numeric, categorical, modelRange, modelFeatures };
  });
  return { plan, segments, extra };
}
