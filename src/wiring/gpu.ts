// The GPU fleet inside the service: collectors from configuration, samples into ClickHouse, health signals onto
// /metrics, degradations into the same alert path as model drift.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { StreamDecision } from '../alerting/index.js';
import { GpuFleet } from '../collectors/fleet.js';
import type { Degradation } from '../collectors/health.js';
import type { MetricPoint } from '../collectors/health-metrics.js';
import type { Config } from '../config/index.js';
import type { Store } from '../store/index.js';
import { GPU_METRICS } from '../telemetry/names/gpu.js';
import type { Logger } from '../telemetry/log.js';

export function gpuConfigured(config: Config): boolean {
  const g = config.gpu;
  return g.dcgmTargets.length > 0 || !!g.dcgmTargetsFile || g.nvidiaSmiIntervalMs > 0 || !!g.ncclInspectorDir || !!g.ncclDebugDir;
}

/** A degradation transition as the alert lifecycle takes it (kind gpu_degradation, one alert per host/gpu/signal). */
export function degradationDecision(d: Degradation): StreamDecision {
  return {
    model: `gpu:${d.host}`,
    feature: `${d.gpu}/${d.kind}`,
    kind: 'gpu_degradation',
    outcome: d.status === 'firing' ? 'raised' : 'resolved',
    statistic: d.kind,
    value: d.value,
    reason: d.reason,
    severity: d.severity,
    window: { start: d.at, end: d.at },
    baselineVersion: '',
    evidence: { logEvidence: 0, logThreshold: 0, tolerance: d.threshold, windows: 1, rows: 0, baselineRows: 0 },
  };
}

/** Applies metric points to prom-client metrics created on first sight (names and help from telemetry/names/gpu). */
export function metricPointSink(registry: Registry): (points: MetricPoint[]) => void {
  const metrics = new Map<string, Gauge | Counter>();
  return (points) => {
    for (const p of points) {
      let m = metrics.get(p.name);
      if (!m) {
        const info = GPU_METRICS[p.name];
        const options = { name: p.name, help: info?.help ?? p.name, labelNames: info ? [...info.labels] : Object.keys(p.labels), registers: [registry] };
        m = (info?.type ?? (p.op === 'inc' ? 'counter' : 'gauge')) === 'counter' ? new Counter(options) : new Gauge(options);
        metrics.set(p.name, m);
      }
      if (m instanceof Counter) {
        if (p.op === 'inc') m.inc(p.labels, p.value); // a counter is never set backwards
      } else if (p.op === 'inc') m.inc(p.labels, p.value);
      else m.set(p.labels, p.value);
    }
  };
}

export function startGpuFleet(config: Config, store: Store, registry: Registry, logger: Logger, onDecisions: (d: StreamDecision[]) => Promise<unknown>): GpuFleet {
  const g = config.gpu;
  const fleet = new GpuFleet(
    {
      ...(g.dcgmTargets.length || g.dcgmTargetsFile ? { dcgm: { targets: g.dcgmTargets, ...(g.dcgmTargetsFile ? { targetsFile: g.dcgmTargetsFile } : {}) } } : {}),
      ...(g.nvidiaSmiIntervalMs > 0 ? { nvidiaSmi: { intervalMs: g.nvidiaSmiIntervalMs } } : {}),
      ...(g.ncclInspectorDir ? { inspector: { dir: g.ncclInspectorDir } } : {}),
      ...(g.ncclDebugDir ? { ncclDebug: { dir: g.ncclDebugDir } } : {}),
    },
    {
      sink: { insert: (table, rows) => store.insert(table, rows) },
      onDegradations: (events) => onDecisions(events.map(degradationDecision)).then(() => undefined),
      onMetrics: metricPointSink(registry),
      onError: (where, error) => logger.log('warn', 'gpu_collector_error', { where, error: error instanceof Error ? error.message : String(error) }),
    },
  );
  fleet.start();
  return fleet;
}
