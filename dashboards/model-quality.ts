// Model quality: accuracy & co. per window once labels arrive, with the label coverage they rest on.
import { CLICKHOUSE, dashboard, queryVariable, sql } from './lib/panels.js';
import { QUALITY_FEATURE, QUALITY_IN } from './lib/clickhouse.js';

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
          queries: [sql(`SELECT window_end AS time, statistic, max(value) AS value
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND feature = '${QUALITY_FEATURE}' AND statistic IN (${QUALITY_IN}) AND $__timeFilter(window_end)
            GROUP BY time, statistic
            ORDER BY time`, 'timeseries')],
        },
        {
          title: 'Latest quality', type: 'stat', w: 8, h: 9,
          queries: [sql(`SELECT statistic, argMax(value, window_end) AS value
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND feature = '${QUALITY_FEATURE}' AND statistic IN (${QUALITY_IN}) AND $__timeFilter(window_end)
            GROUP BY statistic
            ORDER BY statistic`)],
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
  ],
});
