// The push-down queries: ClickHouse counts a window's predictions into the plan's bins, its categories and its
// label agreement; Node receives a few hundred numbers per window, never rows. Portable to ClickHouse 18.16 and
// 24.x (ARRAY JOIN, indexOf, transform, ANY LEFT JOIN, FINAL; no query parameters). Every value goes through sqlValue,
// sqlString or sqlFloat.
import { sqlDateTime, sqlFloat, sqlString, sqlValue } from '../store/sql.js';
import { FLAT_KEYS, slotsPerCell, type CategoricalPlan, type CellSplits, type NumericPlan, type WindowPlan } from './plan.js';

/**
 * Where each numeric feature's counts land in the push-down's key space: slots [base, base + slots) and one key for
 * missing values (base + slots). Keys fit UInt16 for up to ~60 features (ClickHouse then counts them in a flat
 * table, about twice as fast as hashing); UInt32 beyond.
 */
export interface KeyLayout {
  bases: number[];
  slots: number[];
  type: 'UInt16' | 'UInt32';
}

export function keyLayout(plans: readonly NumericPlan[]): KeyLayout {
  const bases: number[] = [];
  const slots: number[] = [];
  let next = 0;
  for (const p of plans) {
    bases.push(next);
    slots.push(p.grid.cells * slotsPerCell(p));
    next += slots[slots.length - 1] + 1;
  }
  return { bases, slots, type: next <= FLAT_KEYS ? 'UInt16' : 'UInt32' };
}

export interface WindowRange {
  model: string;
  /** epoch ms, [start, end) */
  start: number;
  end: number;
}

/**
 * How a window's numeric features are found in its rows: `positions` when every row carries the same numeric names
 * (name → 1-based position), `layouts` when rows carry several name lists (per layout hash, its positions), or by
 * searching each row's names (neither given).
 */
export type FeatureLayout =
  | { kind: 'positions'; positions: ReadonlyMap<string, number> }
  | { kind: 'layouts'; layouts: ReadonlyArray<{ layout: string; positions: ReadonlyMap<string, number> }> };

/**
 * FINAL collapses redelivered duplicates but reads the window in one single-threaded stream (2–3× slower on
 * 18.16). It can only change a result when two rows share (ts, prediction id), so callers skip it when
 * `duplicatesSql` finds none.
 */
export function predictions(final: boolean): string {
  return final ? 'predictions FINAL' : 'predictions';
}

/** A model's rows of [start, end): the condition every window query reads them by. */
export function windowFilter(w: WindowRange): string {
  return `model = ${sqlString(w.model)} AND ts >= ${sqlDateTime(w.start)} AND ts < ${sqlDateTime(w.end)}`;
}

/** The distinct name layouts of a window's rows (`name_layout` is computed by ClickHouse on insert) with their rows. */
export function layoutsSql(w: WindowRange): string {
  return `SELECT toString(name_layout) AS layout, count() AS n FROM predictions WHERE ${windowFilter(w)} GROUP BY name_layout`;
}

/** One row's names for each of the given layouts (hashes as decimal strings); `first`: just the first row found. */
export function layoutNamesSql(w: WindowRange, layouts: readonly string[], first = false): string {
  return `SELECT toString(name_layout) AS layout, num_names, cat_names, missing_names FROM predictions
  WHERE ${windowFilter(w)} AND name_layout IN (${layouts.map(uint64).join(', ')}) ${first ? 'LIMIT 1' : 'LIMIT 1 BY name_layout'}`;
}

/**
 * Rows beyond one per (ts, prediction id), the key FINAL collapses on: 0 means FINAL would change nothing. Counted
 * per second so each hash set stays small and cache-resident; a hash collision can only report a duplicate that
 * is not there, which merely means FINAL.
 */
export function duplicatesSql(w: WindowRange): string {
  return `SELECT sum(c - u) AS dups FROM (SELECT count() AS c, uniqExact(cityHash64(prediction_id)) AS u FROM predictions WHERE ${windowFilter(w)} GROUP BY ts)`;
}

function uint64(v: string): string {
  if (!/^[0-9]{1,20}$/.test(v)) throw new RangeError(`not a layout hash: ${v.slice(0, 40)}`);
  return v;
}

/** Columns that give numeric feature k its value x{k}, and its presence (null: present in every row; absent: in none). */
export function valueOf(p: Pick<NumericPlan, 'source' | 'name'>, k: number, layout?: FeatureLayout): { columns: string[]; present: string | null; absent?: true } {
  if (p.source === 'prediction') return { columns: [`assumeNotNull(prediction_num) AS x${k}`], present: 'isNotNull(prediction_num)' };
  if (layout?.kind === 'positions') {
    const position = layout.positions.get(p.name);
    return position ? { columns: [`num_values[${position}] AS x${k}`], present: null } : { columns: [], present: null, absent: true };
  }
  if (layout?.kind === 'layouts') {
    const at = layout.layouts.map((l) => l.positions.get(p.name) ?? 0);
    if (at.every((i) => i === 0)) return { columns: [], present: null, absent: true };
    return {
      columns: [`transform(name_layout, layout_hashes, CAST([${at.join(', ')}] AS Array(UInt16)), toUInt16(0)) AS i${k}`, `num_values[i${k}] AS x${k}`],
      present: `i${k} > 0`,
    };
  }
  return { columns: [`indexOf(num_names, ${sqlString(p.name)}) AS i${k}`, `num_values[i${k}] AS x${k}`], present: `i${k} > 0` };
}

/**
 * Feature k's key: base + cell · slots per cell + how many of the cell's edges are ≤ x (plan.ts explains the grid);
 * with `extra` (plan.ts segmentCellPlans), plus how many of the row's segment's own splits in that cell are ≤ x.
 */
function keyOf(p: NumericPlan, k: number, base: number, type: KeyLayout['type'], present: string | null, extra: readonly CellSplits[] = []): string[] {
  const g = p.grid;
  const per = slotsPerCell(p);
  const cell = `to${type}(least(greatest((x${k} - ${sqlFloat(g.origin)}) * ${sqlFloat(g.scale)}, 0.), ${sqlFloat(g.cells - 1)})) AS c${k}`;
  const cells = `CAST([${p.splitCells.join(', ')}] AS Array(${type}))`;
  // levels no cell has (a plan padded to its segments' slots) cost nothing to skip
  const splits = p.thresholds.filter((level) => level.some((x) => x !== Infinity))
    .map((level) => ` + (x${k} >= transform(c${k}, ${cells}, [${level.map(sqlFloat).join(', ')}], inf))`).join('')
    + extra.map((l) => ` + (x${k} >= transform(toUInt32(toUInt32(seg) * ${g.cells} + c${k}), CAST([${l.keys.join(', ')}] AS Array(UInt32)), [${l.thresholds.map(sqlFloat).join(', ')}], inf))`).join('');
  const slot = `${per === 1 ? `c${k}` : `c${k} * ${per}`}${splits} + ${base}`;
  const missing = base + g.cells * per;
  return [cell, `to${type}(${present === null ? slot : `if(${present}, ${slot}, ${missing})`}) AS k${k}`];
}

/** `WITH … AS layout_hashes` for valueOf's lookups by layout, named once: they are the longest part of a query (max_query_size). */
export function layoutHashes(layout?: FeatureLayout): string {
  return layout?.kind === 'layouts' ? `WITH CAST([${layout.layouts.map((l) => uint64(l.layout)).join(', ')}] AS Array(UInt64)) AS layout_hashes ` : '';
}

/** A segmented numeric query's segment column and how many segment ids it takes. */
export interface SegmentKeys {
  /** the innermost SELECT's `seg` column (segments.ts segmentColumn) */
  column: string;
  /** segment ids 0 … count − 1 */
  count: number;
}

/**
 * Per numeric feature, its counts per slot and of missing values, as `key, c` rows that keyLayout decodes; with a
 * `segment` column (segments.ts) counted per segment too (`seg, key, c`), and with a fold one more key per row.
 * `extra`: per feature, the segments' own splits (plan.ts segmentCellPlans; needs `segment`).
 */
export function numericCountsSql(w: WindowRange, plans: readonly NumericPlan[], final = true, layout?: FeatureLayout, segment?: SegmentKeys, fold?: NumericFold, extra?: readonly CellSplits[][]): string {
  const keys = keyLayout(plans);
  const columns: string[] = segment ? [segment.column] : [];
  const values = new Map<string, { x: string; present: string | null }>();
  const keyNames = plans.map((p, k) => {
    const v = valueOf(p, k, layout);
    if (v.absent) return `to${keys.type}(${keys.bases[k] + keys.slots[k]})`;
    if (p.source === 'feature') values.set(p.name, { x: `x${k}`, present: v.present });
    columns.push(...v.columns, ...keyOf(p, k, keys.bases[k], keys.type, v.present, segment ? extra?.[k] : undefined));
    return `k${k}`;
  });
  // a folded one (estimate-fold.ts): one more key per row past the features' keys, and a value summed per key
  const folded = fold?.((name) => values.get(name) ?? null);
  if (folded) {
    columns.push(...folded.columns);
    keyNames.push(`to${keys.type}(${keySpace(keys)} + ${folded.key})`);
  }
  const hashes = layoutHashes(layout);
  const inner = `${hashes}SELECT ${columns.length ? columns.join(', ') : '1 AS one'} FROM ${predictions(final)} WHERE ${windowFilter(w)}`;
  const base = keySpace(keys);
  if (!segment) {
    return `SELECT key, count() AS c${folded?.value ? `, sumIf(v, key >= ${base}) AS v_sum` : ''} FROM (
  SELECT [${keyNames.join(', ')}] AS keys${folded?.value ? `, ${folded.value} AS v` : ''} FROM (
    ${inner}
  )
) ARRAY JOIN keys AS key GROUP BY key`;
  }
  // per segment: one packed key seg · space + key (grouping by the pair is 2× slower on 18.16), split again after;
  // UInt16 when every segment's keys fit (plan.ts segmentedPlan coarsens the grid for that), so in a flat table
  const space = base + (folded ? folded.size : 0);
  const type = segment.count * space <= FLAT_KEYS ? 'UInt16' : 'UInt32';
  const packed = keyNames.map((k) => `to${type}(${k} + s)`);
  return `SELECT intDiv(packed, ${space}) AS seg, packed % ${space} AS key, c${folded?.value ? ', v_sum' : ''} FROM (
  SELECT key AS packed, count() AS c${folded?.value ? `, sumIf(v, key % ${space} >= ${base}) AS v_sum` : ''} FROM (
    SELECT [${packed.join(', ')}] AS keys${folded?.value ? `, ${folded.value} AS v` : ''} FROM (
      SELECT *, to${type}(seg * ${space}) AS s FROM (
        ${inner}
      )
    )
  ) ARRAY JOIN keys AS key GROUP BY key
)`;
}

/**
 * More to count in the numeric scan's one pass (estimate-fold.ts), given where each feature's value is (x{k} and
 * its presence; null: no row has it): columns of the innermost SELECT, a key from 0 (placed after the features'
 * keys) and a Float64 value summed per such key (`v_sum`; none when `value` is null: nothing but the keys to count).
 */
export type NumericFold = (value: (feature: string) => { x: string; present: string | null } | null) => { columns: string[]; key: string; value: string | null; size: number };

/** The first key after every feature's slots and missing key. */
export function keySpace(keys: KeyLayout): number {
  const last = keys.bases.length - 1;
  return last < 0 ? 0 : keys.bases[last] + keys.slots[last] + 1;
}

/** The `name` of categoryCountsSql's row counting the window's rows (feature names are never empty). */
export const CATEGORY_ROWS = '';

/**
 * Category counts of the categorical features (`name, value, c`) and of a categorical prediction (name = the plan's
 * name), with the window's rows under CATEGORY_ROWS: counted by the same query as the categories, so the missing
 * share stays right while rows still arrive (another query may see more or fewer of them).
 */
export function categoryCountsSql(w: WindowRange, plans: readonly CategoricalPlan[], final = true, segment?: string): string | null {
  const features = plans.filter((p) => p.source === 'feature').map((p) => p.name);
  const prediction = plans.find((p) => p.source === 'prediction');
  const parts: string[] = [];
  // with a segment column (segments.ts): `seg, name, value, c`
  const seg = segment ? `${segment}, ` : '';
  const by = segment ? 'seg, ' : '';
  if (features.length) {
    parts.push(`SELECT ${seg}name, value, count() AS c FROM ${predictions(final)} ARRAY JOIN cat_names AS name, cat_values AS value
  WHERE ${windowFilter(w)} AND has(${sqlValue(features)}, name) GROUP BY ${by}name, value`);
  }
  if (prediction) {
    parts.push(`SELECT ${seg}${sqlString(prediction.name)} AS name, assumeNotNull(prediction_str) AS value, count() AS c FROM ${predictions(final)}
  WHERE ${windowFilter(w)} AND isNotNull(prediction_str) GROUP BY ${by}value`);
  }
  if (parts.length === 0) return null;
  parts.push(`SELECT ${seg}${sqlString(CATEGORY_ROWS)} AS name, '' AS value, count() AS c FROM ${predictions(final)} WHERE ${windowFilter(w)}${segment ? ' GROUP BY seg' : ''}`);
  return parts.join('\nUNION ALL\n');
}

/**
 * Rows and label agreement of a window: predictions joined with their latest label (labels table first, the label
 * in the prediction message otherwise). Correct as in replay: a score ≥ 0.5 for label 1 (binary), else equal text.
 * The agreement expressions (text conversions) run only on labelled rows; the rows are counted by a second, cheap
 * branch, which with `featureNames` also collects every feature name the predictions carried (costly: the name
 * arrays are the largest columns, so the evaluator takes names from the window's layouts instead).
 */
export function qualitySql(w: WindowRange, joinLabels = true, final = true, featureNames = false, segment?: string): string {
  const labels = `SELECT prediction_id, label_num AS l_num, label_str AS l_str, ingested_at AS l_at, toUInt8(1) AS l_found
    FROM labels FINAL WHERE model = ${sqlString(w.model)} AND ts >= ${sqlDateTime(w.start - LABEL_LOOKBACK_MS)}`;
  // without label rows to join, the prediction ids need not be read at all
  const source = joinLabels ? `${predictions(final)} ANY LEFT JOIN (${labels}) AS joined_labels USING prediction_id` : predictions(final);
  const zero = 'toUInt64(0)';
  const names = featureNames ? 'groupUniqArrayArray(arrayConcat(num_names, cat_names, missing_names))' : 'emptyArrayString()';
  // with a segment column (segments.ts): one row per segment, `seg` first
  const seg = segment ? { column: `${segment}, `, key: 'seg, ', by: ' GROUP BY seg' } : { column: '', key: '', by: '' };
  return `SELECT ${seg.key}
  sum(n) AS rows, sum(labelled) AS labelled, sum(correct) AS correct, sum(tp) AS tp, sum(fp) AS fp, sum(tn) AS tn, sum(fn) AS fn,
  sum(numeric_rows) AS numeric_rows, sum(abs_error) AS abs_error, sum(squared_error) AS squared_error,
  toUInt32(max(at)) AS labels_at, groupUniqArrayArray(names) AS feature_names
FROM (
  SELECT ${seg.column}count() AS n, ${zero} AS labelled, ${zero} AS correct, ${zero} AS tp, ${zero} AS fp, ${zero} AS tn, ${zero} AS fn,
    ${zero} AS numeric_rows, toFloat64(0) AS abs_error, toFloat64(0) AS squared_error, toUInt32(0) AS at, ${names} AS names
  FROM ${predictions(final)} WHERE ${windowFilter(w)}${seg.by}
${joinLabels ? labelledBranch(source, w, 'text', true, segment) : `${labelledBranch(source, w, 'numeric', false, segment)}${labelledBranch(source, w, 'text', false, segment)}`}
)${seg.by}`;
}

/**
 * Label agreement over the labelled rows of `source` (predictions, joined with labels or not). Without a joined label
 * table the rows split by kind: where
 * label and prediction are both numbers, numeric comparisons (the same verdicts as their text: toString(1.) = '1');
 * elsewhere text, which needs toString, the costly part.
 */
function labelledBranch(source: string, w: WindowRange, kind: 'numeric' | 'text', joined: boolean, segment?: string): string {
  const rows = kind === 'numeric' ? ' AND isNull(ls_n) AND isNull(ps_n)' : joined ? '' : ' AND (isNotNull(ls_n) OR isNotNull(ps_n))';
  const label = joined
    ? 'if(l_found = 1, l_num, label_num) AS ln_n, if(l_found = 1, l_str, label_str) AS ls_n, l_at AS at_n'
    : 'label_num AS ln_n, label_str AS ls_n, toDateTime(0) AS at_n';
  const text = kind === 'numeric'
    ? `toUInt8(0) AS text, isNotNull(pn_n) AND (ln = 0 OR ln = 1) AS is_binary, ln = 1 AS is_one, ln = 0 AS is_zero, pn = ln AS is_equal,`
    : `if(isNotNull(ls_n), assumeNotNull(ls_n), toString(assumeNotNull(ln_n))) AS lt,
      if(isNotNull(ps_n), assumeNotNull(ps_n), toString(assumeNotNull(pn_n))) AS pt,
      isNotNull(pn_n) AND (lt = '0' OR lt = '1') AS is_binary, lt = '1' AS is_one, lt = '0' AS is_zero, pt = lt AS is_equal,`;
  return `
  UNION ALL
  SELECT ${segment ? 'seg, ' : ''}toUInt64(0) AS n,
    toUInt64(sum(is_labelled)) AS labelled,
    toUInt64(sum(is_labelled AND is_correct)) AS correct,
    toUInt64(sum(is_labelled AND is_binary AND pn >= 0.5 AND is_one)) AS tp,
    toUInt64(sum(is_labelled AND is_binary AND pn >= 0.5 AND is_zero)) AS fp,
    toUInt64(sum(is_labelled AND is_binary AND pn < 0.5 AND is_zero)) AS tn,
    toUInt64(sum(is_labelled AND is_binary AND pn < 0.5 AND is_one)) AS fn,
    toUInt64(sum(is_numeric)) AS numeric_rows,
    toFloat64(sum(if(is_numeric, abs(pn - ln), 0))) AS abs_error,
    toFloat64(sum(if(is_numeric, (pn - ln) * (pn - ln), 0))) AS squared_error,
    toUInt32(max(at_n)) AS at, emptyArrayString() AS names
  FROM (
    SELECT
      ${label}, prediction_num AS pn_n, prediction_str AS ps_n,
      isNotNull(ln_n) OR isNotNull(ls_n) AS has_label,
      isNotNull(pn_n) OR isNotNull(ps_n) AS has_prediction,
      has_label AND has_prediction AS is_labelled,
      assumeNotNull(pn_n) AS pn, assumeNotNull(ln_n) AS ln,
      ${text}
      isNotNull(pn_n) AND isNotNull(ln_n) AS is_numeric,
      if(is_binary, (pn >= 0.5) = is_one, is_equal) AS is_correct${segment ? `,
      ${segment}` : ''}
    FROM ${source}
    WHERE ${windowFilter(w)} AND has_label${rows}
  )${segment ? ' GROUP BY seg' : ''}`;
}

/** Labels are looked up from this long before a window's start (a label's time is normally after its prediction's). */
export const LABEL_LOOKBACK_MS = 86_400_000;

/** Whether any label row could join a window's predictions (`n` > 0). */
export function labelsPresentSql(w: WindowRange): string {
  return `SELECT count() AS n FROM labels WHERE model = ${sqlString(w.model)} AND ts >= ${sqlDateTime(w.start - LABEL_LOOKBACK_MS)}`;
}

/**
 * Per window start (epoch s) of a model: the newest ingestion time of its labels ingested at or after `labelsSince`
 * (epoch ms). No FINAL: a duplicate row changes neither which window a label belongs to nor the newest time.
 */
export function labelArrivalsSql(model: string, windowMs: number, since: number, until: number, labelsSince = 0): string {
  const seconds = Math.round(windowMs / 1000);
  return `SELECT intDiv(toUInt32(ts), ${seconds}) * ${seconds} AS window_start, toUInt32(max(l_at)) AS labels_at
FROM predictions ANY INNER JOIN (
  SELECT prediction_id, max(ingested_at) AS l_at FROM labels
  WHERE model = ${sqlString(model)} AND ts >= ${sqlDateTime(since - LABEL_LOOKBACK_MS)} AND ingested_at >= ${sqlDateTime(labelsSince)}
  GROUP BY prediction_id
) AS label_times USING prediction_id
WHERE model = ${sqlString(model)} AND ts >= ${sqlDateTime(since)} AND ts < ${sqlDateTime(until)}
GROUP BY window_start`;
}

/** Epoch s of the newest label ingestion of a model. */
export function newestLabelSql(model: string): string {
  return `SELECT toUInt32(max(ingested_at)) AS at, count() AS n FROM labels WHERE model = ${sqlString(model)}`;
}

/** Epoch s of the first prediction of a model at or after `since` (0 when none). */
export function firstPredictionSql(model: string, since: number): string {
  return `SELECT toUInt32(min(ts)) AS first, count() AS n FROM predictions WHERE model = ${sqlString(model)} AND ts >= ${sqlDateTime(since)}`;
}

export type { WindowPlan };
