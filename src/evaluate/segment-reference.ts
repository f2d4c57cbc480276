// What each segment of a window is compared with (issue 17): the baseline's profile of that segment value when it
// has one (baseline build --segments), else the whole model's. SEGMENT_OTHER uses the baseline's rest profile only
// when every value the baseline profiled is among the window's top values (none of them is then mixed into the
// window's rest). Plans are cached per window plan: they cost a pass over each segment's sample.
import { profiledValues, segmentBaseline, SEGMENT_OTHER, type BaselineProfile } from '../baseline/index.js';
import { referenceFromProfile, type ModelReference } from '../replay/index.js';
import { withMultivariateStream } from './estimate-window.js';
import { FLAT_KEYS, GRID_CELLS, MIN_SEGMENT_GRID_CELLS, PREDICTION_FEATURE, planFromBaseline, segmentCellPlans, segmentPlan, slotOf, slotsPerCell, type CellSplits, type WindowPlan } from './plan.js';
import { segmentsOf, type Segment, type SegmentSpec } from './segments.js';
import { keyLayout, keySpace } from './sql.js';

/** `segment`: compared with the segment's own baseline profile; `model`: with the whole model's. */
export type SegmentReferenceKind = 'segment' | 'model';

export interface SegmentReference {
  reference: SegmentReferenceKind;
  plan: WindowPlan;
  /** the segment's baseline profile (null: the model's is used) */
  profile: BaselineProfile | null;
  /** features compared with the model's profile all the same: none in the segment's profile, or past the grid's budget (plan.ts) */
  modelFeatures: string[];
  /** numeric features compared with the segment's profile but whose out-of-range share counts against the model's range (grid budget) */
  modelRange: string[];
}

// segment plans per window plan (planFromBaseline keeps one per profile and grid, segmentedPlan picks the grid)
const plans = new WeakMap<WindowPlan, Map<string, WindowPlan & { modelRange: string[] }>>();
const references = new WeakMap<BaselineProfile, Map<string, ModelReference>>();

function cached<K extends object, T extends object>(store: WeakMap<K, Map<string, T>>, owner: K, key: string, make: () => T): T {
  let byKey = store.get(owner);
  if (!byKey) store.set(owner, (byKey = new Map()));
  let value = byKey.get(key);
  if (!value) byKey.set(key, (value = make()));
  return value;
}

/** Whether the baseline's profile of `s` describes the rows the window puts in `s`. */
function comparable(profile: BaselineProfile, s: Segment, spec: SegmentSpec): boolean {
  if (s.value !== SEGMENT_OTHER) return true;
  const top = new Set(spec.dimensions.find((d) => d.feature === s.feature)?.values ?? []);
  return profiledValues(profile, s.feature).every((v) => top.has(v));
}

/** The reference of segment `s` in a window segmented by `spec`; `plan` is the window's (whole-model) plan. */
export function segmentReference(profile: BaselineProfile, plan: WindowPlan, s: Segment, spec: SegmentSpec, dataQuality = true): SegmentReference {
  const own = comparable(profile, s, spec) ? segmentBaseline(profile, s.feature, s.value) : null;
  if (!own) return { reference: 'model', plan, profile: null, modelFeatures: [], modelRange: [] };
  const segmented = cached(plans, plan, `${dataQuality}\u0000${s.name}`, () => segmentPlan(plan, own, { dataQuality, model: profile }));
  const profiled = profile.segments?.[s.feature]?.values[s.value];
  const modelFeatures = [...plan.numeric.map((p, k) => [p, segmented.numeric[k]] as const), ...plan.categorical.map((p, k) => [p, segmented.categorical[k]] as const)]
    .filter(([p, q]) => p.name !== s.feature && (p === q || !(p.source === 'prediction' ? profiled?.prediction : profiled?.features[p.name])))
    .map(([p]) => p.name);
  return { reference: 'segment', plan: segmented, profile: own, modelFeatures, modelRange: segmented.modelRange };
}

/** The sequential tests' reference of a segment compared with its own profile (its bins, rows, ranges). */
export function segmentModelReference(profile: BaselineProfile, s: Pick<Segment, 'feature' | 'value' | 'name'>): ModelReference | undefined {
  const own = segmentBaseline(profile, s.feature, s.value);
  return own ? cached(references, profile, s.name, () => withMultivariateStream(referenceFromProfile(own), profile)) : undefined;
}

/**
 * A segmented window whose baseline has segment profiles, each segment on its own splits (plan.ts
 * segmentCellPlans): the whole model's plan, each segment's reference by id, the splits the numeric query looks up
 * by segment and cell, and `toModel`, which puts each segment's counts into the model's slots for the whole window.
 */
export interface CellReferences {
  plan: WindowPlan;
  references: SegmentReference[];
  extra: CellSplits[][];
  toModel<R extends { key: unknown; seg?: unknown }>(rows: readonly R[]): R[];
}

// per profile, the window plans of its last few segmentations (a segmentation's ids follow the window's top values,
// which can change from window to window: the oldest is dropped)
const cellReferences = new WeakMap<BaselineProfile, Map<string, CellReferences | null>>();
const CELL_REFERENCES_KEPT = 4;

/** Per segment id of `spec`, the profile it is compared with when it has its own (null: the model's). */
function ownProfiles(profile: BaselineProfile, spec: SegmentSpec): Array<{ profile: BaselineProfile; profiled: (name: string) => boolean } | null> {
  const out = new Array<{ profile: BaselineProfile; profiled: (name: string) => boolean } | null>(spec.count).fill(null);
  for (const s of segmentsOf(spec)) {
    const own = comparable(profile, s, spec) ? segmentBaseline(profile, s.feature, s.value) : null;
    const raw = profile.segments?.[s.feature]?.values[s.value];
    if (own) out[s.id] = { profile: own, profiled: (name) => Boolean(name === PREDICTION_FEATURE ? raw?.prediction : raw?.features[name]) };
  }
  return out;
}

/**
 * The window's plans with each segment on its own splits; null when no segment has a profile of its own. The grid
 * is coarsened, as segmentedPlan does, until every segment's keys fit one flat table.
 */
export function segmentCellReferences(profile: BaselineProfile, spec: SegmentSpec, dataQuality = true): CellReferences | null {
  let kept = cellReferences.get(profile);
  if (!kept) cellReferences.set(profile, (kept = new Map()));
  const key = `${dataQuality}\u0000${JSON.stringify(spec.dimensions)}`;
  if (kept.has(key)) return kept.get(key)!;
  const built = buildCellReferences(profile, spec, dataQuality);
  kept.set(key, built);
  if (kept.size > CELL_REFERENCES_KEPT) kept.delete(kept.keys().next().value!);
  return built;
}

function buildCellReferences(profile: BaselineProfile, spec: SegmentSpec, dataQuality: boolean): CellReferences | null {
  const own = ownProfiles(profile, spec);
  if (own.every((o) => o === null)) return null;
  const on = (target: number) => segmentCellPlans(planFromBaseline(profile, { dataQuality, gridCells: target, segmentSplits: false }), profile, own, dataQuality);
  let cells = null;
  for (let target = GRID_CELLS; target >= MIN_SEGMENT_GRID_CELLS && !cells; target /= 2) {
    const candidate = on(target);
    if (spec.count * keySpace(keyLayout(candidate.plan.numeric)) <= FLAT_KEYS) cells = candidate;
  }
  // none fits: the full grid, its keys hashed
  const { plan, segments, extra } = cells ?? on(GRID_CELLS);
  const references = new Array<SegmentReference>(spec.count);
  for (const s of segmentsOf(spec)) {
    const p = segments[s.id];
    references[s.id] = p
      ? { reference: 'segment', plan: p, profile: own[s.id]!.profile, modelFeatures: p.modelFeatures.filter((n) => n !== s.feature), modelRange: p.modelRange }
      : { reference: 'model', plan, profile: null, modelFeatures: [], modelRange: [] };
  }
  // per segment id with its own plan: each of its keys' key in the model's slots (a segment's slot lies inside one)
  const layout = keyLayout(plan.numeric);
  const space = keySpace(layout);
  const maps = segments.map((p) => {
    if (!p) return null;
    const map = Int32Array.from({ length: space }, (_, key) => key);
    plan.numeric.forEach((m, k) => {
      const q = p.numeric[k];
      if (q === m) return;
      const per = slotsPerCell(q);
      for (let j = 0; j < q.splitCells.length; j++) {
        const cell = q.splitCells[j];
        for (let level = 0; level < q.thresholds.length; level++) {
          const x = q.thresholds[level][j];
          if (x !== Infinity) map[layout.bases[k] + cell * per + level + 1] = layout.bases[k] + slotOf(m, x);
        }
      }
    });
    return map;
  });
  const toModel = <R extends { key: unknown; seg?: unknown }>(rows: readonly R[]): R[] => rows.map((r) => {
    const map = maps[Number(r.seg ?? 0)];
    const key = Number(r.key);
    return map && key < space ? { ...r, key: map[key] } : r;
  });
  return { plan, references, extra, toModel };
}
