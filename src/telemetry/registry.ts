// The one /metrics of driftwatch: prom-client's registry (domain and process metrics) followed by the
// OpenTelemetry instruments, read through @opentelemetry/exporter-prometheus; a family is never served twice.
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { metrics as otelMetrics } from '@opentelemetry/sdk-node';
import type { Meter } from '@opentelemetry/api';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { PROCESS_PREFIX } from './names/process.js';

export interface Telemetry {
  /** prom-client registry: ingest, evaluation, alerting, GPU and process metrics */
  registry: Registry;
  /** OpenTelemetry meter whose instruments land on the same /metrics */
  meter: Meter;
  contentType: string;
  /** The exposition text of both, OTel families that prom-client already serves left out. */
  metrics(): Promise<string>;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** process and Node.js runtime metrics (default true; tests turn them off to stay small) */
  processMetrics?: boolean;
  /** called with the names of OTel families dropped because prom-client serves the same name */
  onDuplicate?: (names: string[]) => void;
}

const FAMILY = /^# TYPE (\S+) /gm;

/** Family names declared in an exposition text (its `# TYPE` lines). */
export function familyNames(text: string): string[] {
  return [...text.matchAll(FAMILY)].map((m) => m[1]);
}

/** Splits an exposition text into families: each starts at its first `# HELP`/`# TYPE` line. */
function families(text: string): Array<{ name: string; lines: string[] }> {
  const out: Array<{ name: string; lines: string[] }> = [];
  for (const line of text.split('\n')) {
    const m = /^# (?:HELP|TYPE|UNIT) (\S+)/.exec(line);
    if (m && m[1] !== out.at(-1)?.name) out.push({ name: m[1], lines: [] });
    if (line !== '') out.at(-1)?.lines.push(line);
  }
  return out;
}

export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: PROCESS_PREFIX });
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true, withoutTargetInfo: true });
  const provider = new otelMetrics.MeterProvider({ readers: [exporter] });
  const serializer = new PrometheusSerializer('', false, undefined, true, true);
  return {
    registry,
    meter: provider.getMeter('driftwatch'),
    contentType: registry.contentType,
    async metrics() {
      const promText = await registry.metrics();
      const taken = new Set(familyNames(promText));
      const { resourceMetrics } = await exporter.collect();
      const otel = families(serializer.serialize(resourceMetrics));
      const dropped = otel.filter((f) => taken.has(f.name)).map((f) => f.name);
      if (dropped.length) options.onDuplicate?.(dropped);
      const kept = otel.filter((f) => !taken.has(f.name)).map((f) => `${f.lines.join('\n')}\n`).join('');
      return `${promText.replace(/\n*$/, '\n')}${kept}`;
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}
