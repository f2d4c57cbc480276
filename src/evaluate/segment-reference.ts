// What each segment of a window is compared with (issue 17): the baseline's profile of that segment value when it
// has one (baseline build --segments), else the whole model's. SEGMENT_OTHER uses the baseline's rest profile only
// when every value the baseline profiled is among the window's top values (none of them is then mixed into the
// window's rest). Plans are cached per window plan: they cost a pass over each segment's sample.
import { profiledValues, segmentBaseline, SEGMENT_OTHER, type BaselineProfile } from '../baseline/index.js';
import { referenceFromProfile, type ModelReference } from '../replay/index.js';
import { withMultivariateStream } from './estimate-window.js';
import { segmentPlan, type WindowPlan } from './plan.js';
import type { Segment, SegmentSpec } from './segments.js';

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
