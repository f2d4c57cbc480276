// NCCL collectives: bus bandwidth by collective and message size, against the learned baseline of each shape.
import * as N from '../src/telemetry/names/index.js';
import { PROMETHEUS, dashboard, prom, promTable, queryVariable, sql } from './lib/panels.js';

export const nccl = dashboard({
  uid: 'driftwatch-nccl',
  title: 'driftwatch / NCCL collectives',
  description: 'Bus bandwidth (GB/s, 1e9 B/s) per collective and message size from NCCL Inspector and nccl-tests, the expected bandwidth driftwatch learned per shape, and transport fallbacks.',
  tags: ['gpu', 'nccl'],
  variables: [
    // one collective (or All = .*) so the same value works as a PromQL regex and in the SQL match()
    queryVariable('collective', 'Collective', PROMETHEUS, `label_values(${N.NCCL_BUSBW_GBS}, collective)`, { includeAll: true }),
    queryVariable('host', 'Host', PROMETHEUS, `label_values(${N.NCCL_BUSBW_GBS}, host)`, { multi: true, includeAll: true }),
  ],
  sections: [
    {
      panels: [
        { title: 'Bus bandwidth by collective and size', type: 'timeseries', unit: 'GBs', queries: [prom(`max by (collective, size_bucket) (${N.NCCL_BUSBW_GBS}{collective=~"$collective", host=~"$host"})`, '{{collective}} {{size_bucket}}')] },
        {
          title: 'Bus bandwidth / expected', type: 'timeseries', unit: 'percentunit', red: 0.7, min: 0,
          description: 'Below 0.7 for 10 minutes fires NcclBandwidthDrop.',
          queries: [prom(`${N.NCCL_BUSBW_GBS}{collective=~"$collective", host=~"$host"} / on (collective, size_bucket, nranks) group_left ${N.NCCL_BUSBW_EXPECTED_GBS}`, '{{host}} {{collective}} {{size_bucket}} n={{nranks}}')],
        },
        {
          title: 'Bus bandwidth by message size (stored records)', type: 'barchart', w: 16, h: 9, unit: 'GBs',
          description: 'Average busbw per message size over the time range, from the nccl_collectives table: the nccl-tests curve.',
          options: { xField: 'size', orientation: 'vertical' },
          queries: [sql(`SELECT formatReadableSize(bytes) AS size, collective, avg(busbw_gbs) AS busbw_gbs
            FROM nccl_collectives
            WHERE $__timeFilter(ts) AND match(collective, concat('^', \${collective:sqlstring}, '$'))
            GROUP BY bytes, collective
            ORDER BY bytes, collective`)],
        },
        { title: 'Expected bus bandwidth per shape', type: 'table', w: 8, h: 9, queries: [promTable(`${N.NCCL_BUSBW_EXPECTED_GBS}{collective=~"$collective"}`)] },
        { title: 'Transport fallbacks', type: 'table', w: 24, h: 6, queries: [promTable(`${N.NCCL_TRANSPORT_FALLBACK} == 1`)] },
      ],
    },
  ],
});
