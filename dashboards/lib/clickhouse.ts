// SQL shared by the ClickHouse panels. It runs on ClickHouse 18.16 and 24.x (no JSONExtract, no query
// parameters): Grafana fills $__timeFilter/$__fromTime/$__toTime and the ${var:sqlstring} literals.

/** drift_results feature names of the rows that are not features (src/evaluate/results.ts). */
export const QUALITY_FEATURE = '__quality__';
export const WINDOW_FEATURE = '__window__';
/** estimated quality before labels and multivariate drift (src/evaluate/estimate-window.ts) */
export const ESTIMATE_FEATURE = '__estimate__';
export const MULTIVARIATE_FEATURE = '__multivariate__';
export const ESTIMATED_IN = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'].map((m) => `'estimated_${m}'`).join(', ');
export const QUALITY_STATISTICS = ['accuracy', 'precision', 'recall', 'f1', 'mae', 'rmse'] as const;

const list = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');
export const NOT_A_FEATURE = `feature NOT IN ('${QUALITY_FEATURE}', '${WINDOW_FEATURE}', '${ESTIMATE_FEATURE}', '${MULTIVARIATE_FEATURE}')`;
export const QUALITY_IN = list(QUALITY_STATISTICS);

/** One statistic of the selected model's features over time, one series per feature. */
export function statisticOverTime(statistic: string, feature = 'feature IN (${feature:sqlstring})'): string {
  return `SELECT window_end AS time, feature, max(value) AS ${statistic}
    FROM drift_results FINAL
    WHERE model = \${model:sqlstring} AND statistic = '${statistic}' AND ${feature} AND $__timeFilter(window_end)
    GROUP BY time, feature
    ORDER BY time`;
}

/** Several statistics of the selected feature per window, one series per statistic (those that do not apply have no rows). */
export function statisticsOverTime(statistics: readonly string[], as: string): string {
  return `SELECT window_end AS time, statistic, max(value) AS ${as}
    FROM drift_results FINAL
    WHERE model = \${model:sqlstring} AND feature IN (\${feature:sqlstring}) AND statistic IN (${statistics.map((s) => `'${s}'`).join(', ')}) AND $__timeFilter(window_end)
    GROUP BY time, statistic
    ORDER BY time`;
}

/** The numbers of a JSON array field, found after the selected numeric feature's key in a baseline profile. */
function profileArray(field: 'edges' | 'counts'): string {
  // profiles are written {"features":{"<name>":{"kind":"numeric",…,"psi":{"edges":[…],"counts":[…]}…}…}: the first
  // "edges"/"counts" after the feature's key are its PSI bins
  const after = `substring(profile, position(profile, concat('"', \${feature:sqlstring}, '":{"kind":"numeric"')) + 1)`;
  return `arrayMap(x -> toFloat64(x), arrayFilter(x -> x != '', splitByChar(',', replaceAll(replaceAll(visitParamExtractRaw(${after}, '${field}'), '[', ''), ']', ''))))`;
}

const ACTIVE_BASELINE = `FROM baselines FINAL
    WHERE model = \${model:sqlstring} AND position(profile, concat('"', \${feature:sqlstring}, '":{"kind":"numeric"')) > 0
    ORDER BY created_at DESC
    LIMIT 1`;

/**
 * The selected feature's baseline histogram (PSI bins of the model's active baseline: the newest created_at)
 * beside the current one (the same bins over the predictions in the time range), as shares of rows.
 */
export const BASELINE_VS_CURRENT = `SELECT bin, baseline_share, current_share
FROM
(
  SELECT toUInt64(arrayJoin(arrayEnumerate(counts)) - 1) AS bin, counts[bin + 1] / arraySum(counts) AS baseline_share
  FROM (SELECT ${profileArray('counts')} AS counts ${ACTIVE_BASELINE})
) AS baseline_bins
ANY LEFT JOIN
(
  WITH (SELECT ${profileArray('edges')} ${ACTIVE_BASELINE}) AS edges
  SELECT toUInt64(arraySum(arrayMap(e -> v >= e, edges))) AS bin, count() / (
    SELECT count() FROM predictions FINAL ARRAY JOIN num_names AS n, num_values AS x
    WHERE model = \${model:sqlstring} AND n = \${feature:sqlstring} AND $__timeFilter(ts)
  ) AS current_share
  FROM predictions FINAL
  ARRAY JOIN num_names AS name, num_values AS v
  WHERE model = \${model:sqlstring} AND name = \${feature:sqlstring} AND $__timeFilter(ts)
  GROUP BY bin
) AS current_bins USING bin
ORDER BY bin`;
