// Every metric name driftwatch exports, one module per area; dashboards and alert-rule tests import from here.
import * as alerting from './alerting.js';
import * as api from './api.js';
import * as evaluate from './evaluate.js';
import * as gpu from './gpu.js';
import * as ingest from './ingest.js';
import * as process from './process.js';

export * from './alerting.js';
export * from './api.js';
export * from './evaluate.js';
export * from './gpu.js';
export * from './ingest.js';
export * from './process.js';

const SERIES_SUFFIXES = ['_bucket', '_sum', '_count'];

/** The metric (family) names driftwatch exports on /metrics. */
export const EXPORTED_METRICS: ReadonlySet<string> = new Set(
  [alerting, api, evaluate, gpu, ingest, process]
    .flatMap((m) => Object.values(m))
    .filter((v): v is string => typeof v === 'string' && /^driftwatch_[a-z0-9_]+[a-z0-9]$/.test(v)),
);

/** True when `series` is an exported metric or a histogram/summary series of one (`_bucket`, `_sum`, `_count`). */
export function isExportedSeries(series: string): boolean {
  if (EXPORTED_METRICS.has(series)) return true;
  return SERIES_SUFFIXES.some((s) => series.endsWith(s) && EXPORTED_METRICS.has(series.slice(0, -s.length)));
}
