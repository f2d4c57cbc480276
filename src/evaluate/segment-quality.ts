// Realized quality per segment (issue 17): the quality query (sql.ts qualitySql) counts rows and label agreement by
// the segment column too, one row per segment; the whole window is the sum of the first segment feature's rows
// (segments.ts wholeWindow), a segment its own row. Pure: no store, no clock.
import type { QualityCounts } from './window-stats.js';

/** One row of the quality query, as ClickHouse returns it. */
export type QualityRow = Record<string, unknown>;

const num = (v: unknown) => Number(v ?? 0);
const SUMMED = ['rows', 'labelled', 'correct', 'tp', 'fp', 'tn', 'fn', 'numeric_rows', 'abs_error', 'squared_error'] as const;

/** Rows of the quality query as one: counts and errors added, the newest label time the latest, the names all of them. */
export function summedQuality(rows: readonly QualityRow[]): QualityRow | undefined {
  if (rows.length <= 1) return rows[0];
  const out: QualityRow = Object.fromEntries(SUMMED.map((k) => [k, rows.reduce((a, r) => a + num(r[k]), 0)]));
  out.labels_at = Math.max(...rows.map((r) => num(r.labels_at)));
  out.feature_names = [...new Set(rows.flatMap((r) => (Array.isArray(r.feature_names) ? (r.feature_names as string[]) : [])))];
  return out;
}

/** A quality row's counts (all 0 for a window or segment without rows). */
export function qualityCounts(q: QualityRow | undefined): QualityCounts {
  return {
    rows: num(q?.rows), labelled: num(q?.labelled), correct: num(q?.correct), tp: num(q?.tp), fp: num(q?.fp), tn: num(q?.tn), fn: num(q?.fn),
    numericRows: num(q?.numeric_rows), absError: num(q?.abs_error), squaredError: num(q?.squared_error), labelsAt: num(q?.labels_at) * 1000,
  };
}
