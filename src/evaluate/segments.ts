// Per-segment evaluation (issue 17): a model's segment features (categorical features or model_version) split each
// window into the values with most rows (the top N, chosen per window by segmentSelectionSql) and the rest together.
// The push-down queries then count by a `seg` column (segmentColumn) besides their own keys, so one scan gives every
// segment; the whole window is the sum over the first segment feature's segments. Portable to ClickHouse 18.16.
import { sqlDateTime, sqlString, sqlValue } from '../store/sql.js';
import { DEFAULT_SEGMENT_TOP, type ModelDeclaration } from './models.js';
import type { WindowRange } from './sql.js';

import { SEGMENT_OTHER } from '../baseline/index.js';

/** The segment of a feature's values outside its top N (the baseline's name for its unprofiled rows too). */
export { SEGMENT_OTHER };
/** Segment feature naming the prediction's model_version column instead of a categorical feature. */
export const MODEL_VERSION_SEGMENT = 'model_version';

/** One segment feature in one window: its top values (by rows, most first) and the first segment id it takes. */
export interface SegmentDimension {
  feature: string;
  values: string[];
  /** id of its rest segment; values[i] has id offset + 1 + i */
  offset: number;
}

/** A window's segmentation: ids 0 … count − 1 over all segment features. */
export interface SegmentSpec {
  dimensions: SegmentDimension[];
  count: number;
}

/** One segment: which feature and value (SEGMENT_OTHER for the rest), and its name `feature=value`. */
export interface Segment {
  id: number;
  feature: string;
  value: string;
  name: string;
}

/** The value of segment feature `feature` in a row (empty when the row lacks it). */
function valueSql(feature: string): string {
  return feature === MODEL_VERSION_SEGMENT ? 'model_version' : `cat_values[indexOf(cat_names, ${sqlString(feature)})]`;
}

/**
 * `dim, value, c`: per segment feature (dim = its index), its `top` values with most rows in the window (ties by
 * value). No FINAL: a redelivered duplicate cannot change which values are the big ones in any way that matters.
 */
export function segmentSelectionSql(w: WindowRange, features: readonly string[], top: number): string {
  const where = `model = ${sqlString(w.model)} AND ts >= ${sqlDateTime(w.start)} AND ts < ${sqlDateTime(w.end)}`;
  const limit = Math.max(1, Math.floor(top));
  return features
    .map((f, d) => `SELECT * FROM (SELECT toUInt8(${d}) AS dim, ${valueSql(f)} AS value, count() AS c FROM predictions WHERE ${where} GROUP BY value ORDER BY c DESC, value LIMIT ${limit})`)
    .join('\nUNION ALL\n');
}

/** The model's segment features that the baseline does not profile as numeric (those cannot segment). */
export function segmentFeatures(model: Pick<ModelDeclaration, 'segments'>, numeric: ReadonlySet<string>): string[] {
  return (model.segments ?? []).filter((f) => !numeric.has(f));
}

/** The segmentation from the selection query's rows. */
export function segmentSpec(features: readonly string[], rows: ReadonlyArray<{ dim: unknown; value: unknown; c: unknown }>, top = DEFAULT_SEGMENT_TOP): SegmentSpec {
  let offset = 0;
  const dimensions = features.map((feature, d) => {
    const values = rows
      .filter((r) => Number(r.dim) === d)
      .map((r) => ({ value: String(r.value), c: Number(r.c) }))
      .sort((a, b) => b.c - a.c || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, top)
      .map((r) => r.value);
    const dim = { feature, values, offset };
    offset += values.length + 1;
    return dim;
  });
  return { dimensions, count: offset };
}

/** Every segment of the spec, by id. */
export function segmentsOf(spec: SegmentSpec): Segment[] {
  return spec.dimensions.flatMap((d) => [SEGMENT_OTHER, ...d.values].map((value, i) => ({ id: d.offset + i, feature: d.feature, value, name: `${d.feature}=${value}` })))
    .sort((a, b) => a.id - b.id);
}

/**
 * The `seg` column (UInt16) for a push-down query's innermost SELECT: the row's segment id, or with several segment
 * features one row per feature (arrayJoin), so each segment feature's segments add up to the whole window.
 */
export function segmentColumn(spec: SegmentSpec): string {
  const ids = spec.dimensions.map((d) => {
    if (d.values.length === 0) return `toUInt16(${d.offset})`;
    const to = `CAST([${d.values.map((_, i) => d.offset + 1 + i).join(', ')}] AS Array(UInt16))`;
    return `transform(${valueSql(d.feature)}, ${sqlValue(d.values)}, ${to}, toUInt16(${d.offset}))`;
  });
  return `${ids.length === 1 ? ids[0] : `arrayJoin([${ids.join(', ')}])`} AS seg`;
}

/** Rows of a segmented query by segment id. */
export function bySegment<R extends object>(rows: readonly R[]): Map<number, R[]> {
  const out = new Map<number, R[]>();
  for (const r of rows) {
    const id = segOf(r);
    const list = out.get(id) ?? [];
    list.push(r);
    out.set(id, list);
  }
  return out;
}

/** The rows that make up the whole window: those of the first segment feature's segments (all rows unsegmented). */
export function wholeWindow<R extends object>(rows: readonly R[], spec: SegmentSpec | null): R[] {
  if (!spec || spec.dimensions.length <= 1) return [...rows];
  const first = spec.dimensions[0].values.length + 1;
  return rows.filter((r) => segOf(r) < first);
}

const segOf = (r: object) => Number((r as { seg?: unknown }).seg);
