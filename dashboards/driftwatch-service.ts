// driftwatch itself: is it up, is ingest keeping up, are windows evaluated, are alerts delivered.
import * as N from '../src/telemetry/names/index.js';
import { PROMETHEUS, dashboard, prom, queryVariable } from './lib/panels.js';

const I = '{instance=~"$instance"}';
const rate = (metric: string, labels = I) => `rate(${metric}${labels}[$__rate_interval])`;
const p = (q: number, histogram: string, by: string) => `histogram_quantile(${q}, sum by (le, ${by}) (${rate(`${histogram}_bucket`)}))`;

export const driftwatchService = dashboard({
  uid: 'driftwatch-service',
  title: 'driftwatch / Service',
  description: 'Health of driftwatch: ingest rate and lag, dead letters, ClickHouse writes, evaluation latency and freshness, alert delivery per sink, HTTP API and process.',
  tags: ['service'],
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  variables: [queryVariable('instance', 'Instance', PROMETHEUS, 'label_values(up{job="driftwatch"}, instance)', { multi: true, includeAll: true })],
  sections: [
    {
      panels: [
        { title: 'Up', type: 'stat', w: 4, h: 5, queries: [prom(`up{job="driftwatch", instance=~"$instance"}`, '{{instance}}')] },
        { title: 'ClickHouse writes OK', type: 'stat', w: 4, h: 5, queries: [prom(`min(${N.INGEST_STORE_UP}${I})`)] },
        { title: 'Ingest lag (max)', type: 'stat', w: 4, h: 5, unit: 's', red: 600, queries: [prom(`max(${N.INGEST_LAG_SECONDS}${I})`)] },
        { title: 'Dead letters (1h)', type: 'stat', w: 4, h: 5, red: 1, queries: [prom(`sum(increase(${N.INGEST_DEAD_LETTERS_TOTAL}${I}[1h])) or vector(0)`)] },
        { title: 'Oldest evaluated window end', type: 'stat', w: 4, h: 5, unit: 's', red: 10_800, queries: [prom(`time() - min(${N.LAST_EVALUATED_WINDOW_END_SECONDS}${I})`)] },
        { title: 'Alert outbox pending', type: 'stat', w: 4, h: 5, red: 100, queries: [prom(`sum(${N.ALERT_OUTBOX_PENDING}${I}) or vector(0)`)] },
      ],
    },
    {
      row: 'Ingest',
      panels: [
        { title: 'Messages per second by kind and outcome', type: 'timeseries', unit: 'reqps', queries: [prom(`sum by (kind, outcome) (${rate(N.INGEST_MESSAGES_TOTAL)})`, '{{kind}} {{outcome}}')] },
        { title: 'Ingest lag by topic', type: 'timeseries', unit: 's', red: 600, queries: [prom(`max by (topic) (${N.INGEST_LAG_SECONDS}${I})`, '{{topic}}')] },
        { title: 'Dead letters per second by reason', type: 'timeseries', unit: 'reqps', queries: [prom(`sum by (source, reason) (${rate(N.INGEST_DEAD_LETTERS_TOTAL)})`, '{{source}} {{reason}}')] },
        {
          title: 'ClickHouse batch write time', type: 'timeseries', unit: 's',
          queries: [prom(p(0.5, N.INGEST_BATCH_SECONDS, 'instance'), 'p50 {{instance}}'), prom(p(0.99, N.INGEST_BATCH_SECONDS, 'instance'), 'p99 {{instance}}')],
        },
        { title: 'Batches by outcome', type: 'timeseries', queries: [prom(`sum by (outcome) (${rate(N.INGEST_BATCHES_TOTAL)})`, '{{outcome}}')] },
        { title: 'ClickHouse write retries', type: 'timeseries', queries: [prom(`sum(${rate(N.INGEST_STORE_RETRIES_TOTAL)})`, 'retries/s')] },
      ],
    },
    {
      row: 'Evaluation',
      panels: [
        {
          title: 'Evaluation latency per window', type: 'timeseries', unit: 's',
          queries: [prom(p(0.5, N.EVALUATION_SECONDS, 'kind'), 'p50 {{kind}}'), prom(p(0.99, N.EVALUATION_SECONDS, 'kind'), 'p99 {{kind}}')],
        },
        { title: 'Evaluations by outcome', type: 'timeseries', queries: [prom(`sum by (model, outcome) (increase(${N.EVALUATIONS_TOTAL}${I}[$__rate_interval]))`, '{{model}} {{outcome}}')] },
        { title: 'Age of the newest evaluated window, per model', type: 'timeseries', unit: 's', queries: [prom(`time() - max by (model) (${N.LAST_EVALUATED_WINDOW_END_SECONDS}${I})`, '{{model}}')] },
        { title: 'Rows in the last window, per model', type: 'timeseries', queries: [prom(`max by (model) (${N.WINDOW_ROWS}{instance=~"$instance",segment=""})`, '{{model}}')] },
      ],
    },
    {
      row: 'Alert delivery',
      panels: [
        { title: 'Deliveries by sink and outcome', type: 'timeseries', queries: [prom(`sum by (sink, outcome) (increase(${N.ALERT_DELIVERIES_TOTAL}${I}[$__rate_interval]))`, '{{sink}} {{outcome}}')] },
        { title: 'Alert transitions', type: 'timeseries', queries: [prom(`sum by (status) (increase(${N.ALERT_TRANSITIONS_TOTAL}${I}[$__rate_interval]))`, '{{status}}')] },
      ],
    },
    {
      row: 'HTTP API and process',
      panels: [
        { title: 'HTTP requests by route and status', type: 'timeseries', unit: 'reqps', queries: [prom(`sum by (route, status) (${rate(N.HTTP_REQUESTS_TOTAL)})`, '{{route}} {{status}}')] },
        { title: 'HTTP latency p99 by route', type: 'timeseries', unit: 's', queries: [prom(p(0.99, N.HTTP_REQUEST_SECONDS, 'route'), '{{route}}')] },
        { title: 'Rate-limited requests', type: 'timeseries', queries: [prom(`sum by (caller) (${rate(N.HTTP_RATE_LIMITED_TOTAL)})`, '{{caller}}')] },
        { title: 'CPU', type: 'timeseries', unit: 'percentunit', queries: [prom(rate(N.PROCESS_CPU_SECONDS_TOTAL), '{{instance}}')] },
        { title: 'Resident memory', type: 'timeseries', unit: 'bytes', queries: [prom(`${N.PROCESS_RESIDENT_MEMORY_BYTES}${I}`, '{{instance}}')] },
        { title: 'Event-loop lag p99', type: 'timeseries', unit: 's', queries: [prom(`${N.NODEJS_EVENTLOOP_LAG_P99_SECONDS}${I}`, '{{instance}}')] },
      ],
    },
  ],
});
