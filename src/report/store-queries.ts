// What the ClickHouse mode reads: drift_results, alert_events and the baseline of one model over a time range,
// and the current distribution of each feature as aggregates computed inside ClickHouse (never raw rows).
// Portable SQL (18.16 and 24.x): literals through sqlString/sqlValue, times as toDateTime(unix seconds).
import { parseBaseline, type BaselineProfile } from '../baseline/index.js';
import { InputError } from '../domain/index.js';
import { layoutHashes, timeSlices, valueOf, type SpanShape } from '../evaluate/index.js';
import { sqlDateTime, sqlFloat, sqlString, sqlValue, type Store } from '../store/index.js';
import type { AlertLine, WindowPoint } from './model.js';

export interface Range {
  model: string;
  /** epoch ms, inclusive */
  from: number;
  /** epoch ms, exclusive */
  to: number;
}

export interface DriftRow extends WindowPoint {
  pValue: number | null;
  details: Record<string, unknown>;
}

function json(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {}; // details are informative only; a malformed one must not sink the report
  }
}

const where = (r: Range, column: string) => `model = ${sqlString(r.model)} AND ${column} >= ${sqlDateTime(r.from)} AND ${column} < ${sqlDateTime(r.to)}`;

export async function readDriftResults(store: Store, r: Range): Promise<DriftRow[]> {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT feature, toUInt32(window_start) AS start, toUInt32(window_end) AS end, n, statistic, value, p_value, details
     FROM drift_results FINAL WHERE ${where(r, 'window_start')} AND position(statistic, '{') = 0 ORDER BY window_start, feature, statistic`,
  );
  return rows.map((x) => ({
    feature: String(x.feature),
    start: Number(x.start) * 1000,
    end: Number(x.end) * 1000,
    n: Number(x.n),
    statistic: String(x.statistic),
    value: Number(x.value),
    pValue: x.p_value === null || x.p_value === undefined ? null : Number(x.p_value),
    details: json(x.details),
  }));
}

export async function readAlertEvents(store: Store, r: Range): Promise<AlertLine[]> {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT at_ms, feature, kind, status, statistic, value, reason FROM alert_events WHERE ${where(r, 'at')} ORDER BY at_ms, alert_id`,
  );
  return rows.map((x) => ({
    at: Number(x.at_ms),
    feature: String(x.feature),
    kind: String(x.kind),
    status: String(x.status),
    statistic: String(x.statistic),
    value: Number(x.value),
    reason: String(x.reason),
  }));
}

/** The named baseline version of the model, or its newest; undefined when the model has none. */
export async function readBaseline(store: Store, model: string, version?: string): Promise<BaselineProfile | undefined> {
  const rows = await store.query<{ version: string; profile: string }>(
    `SELECT version, profile FROM baselines FINAL WHERE model = ${sqlString(model)}${version ? ` AND version = ${sqlString(version)}` : ''}
     ORDER BY created_at DESC, version DESC LIMIT 1`,
  );
  if (rows.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rows[0].profile);
  } catch {
    throw new InputError(`baseline ${model}/${rows[0].version} in ClickHouse is not valid JSON`, 'bad_baseline');
  }
  return parseBaseline(parsed, `baseline ${model}/${rows[0].version}`);
}

/**
 * The predictions of the range, one row per (feature, value) — only ever aggregated, never returned. FINAL collapses
 * redelivered predictions; `final: false` skips that merge (half the time) where a duplicate cannot matter.
 */
const exploded = (r: Range, names: string, values: string, final = true) =>
  `FROM predictions${final ? ' FINAL' : ''} ARRAY JOIN ${names} AS name, ${values} AS value WHERE ${where(r, 'ts')}`;

/** The columns x{k} (and their presence) of the named numeric features, by position where the shape allows. */
function byPosition(names: readonly string[], shape: SpanShape): Array<{ columns: string[]; present: string }> | undefined {
  if (!shape.featureLayout) return undefined;
  return names.map((name, k) => {
    const v = valueOf({ source: 'feature', name }, k, shape.featureLayout);
    return v.absent ? { columns: [], present: '0' } : { columns: v.columns, present: v.present ?? '1' };
  });
}

const positionalFrom = (r: Range, shape: SpanShape) => `FROM predictions${shape.final ? ' FINAL' : ''} WHERE ${where(r, 'ts')}`;

/**
 * 0.5 % and 99.5 % quantiles of each numeric feature, to place the drawn range: ClickHouse's quantile is a sample
 * anyway, so a redelivered duplicate cannot move it and the query skips FINAL. With a shape, one scan reads every
 * feature by position (no ARRAY JOIN over names).
 */
export async function readNumericRanges(store: Store, r: Range, tail: number, names: readonly string[] = [], shape?: SpanShape): Promise<Map<string, { low: number; high: number }>> {
  const levels = `${sqlValue(tail)}, ${sqlValue(1 - tail)}`;
  const positional = shape && names.length > 0 ? byPosition(names, shape) : undefined;
  if (shape && positional) {
    if (shape.layouts?.length === 0) return new Map();
    const columns = positional.flatMap((p) => p.columns);
    const [row] = await store.query<{ q: number[][] }>(
      `SELECT [${positional.map((p, k) => (p.columns.length ? `quantilesIf(${levels})(x${k}, ${p.present})` : `[nan, nan]`)).join(', ')}] AS q
       FROM (${layoutHashes(shape.featureLayout)}SELECT ${columns.length ? columns.join(', ') : '1 AS one'} ${positionalFrom(r, { ...shape, final: false })})`,
    );
    const out = new Map<string, { low: number; high: number }>();
    names.forEach((name, k) => {
      const q = row?.q[k];
      if (q && positional[k].columns.length && Number.isFinite(Number(q[0]))) out.set(name, { low: Number(q[0]), high: Number(q[1]) });
    });
    return out;
  }
  const rows = await store.query<{ name: string; q: number[] }>(
    `SELECT name, quantiles(${levels})(value) AS q ${exploded(r, 'num_names', 'num_values', false)} GROUP BY name`,
  );
  return new Map(rows.map((x) => [x.name, { low: Number(x.q[0]), high: Number(x.q[1]) }]));
}

/**
 * Counts per display bin of numeric features, edges given per feature; bin −1 below the first edge, `bins` above
 * the last (folded by the caller). One query for all features: by position from the span's name layouts when the
 * shape allows (a key per feature and bin), else lo and width looked up by name with transform().
 */
export async function readNumericBins(store: Store, r: Range, edges: Map<string, number[]>, slices = 2, shape?: SpanShape): Promise<Map<string, Map<number, number>>> {
  const out = new Map<string, Map<number, number>>();
  if (edges.size === 0) return out;
  const names = [...edges.keys()];
  const bins = edges.values().next().value!.length - 1;
  const lo = names.map((n) => edges.get(n)![0]);
  const hi = names.map((n) => edges.get(n)![bins]);
  const add = (name: string, bin: number, c: number) => {
    const m = out.get(name) ?? new Map<number, number>();
    m.set(bin, (m.get(bin) ?? 0) + c);
    out.set(name, m);
  };
  const positional = shape ? byPosition(names, shape) : undefined;
  if (shape && positional) {
    if (shape.layouts?.length === 0) return out;
    // key = feature · (bins + 2) + bin + 1 over bins −1 … bins; −1 for a row without the feature
    const span = bins + 2;
    const columns: string[] = [];
    const keys = positional.map((p, k) => {
      if (!p.columns.length) return 'toInt32(-1)';
      columns.push(...p.columns);
      const width = `((${sqlFloat(hi[k])} - ${sqlFloat(lo[k])}) / ${bins})`;
      const bin = `multiIf(x${k} < ${sqlFloat(lo[k])}, -1, x${k} > ${sqlFloat(hi[k])}, ${bins}, least(toInt32(floor((x${k} - ${sqlFloat(lo[k])}) / ${width})), ${bins - 1}))`;
      return `toInt32(if(${p.present}, ${k * span + 1} + ${bin}, -1))`;
    });
    const parts = await Promise.all(
      timeSlices(r.from, r.to, shape.final ? slices : 1).map(([from, to]) =>
        store.query<{ key: number; c: string | number }>(
          `SELECT key, count() AS c FROM (
             SELECT [${keys.join(', ')}] AS keys FROM (${layoutHashes(shape.featureLayout)}SELECT ${columns.length ? columns.join(', ') : '1 AS one'} ${positionalFrom({ ...r, from, to }, shape)})
           ) ARRAY JOIN keys AS key WHERE key >= 0 GROUP BY key`,
        ),
      ),
    );
    for (const x of parts.flat()) add(names[Math.floor(Number(x.key) / span)], (Number(x.key) % span) - 1, Number(x.c));
    return out;
  }
  // Float64 literals throughout: transform() wants one type for its values and its default
  const floats = (values: number[]) => `[${values.map(sqlFloat).join(', ')}]`;
  const look = (values: number[]) => `transform(name, ${sqlValue(names)}, ${floats(values)}, nan)`;
  const final = shape?.final ?? true;
  // FINAL reads one stream per query on 18.16: concurrent time slices spread the scan over cores, and a redelivered
  // prediction always falls in one slice because ts is part of the dedup key (as in the evaluator)
  const parts = await Promise.all(
    timeSlices(r.from, r.to, final ? slices : 1).map(([from, to]) =>
      store.query<{ name: string; bin: number; c: string | number }>(
        `SELECT name, multiIf(value < ${look(lo)}, -1, value > ${look(hi)}, ${bins},
            least(toInt32(floor((value - ${look(lo)}) / ((${look(hi)} - ${look(lo)}) / ${bins}))), ${bins - 1})) AS bin, count() AS c
         ${exploded({ ...r, from, to }, 'num_names', 'num_values', final)} GROUP BY name, bin`,
      ),
    ),
  );
  // other names got NaN bounds from transform(); filtering them here is cheaper than has() in ClickHouse (2x at 10^6 rows)
  for (const x of parts.flat()) if (edges.has(x.name)) add(x.name, Number(x.bin), Number(x.c));
  return out;
}

/** Categories fetched per feature: enough for the chart (it shows 12), bounded for ID-like features. */
export const TOP_CATEGORIES = 500;
/** The rows of a feature's categories beyond TOP_CATEGORIES, as one entry. */
export const OTHER_CATEGORIES = '(other categories)';

/** Rows per (categorical feature, category), missing values under null, the long tail summed under OTHER_CATEGORIES. */
export async function readCategoryCounts(store: Store, r: Range, names: string[], final = true): Promise<Map<string, Map<string | null, number>>> {
  const out = new Map<string, Map<string | null, number>>();
  if (names.length === 0) return out;
  const only = `AND has(${sqlValue(names)}, name)`;
  const [top, totals, missing] = await Promise.all([
    store.query<{ name: string; value: string; c: string | number }>(
      `SELECT name, value, count() AS c ${exploded(r, 'cat_names', 'cat_values', final)} ${only} GROUP BY name, value ORDER BY name, c DESC, value LIMIT ${TOP_CATEGORIES} BY name`,
    ),
    store.query<{ name: string; c: string | number }>(`SELECT name, count() AS c ${exploded(r, 'cat_names', 'cat_values', final)} ${only} GROUP BY name`),
    store.query<{ name: string; c: string | number }>(
      `SELECT name, count() AS c FROM predictions${final ? ' FINAL' : ''} ARRAY JOIN missing_names AS name WHERE ${where(r, 'ts')} ${only} GROUP BY name`,
    ),
  ]);
  const shown = new Map<string, number>();
  for (const x of top) {
    const m = out.get(x.name) ?? new Map<string | null, number>();
    m.set(x.value, Number(x.c));
    out.set(x.name, m);
    shown.set(x.name, (shown.get(x.name) ?? 0) + Number(x.c));
  }
  for (const x of totals) {
    const rest = Number(x.c) - (shown.get(x.name) ?? 0);
    if (rest > 0) out.get(x.name)?.set(OTHER_CATEGORIES, rest);
  }
  for (const x of missing) {
    const m = out.get(x.name) ?? new Map<string | null, number>();
    m.set(null, Number(x.c));
    out.set(x.name, m);
  }
  return out;
}
