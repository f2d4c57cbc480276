// A window's features from its push-down rows, for the whole window and for each segment (segments.ts): the same
// statistics over the rows of one segment id. A segment leaves out its own segment feature (all one value there).
// Pure: no store, no clock.
import type { BaselineProfile } from '../baseline/index.js';
import { windowEstimate, type WindowEstimate } from './estimate-window.js';
import type { WindowPlan } from './plan.js';
import { bySegment, segmentsOf, type Segment, type SegmentSpec } from './segments.js';
import { segmentReference, type SegmentReference, type SegmentReferenceKind } from './segment-reference.js';
import { CATEGORY_ROWS } from './sql.js';
import { categoricalResult, numericCounts, numericResult, qualityResult, withTypeMismatches, type FeatureResult, type QualityResult } from './window-stats.js';
import { qualityCounts, summedQuality, type QualityRow } from './segment-quality.js';

export interface PushDownRows {
  numeric: ReadonlyArray<{ key: unknown; c: unknown; seg?: unknown }>;
  categories: ReadonlyArray<{ name: unknown; value: unknown; c: unknown; seg?: unknown }>;
  mismatched: ReadonlyArray<{ name: unknown; c: unknown; seg?: unknown }>;
  estimates: ReadonlyArray<{ bin: unknown; error_bin?: unknown; c: unknown; error_sum: unknown; seg?: unknown }> | null;
  /** the quality query's rows (segment-quality.ts); absent: quality is not split by segment */
  quality?: readonly QualityRow[];
}

/** One segment's evaluation of a window. */
export interface SegmentEvaluation extends Segment {
  rows: number;
  /** what its features were compared with: the segment's own baseline profile, or the whole model's (segment-reference.ts) */
  reference: SegmentReferenceKind;
  /** with reference "segment": its features compared with the model's profile all the same (segment-reference.ts) */
  modelFeatures?: string[];
  /** with reference "segment": numeric features whose out-of-range share counts against the model's range, not the segment's */
  modelRange?: string[];
  features: FeatureResult[];
  /** realized quality over the segment's labelled rows (and the estimates' error against it) */
  quality?: QualityResult;
  estimate?: WindowEstimate;
}

const num = (v: unknown) => Number(v ?? 0);

/**
 * Every feature's result from the window's push-down rows. `rows`: the window's rows as another query counted them,
 * used when no query of these counted them itself (no categorical feature); the rows the features are over come back.
 */
export function windowFeatures(plan: Pick<WindowPlan, 'numeric' | 'categorical'>, r: PushDownRows, rows: number | null): { rows: number; features: FeatureResult[] } {
  const counts = numericCounts(r.numeric as ReadonlyArray<{ key: string; c: string }>, plan.numeric);
  const features = plan.numeric.map((p, k) => numericResult(p, counts.rows[k], counts.fine[k], counts.missing[k]));
  const byName = new Map<string, Record<string, number>>();
  let categoryRows: number | null = null;
  for (const c of r.categories) {
    if (c.name === CATEGORY_ROWS) {
      categoryRows = (categoryRows ?? 0) + num(c.c);
      continue;
    }
    const name = String(c.name);
    const m = byName.get(name) ?? {};
    m[String(c.value)] = (m[String(c.value)] ?? 0) + num(c.c);
    byName.set(name, m);
  }
  const total = rows ?? categoryRows ?? counts.rows[0] ?? 0;
  for (const p of plan.categorical) features.push(categoricalResult(p, categoryRows ?? total, byName.get(p.name) ?? {}));
  const mismatched = new Map<string, number>();
  for (const m of r.mismatched) mismatched.set(String(m.name), (mismatched.get(String(m.name)) ?? 0) + num(m.c));
  withTypeMismatches(features, mismatched);
  return { rows: total, features };
}

/**
 * Per segment with rows in the window, its features (without its own segment feature) against its reference
 * (`baseline`'s profile of the segment when it has one, else `plan`'s), its realized quality, and its estimates (the
 * model's calibration and PCA) with their error against that quality. `references`: by segment id, when the window
 * was counted on each segment's own splits (segment-reference.ts segmentCellReferences).
 */
export function segmentEvaluations(spec: SegmentSpec, plan: WindowPlan, r: PushDownRows, estimateProfile: BaselineProfile | null, seed: number, baseline: BaselineProfile | null = null, dataQuality = true, references?: readonly SegmentReference[]): SegmentEvaluation[] {
  const numeric = bySegment(r.numeric);
  const categories = bySegment(r.categories);
  const mismatched = bySegment(r.mismatched);
  const estimates = r.estimates ? bySegment(r.estimates) : null;
  const quality = r.quality ? bySegment(r.quality) : null;
  const out: SegmentEvaluation[] = [];
  for (const s of segmentsOf(spec)) {
    if (!numeric.has(s.id) && !categories.has(s.id)) continue; // no rows in this segment
    const ref = references?.[s.id] ?? (baseline ? segmentReference(baseline, plan, s, spec, dataQuality) : { reference: 'model' as const, plan, modelFeatures: [], modelRange: [] });
    const { rows, features } = windowFeatures(ref.plan, { numeric: numeric.get(s.id) ?? [], categories: categories.get(s.id) ?? [], mismatched: mismatched.get(s.id) ?? [], estimates: null }, null);
    if (rows === 0) continue;
    const e: SegmentEvaluation = { ...s, rows, reference: ref.reference, ...(ref.modelFeatures.length ? { modelFeatures: ref.modelFeatures } : {}), ...(ref.modelRange.length ? { modelRange: ref.modelRange } : {}), features: features.filter((f) => f.feature !== s.feature) };
    const realized = qualityResult(qualityCounts(summedQuality(quality?.get(s.id) ?? [])));
    if (quality) e.quality = realized;
    if (estimates && estimateProfile) e.estimate = windowEstimate(estimateProfile, estimates.get(s.id) ?? [], realized, seed);
    out.push(e);
  }
  return out;
}
