// Feature drill-down: one feature's PSI, KS, missing rate and data-quality shares over time, and its baseline vs current histogram.
import { CLICKHOUSE, dashboard, queryVariable, sql } from './lib/panels.js';
import { BASELINE_VS_CURRENT, NOT_A_FEATURE, statisticOverTime, statisticsOverTime } from './lib/clickhouse.js';

export const featureDrilldown = dashboard({
  uid: 'driftwatch-feature',
  title: 'driftwatch / Feature drill-down',
  description: 'PSI and KS of one feature per window, its missing rate, and its histogram against the active baseline.',
  tags: ['drift'],
  variables: [
    queryVariable('model', 'Model', CLICKHOUSE, 'SELECT DISTINCT model FROM drift_results ORDER BY model'),
    queryVariable('feature', 'Feature', CLICKHOUSE, `SELECT DISTINCT feature FROM drift_results WHERE model = \${model:sqlstring} AND ${NOT_A_FEATURE} ORDER BY feature`),
  ],
  sections: [
    {
      panels: [
        { title: 'PSI per window', type: 'timeseries', queries: [sql(statisticOverTime('psi'), 'timeseries')], red: 0.2 },
        { title: 'KS statistic per window', type: 'timeseries', description: 'From binned CDFs pushed down to ClickHouse: a lower bound of the exact D (see the ks rows\' upper_bound).', queries: [sql(statisticOverTime('ks'), 'timeseries')] },
        {
          title: 'Baseline vs current histogram (PSI bins)', type: 'barchart', w: 14, h: 9,
          description: 'Bin i holds values in [edge i, edge i+1) of the baseline deciles; current = predictions in the time range.',
          options: { xField: 'bin', orientation: 'vertical', legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
          unit: 'percentunit',
          queries: [sql(BASELINE_VS_CURRENT)],
        },
        { title: 'Missing rate per window', type: 'timeseries', w: 10, h: 9, unit: 'percentunit', queries: [sql(statisticOverTime('missing_rate'), 'timeseries')] },
        {
          title: 'Data quality per window', type: 'timeseries', w: 12, h: 8, unit: 'percentunit',
          description: 'Out-of-range share (numeric: values outside the baseline\'s [min, max]), unseen-category share (categorical) and type-mismatch share (values of another type than the baseline\'s).',
          queries: [sql(statisticsOverTime(['out_of_range_rate', 'unseen_rate', 'type_mismatch_rate'], 'share'), 'timeseries')],
        },
        {
          title: 'JS and Hellinger per window', type: 'timeseries', w: 12, h: 8,
          description: 'On bins that reach 1: the baseline deciles with its [min, max] as outer bins, or one per value for a discrete feature.',
          queries: [sql(statisticsOverTime(['js', 'hellinger'], 'distance'), 'timeseries')],
        },
        {
          title: 'Windows of this feature', type: 'table', w: 24, h: 8,
          queries: [sql(`SELECT window_start, window_end, statistic, value, p_value, n, baseline_version
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND feature = \${feature:sqlstring} AND $__timeFilter(window_end)
            ORDER BY window_end DESC, statistic
            LIMIT 500`)],
        },
      ],
    },
  ],
});
