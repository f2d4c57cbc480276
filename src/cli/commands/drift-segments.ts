// `driftwatch drift --segments COL[,COL] [--segment-top N]`: the same comparison per segment of the current file,
// as the live evaluator segments a window (evaluate/segments.ts): per segment column its N values with most rows,
// each on its own, and the others together as __other__ (a missing value counts as the empty value). Each segment
// is compared with the reference baseline's profile of that segment when it has one (baseline build --segments),
// else with the whole reference, without its own segment column. __other__ takes the baseline's rest profile only
// when every value the baseline profiled is among the current file's top values (as live, segment-reference.ts).
import { InputError } from '../../domain/index.js';
import { profiledValues, referenceFromBaseline, segmentBaseline, SEGMENT_OTHER, type Column, type ReferenceSet, type Table } from '../../baseline/index.js';
import { DEFAULT_SEGMENT_TOP, MAX_SEGMENT_TOP } from '../../evaluate/models.js';

export interface SegmentTable {
  feature: string;
  value: string;
  name: string;
  table: Table;
}

/** The segment columns of --segments (comma-separated) and --segment-top. */
export function segmentOptions(segments: string | undefined, top: string | undefined): { features: string[]; top: number } {
  const features = (segments ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const n = top === undefined ? DEFAULT_SEGMENT_TOP : Number(top);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEGMENT_TOP) throw new InputError(`--segment-top must be a whole number in [1, ${MAX_SEGMENT_TOP}], got "${top}"`);
  if (top !== undefined && features.length === 0) throw new InputError('--segment-top needs --segments');
  return { features, top: n };
}

function rowsOf(c: Column, rows: readonly number[]): Column {
  // a column's type-mismatch count is for the whole file: a segment does not know its share
  return c.kind === 'numeric' ? { kind: 'numeric', values: Float64Array.from(rows, (i) => c.values[i]) } : { kind: 'categorical', values: rows.map((i) => c.values[i]) };
}

/** The current table cut into segments, largest first per segment column, the rest last (when it has rows). */
export function segmentTables(table: Table, features: readonly string[], top: number): SegmentTable[] {
  const out: SegmentTable[] = [];
  for (const feature of features) {
    const column = table.columns.get(feature);
    if (!column) throw new InputError(`--segments: ${table.source} has no column "${feature}"`);
    if (column.kind !== 'categorical') throw new InputError(`--segments: "${feature}" is numeric; segments are categorical columns`);
    const byValue = new Map<string, number[]>();
    column.values.forEach((v, i) => {
      const key = v ?? '';
      const list = byValue.get(key) ?? [];
      list.push(i);
      byValue.set(key, list);
    });
    const ranked = [...byValue].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const rest = ranked.slice(top).flatMap(([, rows]) => rows).sort((a, b) => a - b);
    const parts: Array<[string, number[]]> = [...ranked.slice(0, top), ...(rest.length ? [[SEGMENT_OTHER, rest] as [string, number[]]] : [])];
    for (const [value, rows] of parts) {
      const columns = new Map([...table.columns].filter(([name]) => name !== feature).map(([name, c]) => [name, rowsOf(c, rows)] as const));
      out.push({ feature, value, name: `${feature}=${value}`, table: { source: `${table.source} (${feature}=${value})`, rows: rows.length, columns } });
    }
  }
  return out;
}

/** What segment `s` is compared with: the baseline's profile of it ("segment"), else the whole reference ("model"). */
export function segmentReferenceSet(reference: ReferenceSet, all: readonly SegmentTable[], s: SegmentTable): { reference: 'segment' | 'model'; set: ReferenceSet } {
  const profile = reference.profile;
  if (!profile) return { reference: 'model', set: reference };
  const top = new Set(all.filter((t) => t.feature === s.feature && t.value !== SEGMENT_OTHER).map((t) => t.value));
  const comparable = s.value !== SEGMENT_OTHER || profiledValues(profile, s.feature).every((v) => top.has(v));
  const own = comparable ? segmentBaseline(profile, s.feature, s.value) : null;
  return own ? { reference: 'segment', set: referenceFromBaseline(own, `${reference.source} (segment ${s.name})`) } : { reference: 'model', set: reference };
}
