// Model quality: accuracy & co. per window once labels arrive, with the label coverage they rest on.
import { CLICKHOUSE, dashboard, queryVariable, sql } from './lib/panels.js';
import { ESTIMATE_FEATURE, ESTIMATED_IN, MULTIVARIATE_FEATURE, QUALITY_FEATURE, QUALITY_IN } from './lib/clickhouse.js';

/** One series per statistic of one of the model's pseudo-features, per window. */
function perWindow(feature: string, statistics: string): ReturnType<typeof sql> {
  return sql(`SELECT window_end AS time, statistic, max(value) AS value
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND feature = '${feature}' AND ${statistics} AND $__timeFilter(window_end)
            GROUP BY time, statistic
            ORDER BY time`, 'timeseries');
}

/** The newest value of each statistic of one of the model's pseudo-features. */
function latest(feature: string, statistics: string): ReturnType<typeof sql> {
  return sql(`SELECT statistic, argMax(value, window_end) AS value
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND feature = '${feature}' AND ${statistics} AND $__timeFilter(window_end)
            GROUP BY statistic
            ORDER BY statistic`);
}

export const modelQuality = dashboard({
  uid: 'driftwatch-model-quality',
  title: 'driftwatch / Model quality',
  description: 'Quality metrics per window from late-arriving labels; read them together with the label coverage.',
  tags: ['quality'],
  variables: [queryVariable('model', 'Model', CLICKHOUSE, 'SELECT DISTINCT model FROM drift_results ORDER BY model')],
  sections: [
    {
      panels: [
        {
          title: 'Quality per window', type: 'timeseries', w: 16, h: 9,
          queries: [perWindow(QUALITY_FEATURE, `statistic IN (${QUALITY_IN})`)],
        },
        {
          title: 'Latest quality', type: 'stat', w: 8, h: 9,
          queries: [latest(QUALITY_FEATURE, `statistic IN (${QUALITY_IN})`)],
        },
        {
          title: 'Label coverage per window', type: 'timeseries', w: 24, h: 7, unit: 'percentunit', min: 0, max: 1,
          description: 'Share of the window\'s predictions that have a label; quality on low coverage is noisy and may still change.',
          queries: [sql(`SELECT window_end AS time, max(value) AS label_coverage
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND feature = '${QUALITY_FEATURE}' AND statistic = 'label_coverage' AND $__timeFilter(window_end)
            GROUP BY time
            ORDER BY time`, 'timeseries')],
        },
      ],
    },
    {
      row: 'Before the labels: estimated quality and multivariate drift',
      panels: [
        {
          title: 'Estimated vs realized accuracy', type: 'timeseries', w: 16, h: 9, min: 0, max: 1,
          description: 'Accuracy estimated from calibrated scores (CBPE) for every window, beside the realized accuracy once labels land. The estimate assumes no concept drift: when the two part, P(label | features) changed.',
          queries: [sql(`SELECT window_end AS time, if(feature = '${ESTIMATE_FEATURE}', 'estimated', 'realized') AS series, max(value) AS value
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND ((feature = '${ESTIMATE_FEATURE}' AND statistic = 'estimated_accuracy') OR (feature = '${QUALITY_FEATURE}' AND statistic = 'accuracy')) AND $__timeFilter(window_end)
            GROUP BY time, series
            ORDER BY time`, 'timeseries')],
        },
        {
          title: 'Latest estimates', type: 'stat', w: 8, h: 9,
          queries: [latest(ESTIMATE_FEATURE, `statistic IN (${ESTIMATED_IN})`)],
        },
        {
          title: 'Estimation error once labels landed (estimated − realized)', type: 'timeseries', w: 12, h: 7,
          queries: [perWindow(ESTIMATE_FEATURE, "startsWith(statistic, 'estimation_error_')")],
        },
        {
          title: 'Multivariate drift: PCA reconstruction error', type: 'timeseries', w: 12, h: 7,
          description: 'Mean reconstruction error per window; drift when it leaves the baseline mean ± 3σ (a change in how features move together shows here even when every feature alone looks unchanged).',
          queries: [sql(`SELECT window_end AS time, max(value) AS reconstruction_error
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND feature = '${MULTIVARIATE_FEATURE}' AND statistic = 'reconstruction_error' AND $__timeFilter(window_end)
            GROUP BY time
            ORDER BY time`, 'timeseries')],
        },
      ],
    },
  ],
});
