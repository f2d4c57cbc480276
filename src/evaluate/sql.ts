// The push-down queries: ClickHouse counts a window's predictions into the plan's bins, its categories and its
// label agreement; Node receives a few hundred numbers per window, never rows. Portable to ClickHouse 18.16 and
// 24.x (ARRAY JOIN, indexOf, ANY LEFT JOIN, FINAL; no query parameters). Every value goes through sqlValue.
import { sqlDateTime, sqlString, sqlValue } from '../store/sql.js';
import type { CategoricalPlan, NumericPlan, WindowPlan } from './plan.js';

/** Keys are feature × KEY_STRIDE + sub-bin; this sub-bin means "missing", key −1 counts rows. */
export const KEY_STRIDE = 100_000;
export const MISSING_KEY = KEY_STRIDE - 1;
export const ROWS_KEY = -1;

export interface WindowRange {
  model: string;
  /** epoch ms, [start, end) */
  start: number;
  end: number;
}

/**
 * FINAL collapses redelivered duplicates but reads the window in one single-threaded stream (2–3× slower on
 * 18.16). It can only change a result when two rows share a prediction id, so callers skip it when
 * `duplicateIdsSql` finds none.
 */
function predictions(final: boolean): string {
  return final ? 'predictions FINAL' : 'predictions';
}

/** The numeric feature names of one prediction of the window (a candidate for the whole window's layout). */
export function sampleNamesSql(w: WindowRange): string {
  return `SELECT num_names FROM predictions WHERE ${windowFilter(w)} LIMIT 1`;
}

/**
 * One scan that decides how the window may be read: `dups`, rows beyond the distinct prediction ids (0: FINAL would
 * change nothing; a hash collision can only report a duplicate that is not there, which merely means FINAL), and
 * `other`, rows whose numeric feature names differ from `names` (0: features can be read by position, without
 * searching every row's name list).
 */
export function windowShapeSql(w: WindowRange, names: readonly string[]): string {
  return `SELECT count() - uniqExact(cityHash64(prediction_id)) AS dups, countIf(num_names != ${names.length ? sqlValue([...names]) : 'emptyArrayString()'}) AS other
  FROM predictions WHERE ${windowFilter(w)}`;
}

function windowFilter(w: WindowRange): string {
  return `model = ${sqlString(w.model)} AND ts >= ${sqlDateTime(w.start)} AND ts < ${sqlDateTime(w.end)}`;
}

/** Expressions that give numeric feature k its value x{k} and presence p{k}; by position when every row of the
 *  window has the same name list (`layout`: name → 1-based position), else by searching each row's names. */
function valueOf(p: NumericPlan, k: number, layout?: ReadonlyMap<string, number>): string[] {
  if (p.source === 'prediction') return [`isNotNull(prediction_num) AS p${k}`, `assumeNotNull(prediction_num) AS x${k}`];
  if (layout) {
    // every row has exactly these names: present at a fixed position, or absent everywhere (no [0]: 18.16 rejects it)
    const position = layout.get(p.name);
    return position ? [`toUInt8(1) AS p${k}`, `num_values[${position}] AS x${k}`] : [`toUInt8(0) AS p${k}`, `toFloat64(0) AS x${k}`];
  }
  return [`indexOf(num_names, ${sqlString(p.name)}) AS i${k}`, `i${k} > 0 AS p${k}`, `num_values[i${k}] AS x${k}`];
}

/** PSI bin by comparisons with literal edges (left-closed like numpy.digitize), then the sub-bin by arithmetic. */
function keyOf(p: NumericPlan, k: number): string {
  const d = p.edges.length ? `(${p.edges.map((e) => `(x${k} >= ${sqlValue(e)})`).join(' + ')})` : '0';
  const sub = `least(${p.sub - 1}, greatest(0, floor((x${k} - arrayElement(${sqlValue(p.lo)}, ${d} + 1)) * arrayElement(${sqlValue(p.inv)}, ${d} + 1))))`;
  return `toInt64(if(p${k}, ${k * KEY_STRIDE} + ${d} * ${p.sub} + toInt64(${sub}), ${k * KEY_STRIDE + MISSING_KEY}))`;
}

/** Rows (key −1) and, per numeric feature, counts per sub-bin and of missing values: `key, c` rows. */
export function numericCountsSql(w: WindowRange, plans: readonly NumericPlan[], final = true, layout?: ReadonlyMap<string, number>): string {
  const columns = plans.flatMap((p, k) => valueOf(p, k, layout));
  const keys = [`toInt64(${ROWS_KEY})`, ...plans.map((p, k) => keyOf(p, k))];
  return `SELECT key, count() AS c FROM (
  SELECT [${keys.join(', ')}] AS keys FROM (
    SELECT ${columns.length ? columns.join(', ') : '1 AS one'} FROM ${predictions(final)} WHERE ${windowFilter(w)}
  )
) ARRAY JOIN keys AS key GROUP BY key`;
}

/** Category counts of the categorical features (`name, value, c`) and of a categorical prediction (name = the plan's name). */
export function categoryCountsSql(w: WindowRange, plans: readonly CategoricalPlan[], final = true): string | null {
  const features = plans.filter((p) => p.source === 'feature').map((p) => p.name);
  const prediction = plans.find((p) => p.source === 'prediction');
  const parts: string[] = [];
  if (features.length) {
    parts.push(`SELECT name, value, count() AS c FROM ${predictions(final)} ARRAY JOIN cat_names AS name, cat_values AS value
  WHERE ${windowFilter(w)} AND has(${sqlValue(features)}, name) GROUP BY name, value`);
  }
  if (prediction) {
    parts.push(`SELECT ${sqlString(prediction.name)} AS name, assumeNotNull(prediction_str) AS value, count() AS c FROM ${predictions(final)}
  WHERE ${windowFilter(w)} AND isNotNull(prediction_str) GROUP BY value`);
  }
  return parts.length ? parts.join('\nUNION ALL\n') : null;
}

/**
 * Label agreement of a window (and the feature names its predictions carried): predictions joined with their latest label (labels table first, the label in the
 * prediction message otherwise). Correct as in replay: a score ≥ 0.5 for label 1 (binary), else equal text.
 */
export function qualitySql(w: WindowRange, joinLabels = true, final = true): string {
  const labels = `SELECT prediction_id, label_num AS l_num, label_str AS l_str, ingested_at AS l_at, toUInt8(1) AS l_found
    FROM labels FINAL WHERE model = ${sqlString(w.model)} AND ts >= ${sqlDateTime(w.start - LABEL_LOOKBACK_MS)}`;
  // without label rows to join, the prediction ids need not be read at all
  const source = joinLabels
    ? `${predictions(final)} ANY LEFT JOIN (${labels}) USING prediction_id`
    : `(SELECT model, ts, prediction_num, prediction_str, label_num, label_str, num_names, cat_names, missing_names,
        CAST(NULL AS Nullable(Float64)) AS l_num, CAST(NULL AS Nullable(String)) AS l_str, toDateTime(0) AS l_at, toUInt8(0) AS l_found FROM ${predictions(final)} WHERE ${windowFilter(w)})`;
  return `SELECT
  count() AS rows,
  sum(is_labelled) AS labelled,
  sum(is_labelled AND is_correct) AS correct,
  sum(is_labelled AND is_binary AND pn >= 0.5 AND lt = '1') AS tp,
  sum(is_labelled AND is_binary AND pn >= 0.5 AND lt = '0') AS fp,
  sum(is_labelled AND is_binary AND pn < 0.5 AND lt = '0') AS tn,
  sum(is_labelled AND is_binary AND pn < 0.5 AND lt = '1') AS fn,
  sum(is_numeric) AS numeric_rows,
  sum(if(is_numeric, abs(pn - ln), 0)) AS abs_error,
  sum(if(is_numeric, (pn - ln) * (pn - ln), 0)) AS squared_error,
  toUInt32(max(l_at)) AS labels_at,
  groupUniqArrayArray(names) AS feature_names
FROM (
  SELECT
    if(l_found = 1, l_num, label_num) AS ln_n, if(l_found = 1, l_str, label_str) AS ls_n,
    prediction_num AS pn_n, prediction_str AS ps_n, l_at, arrayConcat(num_names, cat_names, missing_names) AS names,
    isNotNull(ln_n) OR isNotNull(ls_n) AS has_label,
    isNotNull(pn_n) OR isNotNull(ps_n) AS has_prediction,
    has_label AND has_prediction AS is_labelled,
    if(isNotNull(ls_n), assumeNotNull(ls_n), toString(assumeNotNull(ln_n))) AS lt,
    if(isNotNull(ps_n), assumeNotNull(ps_n), toString(assumeNotNull(pn_n))) AS pt,
    assumeNotNull(pn_n) AS pn, assumeNotNull(ln_n) AS ln,
    isNotNull(pn_n) AND (lt = '0' OR lt = '1') AS is_binary,
    isNotNull(pn_n) AND isNotNull(ln_n) AS is_numeric,
    if(is_binary, (pn >= 0.5) = (lt = '1'), pt = lt) AS is_correct
  FROM ${source}
  WHERE ${windowFilter(w)}
)`;
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
) USING prediction_id
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
