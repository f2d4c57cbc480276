// The estimate push-down: one pass over a window counts its score histogram on the calibration's 2⁻¹⁴ grid and sums
// each row's PCA reconstruction error, computed as arithmetic over its feature values from the baseline's stored
// mean, σ and components. Node receives one row per calibration bin. Portable to ClickHouse 18.16 and 26.x.
import type { BaselineProfile } from '../baseline/index.js';
import { CALIBRATION_GRID } from '../stats/index.js';
import { sqlFloat } from '../store/sql.js';
import { layoutHashes, predictions, valueOf, windowFilter, type FeatureLayout, type WindowRange } from './sql.js';

/** The bin of rows without a score (prediction_num NULL). */
export const NO_SCORE_BIN = -1;

/** Whether the baseline gives the live window anything to estimate. */
export function hasEstimates(profile: BaselineProfile): boolean {
  return Boolean(profile.calibration || profile.multivariate);
}

/**
 * Where a PCA feature's value is in the query: a column `x` and its presence (null: in every row), or null when no
 * row has it. Default: read here (valueOf); folded into the numeric scan (estimate-fold.ts): that scan's own x{k}.
 */
export type PcaValue = (name: string, j: number) => { columns: string[]; x: string; present: string | null } | null;

const readHere = (layout: FeatureLayout | undefined): PcaValue => (name, j) => {
  const v = valueOf({ source: 'feature', name }, j, layout);
  return v.absent ? null : { columns: v.columns, x: `x${j}`, present: v.present };
};

/** Standardized value z_j of each PCA feature, the squared norm and the projections: the error's parts. */
export function errorExpression(profile: BaselineProfile, layout: FeatureLayout | undefined, value: PcaValue = readHere(layout)): { columns: string[]; error: string } {
  const m = profile.multivariate;
  if (!m) return { columns: [], error: 'toFloat64(0)' };
  const columns: string[] = [];
  const z = m.features.map((name, j) => {
    const v = value(name, j);
    if (!v) return null; // missing in every row: z = 0 (the mean)
    columns.push(...v.columns);
    const standardized = `(${v.x} - ${sqlFloat(m.mean[j])}) * ${sqlFloat(1 / m.std[j])}`;
    columns.push(`${v.present === null ? standardized : `if(${v.present}, ${standardized}, 0.)`} AS z${j}`);
    return `z${j}`;
  });
  const used = z.flatMap((name, j) => (name ? [{ name, j }] : []));
  if (used.length === 0) return { columns, error: 'toFloat64(0)' };
  const dot = (w: readonly number[], c: number) => columns.push(`(${used.map(({ name, j }) => `${sqlFloat(w[j])} * ${name}`).join(' + ')}) AS pc${c}`);
  // fewer dot products: over the eigenvectors left out when they are fewer than the kept ones (pca.ts)
  if (m.residual && m.residual.length > 0 && m.residual.length < m.components.length && m.residual.every((u) => u.length === m.features.length)) {
    m.residual.forEach(dot);
    return { columns, error: `sqrt(${m.residual.map((_, c) => `pc${c} * pc${c}`).join(' + ')})` };
  }
  const norm = used.map(({ name }) => `${name} * ${name}`).join(' + ');
  m.components.forEach(dot);
  const projected = m.components.map((_, c) => `pc${c} * pc${c}`).join(' + ');
  return { columns, error: `sqrt(greatest(0., ${norm} - (${projected})))` };
}

/**
 * `bin, error_bin, c, error_sum` rows: bin = how many calibration edges are ≤ the score (NO_SCORE_BIN without a
 * score; 0 for every row when the baseline has no calibration), error_bin = how many training error deciles are ≤
 * the row's reconstruction error, their rows and summed reconstruction error.
 */
/** The score's cell on the calibration grid (−2 without a score), its calibration bin from `cell`, and the error's decile bin from `err`. */
export function binExpressions(profile: BaselineProfile): { cell: string; bin: string; errorBin: string; errorBins: number } {
  const c = profile.calibration ?? null;
  const cell = `if(isNull(prediction_num), toInt32(-2), toInt32(greatest(-1., least(${CALIBRATION_GRID}., floor(assumeNotNull(prediction_num) * ${CALIBRATION_GRID}.)))))`;
  // edges are grid points, so "edge ≤ score" is "edge cell ≤ the score's cell"; counted over the few distinct cells only
  const edgeCells = c && c.edges.length ? `[${c.edges.map((e) => Math.round(e * CALIBRATION_GRID)).join(', ')}]` : null;
  const bin = edgeCells ? `if(cell = -2, ${NO_SCORE_BIN}, toInt32(arraySum(arrayMap(e -> toInt32(e <= cell), ${edgeCells}))))` : `if(cell = -2, ${NO_SCORE_BIN}, 0)`;
  // the error's decile bin against the training errors (the multivariate stream): plain comparisons, few per row
  const edges = profile.multivariate?.error_edges ?? [];
  const errorBin = edges.length ? `toUInt8(${edges.map((e) => `(err >= ${sqlFloat(e)})`).join(' + ')})` : 'toUInt8(0)';
  return { cell, bin, errorBin, errorBins: edges.length + 1 };
}

export function estimateSql(w: WindowRange, profile: BaselineProfile, final: boolean, layout?: FeatureLayout, segment?: string): string {
  const { columns, error } = errorExpression(profile, layout);
  const { cell, bin, errorBin } = binExpressions(profile);
  const source = predictions(final);
  // with a segment column (segments.ts): `seg, bin, error_bin, c, error_sum`
  const seg = segment ? 'seg, ' : '';
  if (!profile.multivariate) {
    // scores alone (no PCA, or its error from a sample: pca-sample.ts): counted per cell + 2 as UInt16, which
    // ClickHouse counts in a flat table rather than a hash table
    return `SELECT ${seg}${bin} AS bin, toUInt8(0) AS error_bin, sum(n) AS c, toFloat64(0) AS error_sum FROM (
  SELECT ${seg}toInt32(cell2) - 2 AS cell, n FROM (
    SELECT ${seg}cell2, count() AS n FROM (
      SELECT ${[...(segment ? [segment] : []), `toUInt16(${cell} + 2) AS cell2`].join(', ')}
      FROM ${source} WHERE ${windowFilter(w)}
    ) GROUP BY ${seg}cell2
  )
) GROUP BY ${seg}bin`;
  }
  return `SELECT ${seg}${bin} AS bin, error_bin, sum(n) AS c, sum(e) AS error_sum FROM (
  SELECT ${seg}cell, ${errorBin} AS error_bin, count() AS n, sum(err) AS e FROM (
    ${layoutHashes(layout)}SELECT ${[...(segment ? [segment] : []), ...columns, `${cell} AS cell`, `${error} AS err`].join(', ')}
    FROM ${source} WHERE ${windowFilter(w)}
  ) GROUP BY ${seg}cell, error_bin
) GROUP BY ${seg}bin, error_bin`;
}

/**
 * The estimate query that fits `maxChars` (ClickHouse refuses queries beyond max_query_size): by layout, else by
 * name, else without the PCA part (a very wide PCA — hundreds of features × components — is then only offline).
 */
export function fittingEstimateSql(w: WindowRange, profile: BaselineProfile, final: boolean, layout: FeatureLayout | undefined, maxChars: number, segment?: string): { sql: string; profile: BaselineProfile } | null {
  for (const p of [profile, { ...profile, multivariate: null }]) {
    if (!hasEstimates(p)) continue;
    for (const l of [layout, undefined]) {
      const sql = estimateSql(w, p, final, l, segment);
      // the profile the query was written from: without the PCA part, no multivariate result
      if (sql.length <= maxChars) return { sql, profile: p };
    }
  }
  return null;
}
