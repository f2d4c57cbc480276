// The PCA reconstruction error of a large window over a time sample: per row it is ~300 arithmetic operations on the
// feature values, the dearest part of a window by far (bench:evaluate), while its mean and its decile counts are as
// good from a few hundred thousand rows as from ten million. Beyond `target` rows, it is computed over evenly spread
// whole-second slices of the window: predictions are ordered by (model, ts), so ClickHouse reads only those slices'
// granules, and one subquery per slice (an OR of ranges is filtered row by row on 18.16) keeps it so on both engines.
// The score histogram (CBPE) always counts every row. Portable to ClickHouse 18.16 and 26.x.
import type { BaselineProfile } from '../baseline/index.js';
import { binExpressions, errorExpression } from './estimate-sql.js';
import { layoutHashes, predictions, windowFilter, type FeatureLayout, type WindowRange } from './sql.js';

/** Default most rows a window's reconstruction error is computed over (DRIFTWATCH_MULTIVARIATE_SAMPLE_ROWS). */
export const DEFAULT_MULTIVARIATE_SAMPLE_ROWS = 200_000;

/** The `bin` of the sample's rows: they count for the reconstruction error only, never for the score histogram. */
export const PCA_SAMPLE_BIN = -3;

/** At most this many slices (a subquery each): enough spread over a window, few enough to stay cheap to plan. */
const MAX_SLICES = 16;

/**
 * [start, end) epoch-ms slices on whole seconds holding about `target` of the window's `rows` (about, as the rows
 * per second vary), evenly spread over it; null when the window is not larger than the target (every row is used).
 */
export function sampleSlices(start: number, end: number, rows: number, target: number): Array<[number, number]> | null {
  const seconds = Math.floor((end - start) / 1000);
  if (!(target > 0) || rows <= target || seconds < 2) return null;
  const wanted = Math.max(1, Math.ceil((seconds * target) / rows)); // seconds to sample
  if (wanted >= seconds) return null;
  const length = Math.ceil(wanted / MAX_SLICES);
  const count = Math.min(MAX_SLICES, Math.ceil(wanted / length));
  return Array.from({ length: count }, (_, i) => {
    const from = start + Math.floor((seconds * i) / count) * 1000;
    return [from, Math.min(end, from + length * 1000)] as [number, number];
  });
}

/**
 * `[seg,] bin, error_bin, c, error_sum` rows over the slices' rows, bin = PCA_SAMPLE_BIN: the estimate query's
 * reconstruction-error part (estimate-sql.ts) without the score.
 */
export function pcaSampleSql(w: WindowRange, slices: ReadonlyArray<[number, number]>, profile: BaselineProfile, final: boolean, layout?: FeatureLayout, segment?: string): string {
  const { columns, error } = errorExpression(profile, layout);
  const { errorBin } = binExpressions(profile);
  const seg = segment ? 'seg, ' : '';
  const source = slices
    .map(([a, b]) => `SELECT * FROM ${predictions(final)} WHERE ${windowFilter({ model: w.model, start: a, end: b })}`)
    .join('\n    UNION ALL ');
  return `SELECT ${seg}toInt32(${PCA_SAMPLE_BIN}) AS bin, ${errorBin} AS error_bin, count() AS c, sum(err) AS error_sum FROM (
  ${layoutHashes(layout)}SELECT ${[...(segment ? [segment] : []), ...columns, `${error} AS err`].join(', ')}
  FROM (${source})
) GROUP BY ${seg}error_bin`;
}
