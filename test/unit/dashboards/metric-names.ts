// Which metric names a PromQL expression names, and which names the stack really has: driftwatch's
// constants (src/telemetry/names) and the dcgm-exporter fields driftwatch deploys (collectors/dcgm-exporter-counters.csv).
import { readFileSync } from 'node:fs';
import { isExportedSeries } from '../../../src/telemetry/names/index.js';

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** Metric names in an expression: identifiers left once strings, label matchers, grouping clauses, ranges and function names are gone. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    if (!KEYWORDS.has(m[1].toLowerCase()) && !/^\d/.test(m[1])) names.add(m[1]);
  }
  return [...names];
}

export function dcgmFields(): Set<string> {
  const csv = readFileSync(new URL('../../../collectors/dcgm-exporter-counters.csv', import.meta.url), 'utf8');
  return new Set(csv.split('\n').map((l) => l.split(',')[0].trim()).filter((f) => f.startsWith('DCGM_FI_')));
}

/** Names Prometheus itself makes (scrape health) that panels and rules may use. */
export const PROMETHEUS_NAMES = new Set(['up', 'scrape_duration_seconds']);

export function unknownMetrics(expr: string, dcgm = dcgmFields()): string[] {
  return metricNames(expr).filter((n) => !isExportedSeries(n) && !dcgm.has(n) && !PROMETHEUS_NAMES.has(n));
}
