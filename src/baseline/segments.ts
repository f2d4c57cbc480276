// Per-segment baselines (issue 17): beside the whole-model profile, a profile per value of a segment column (the
// top N by training rows, each with at least M rows) and of the other rows together (SEGMENT_OTHER), so a segment
// is compared with its own normal traffic. Additive field `segments` of the baseline JSON; pure.
import { InputError } from '../domain/index.js';
import type { BaselineProfile, FeatureProfile } from './profile.js';
import type { Column, Table } from './table.js';

/** The segment of a column's values outside its profiled values (the live evaluator's name too). */
export const SEGMENT_OTHER = '__other__';
/** A segment value gets its own profile only with at least this many training rows (by default). */
export const DEFAULT_SEGMENT_MIN_ROWS = 500;
export const DEFAULT_BASELINE_SEGMENT_TOP = 10;

/** One segment value's profile: its training rows and its features (the segment column itself left out). */
export interface SegmentProfile {
  rows: number;
  /** a feature without values in the segment is absent: that feature falls back to the whole model's profile */
  features: Record<string, FeatureProfile>;
  prediction: (FeatureProfile & { column: string }) | null;
}

/** Profiles of one segment column: its top values and, when it has enough rows, SEGMENT_OTHER. */
export interface SegmentColumnProfiles {
  top: number;
  min_rows: number;
  values: Record<string, SegmentProfile>;
}

export interface SegmentOptions {
  columns: readonly string[];
  top?: number;
  minRows?: number;
}

type Profiler = (name: string, column: Column) => FeatureProfile;

function subset(c: Column, rows: readonly number[]): Column {
  return c.kind === 'numeric' ? { kind: 'numeric', values: Float64Array.from(rows, (i) => c.values[i]) } : { kind: 'categorical', values: rows.map((i) => c.values[i]) };
}

const hasValues = (c: Column) => (c.kind === 'numeric' ? c.values.some((v) => !Number.isNaN(v)) : true);

/** Rows per value of a categorical column (a missing value is the empty value, as live), most rows first, ties by value. */
export function rankedValues(values: readonly (string | null)[]): Array<[string, number[]]> {
  const byValue = new Map<string, number[]>();
  values.forEach((v, i) => {
    const key = v ?? '';
    const list = byValue.get(key) ?? [];
    list.push(i);
    byValue.set(key, list);
  });
  return [...byValue].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * Per segment column, the profiles of its top values with at least minRows rows and of the rest (when that has at
 * least minRows rows). `skip`: columns that are not features (label); `prediction`: the prediction column, profiled apart.
 */
export function segmentProfiles(table: Table, options: SegmentOptions, profile: Profiler, skip: ReadonlySet<string>, prediction: string | undefined): Record<string, SegmentColumnProfiles> {
  const top = options.top ?? DEFAULT_BASELINE_SEGMENT_TOP;
  const minRows = options.minRows ?? DEFAULT_SEGMENT_MIN_ROWS;
  if (!Number.isInteger(top) || top < 1 || top > 100) throw new InputError(`--segment-top must be a whole number in [1, 100], got ${top}`);
  if (!Number.isInteger(minRows) || minRows < 1) throw new InputError(`--segment-min-rows must be a whole number ≥ 1, got ${minRows}`);
  const out: Record<string, SegmentColumnProfiles> = {};
  for (const name of options.columns) {
    const column = table.columns.get(name);
    if (!column) throw new InputError(`--segments: ${table.source} has no column "${name}"`);
    if (column.kind !== 'categorical') throw new InputError(`--segments: "${name}" is numeric; a segment column is categorical (list it in --categorical)`);
    if (skip.has(name) || name === prediction) throw new InputError(`--segments: "${name}" is the label or prediction column`);
    const ranked = rankedValues(column.values);
    const named = ranked.slice(0, top).filter(([, rows]) => rows.length >= minRows);
    const rest = ranked.filter((r) => !named.includes(r)).flatMap(([, rows]) => rows).sort((a, b) => a - b);
    const parts: Array<[string, number[]]> = [...named, ...(rest.length >= minRows ? [[SEGMENT_OTHER, rest] as [string, number[]]] : [])];
    const values: Record<string, SegmentProfile> = {};
    for (const [value, rows] of parts) {
      const features: Record<string, FeatureProfile> = {};
      let predicted: SegmentProfile['prediction'] = null;
      for (const [col, c] of table.columns) {
        if (col === name || skip.has(col)) continue;
        const part = subset(c, rows);
        if (!hasValues(part)) continue;
        if (col === prediction) predicted = { column: col, ...profile(col, part) };
        else features[col] = profile(col, part);
      }
      values[value] = { rows: rows.length, features, prediction: predicted };
    }
    out[name] = { top, min_rows: minRows, values };
  }
  return out;
}

/**
 * The baseline of one segment as a whole-model profile: the segment's own feature profiles (their own [min, max]: a
 * segment's out-of-range share counts values outside its own training range), the model's where the segment has
 * none; null when the baseline has no profile of this segment (it is then compared with the model).
 */
export function segmentBaseline(profile: BaselineProfile, feature: string, value: string): BaselineProfile | null {
  const s = profile.segments?.[feature]?.values[value];
  if (!s) return null;
  const features = { ...profile.features, ...s.features };
  delete features[feature];
  const prediction = s.prediction && profile.prediction ? { ...s.prediction, column: s.prediction.column } : (s.prediction ?? profile.prediction);
  return { ...profile, rows: s.rows, features, prediction, segments: undefined };
}

/** The values of `feature` that have their own profile (SEGMENT_OTHER not among them). */
export function profiledValues(profile: BaselineProfile, feature: string): string[] {
  return Object.keys(profile.segments?.[feature]?.values ?? {}).filter((v) => v !== SEGMENT_OTHER);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates the `segments` field when present: each profile as a feature's, and of the same kind as the model's. */
export function checkSegments(value: Record<string, unknown>, where: string, checkFeature: (name: string, f: unknown, where: string) => void): void {
  if (value.segments === undefined || value.segments === null) return;
  const bad = (what: string) => new InputError(`${where}: segments: ${what}`, 'bad_baseline');
  if (!isObject(value.segments)) throw bad('must be an object of segment columns');
  const model = value.features as Record<string, { kind?: unknown }>;
  for (const [column, s] of Object.entries(value.segments)) {
    if (!isObject(s) || !isObject(s.values) || !Number.isInteger(s.top) || !Number.isInteger(s.min_rows)) throw bad(`"${column}" needs "top", "min_rows" and "values"`);
    for (const [v, p] of Object.entries(s.values)) {
      const at = `${where}: segment ${column}=${v}`;
      if (!isObject(p) || !Number.isInteger(p.rows) || (p.rows as number) < 1 || !isObject(p.features)) throw bad(`${column}=${v} needs "rows" ≥ 1 and "features"`);
      for (const [name, f] of Object.entries(p.features)) {
        checkFeature(name, f, at);
        if (model[name] && model[name].kind !== (f as { kind: unknown }).kind) throw bad(`${column}=${v}: feature "${name}" is ${String((f as { kind: unknown }).kind)}, the model's is ${String(model[name].kind)}`);
      }
      if (p.prediction !== null && p.prediction !== undefined) {
        if (!isObject(p.prediction) || typeof p.prediction.column !== 'string') throw bad(`${column}=${v}: "prediction" needs a "column"`);
        checkFeature(p.prediction.column, p.prediction, at);
      }
    }
  }
}
