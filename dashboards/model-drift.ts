// Model drift overview: what is firing now, which features drifted most, and how their PSI moved.
import * as N from '../src/telemetry/names/index.js';
import { CLICKHOUSE, dashboard, prom, promTable, queryVariable, sql } from './lib/panels.js';
import { NOT_A_FEATURE, WINDOW_FEATURE } from './lib/clickhouse.js';

export const modelDrift = dashboard({
  uid: 'driftwatch-model-drift',
  title: 'driftwatch / Model drift overview',
  description: 'Firing drift alerts, the worst-drifting features of a model, and its windows. Drill into a feature from the table.',
  tags: ['drift'],
  variables: [queryVariable('model', 'Model', CLICKHOUSE, 'SELECT DISTINCT model FROM drift_results ORDER BY model')],
  sections: [
    {
      panels: [
        { title: 'Drift alerts firing', type: 'stat', w: 6, h: 5, red: 1, queries: [prom(`sum(${N.ALERTS_FIRING}) or vector(0)`)] },
        { title: 'Models with firing alerts', type: 'table', w: 18, h: 5, queries: [promTable(`sum by (model, kind) (${N.ALERTS_FIRING}) > 0`)] },
      ],
    },
    {
      row: 'Features of $model',
      panels: [
        {
          title: 'Worst features (latest PSI in range)', type: 'table', w: 10, h: 10,
          description: 'PSI of each feature in its newest window of the time range; > 0.2 is commonly read as drifted, but driftwatch pages on its sequential test, not on this threshold.',
          options: { sortBy: [{ displayName: 'psi', desc: true }] },
          queries: [sql(`SELECT feature, argMax(value, window_end) AS psi, max(window_end) AS last_window, argMax(n, window_end) AS rows
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND statistic = 'psi' AND ${NOT_A_FEATURE} AND $__timeFilter(window_end)
            GROUP BY feature
            ORDER BY psi DESC
            LIMIT 20`)],
        },
        {
          title: 'PSI of the 5 worst features', type: 'timeseries', w: 14, h: 10,
          queries: [sql(`SELECT window_end AS time, feature, max(value) AS psi
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND statistic = 'psi' AND $__timeFilter(window_end)
              AND feature IN (
                SELECT feature FROM drift_results FINAL
                WHERE model = \${model:sqlstring} AND statistic = 'psi' AND ${NOT_A_FEATURE} AND $__timeFilter(window_end)
                GROUP BY feature ORDER BY max(value) DESC LIMIT 5)
            GROUP BY time, feature
            ORDER BY time`, 'timeseries')],
        },
        {
          title: 'Data quality now (out-of-range, unseen, type mismatch)', type: 'table', w: 24, h: 7,
          description: 'Per feature, the shares in its last evaluated window (gauges; the whole model, not its segments): values outside the baseline\'s range, categories the baseline never saw, values of another type. driftwatch pages when out-of-range or unseen shares rise beyond policy tolerance.dataQuality.',
          unit: 'percentunit',
          queries: [
            promTable(`max by (feature) (${N.FEATURE_OUT_OF_RANGE_RATIO}{model="$model",segment=""})`),
            promTable(`max by (feature) (${N.FEATURE_UNSEEN_RATIO}{model="$model",segment=""})`),
            promTable(`max by (feature) (${N.FEATURE_TYPE_MISMATCH_RATIO}{model="$model",segment=""})`),
          ],
        },
        {
          title: 'Rows per window', type: 'timeseries', w: 12, h: 7,
          queries: [sql(`SELECT window_end AS time, max(value) AS rows
            FROM drift_results FINAL
            WHERE model = \${model:sqlstring} AND feature = '${WINDOW_FEATURE}' AND statistic = 'rows' AND $__timeFilter(window_end)
            GROUP BY time ORDER BY time`, 'timeseries')],
        },
        {
          title: 'Alert transitions', type: 'table', w: 12, h: 7,
          queries: [sql(`SELECT at, feature, kind, status, statistic, value, reason
            FROM alert_events
            WHERE model = \${model:sqlstring} AND $__timeFilter(at)
            ORDER BY at DESC
            LIMIT 100`)],
        },
      ],
    },
  ],
});
