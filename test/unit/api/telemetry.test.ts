// The one /metrics: prom-client families and OpenTelemetry instruments together, no family twice;
// alert delivery counted per sink; the names index covers histogram series.
import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { buildApp } from '../../../src/api/app.js';
import { alertingMetrics } from '../../../src/telemetry/alerting-metrics.js';
import * as N from '../../../src/telemetry/names/index.js';
import { createTelemetry, familyNames } from '../../../src/telemetry/registry.js';
import { recordingWriter } from './fakes.js';

describe('createTelemetry', () => {
  it('serves prom-client and OTel families in one text and drops an OTel family prom-client already has', async () => {
    const dropped: string[][] = [];
    const t = createTelemetry({ onDuplicate: (names) => dropped.push(names) });
    new Counter({ name: 'driftwatch_same_total', help: 'from prom-client', registers: [t.registry] }).inc(3);
    t.meter.createCounter('driftwatch_same_total', { description: 'from otel' }).add(5);
    t.meter.createCounter('driftwatch_otel_only_total', { description: 'otel' }).add(2);
    const text = await t.metrics();
    const names = familyNames(text);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['driftwatch_same_total', 'driftwatch_otel_only_total', N.PROCESS_CPU_SECONDS_TOTAL, N.PROCESS_RESIDENT_MEMORY_BYTES]));
    expect(text).toContain('driftwatch_same_total 3');
    expect(text).not.toContain('driftwatch_same_total 5');
    expect(text).toContain('driftwatch_otel_only_total 2');
    expect(dropped).toEqual([['driftwatch_same_total']]);
    await t.shutdown();
  });

  it('counts HTTP requests through OTel on the app /metrics, beside prom-client metrics', async () => {
    const t = createTelemetry({ processMetrics: false });
    const app = await buildApp({ tokens: [], registry: t.registry, telemetry: t, writer: recordingWriter(), maxMessageBytes: 1000, models: [], readiness: {} });
    await app.inject({ url: '/healthz' });
    await app.inject({ url: '/v1/models' });
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(new RegExp(`^${N.HTTP_REQUESTS_TOTAL}\\{route="/healthz",method="GET",status="200"\\} 1$`, 'm'));
    expect(text).toMatch(new RegExp(`^${N.HTTP_REQUESTS_TOTAL}\\{route="/v1/models",method="GET",status="401"\\} 1$`, 'm'));
    expect(text).toMatch(new RegExp(`^${N.HTTP_REQUEST_SECONDS}_bucket\\{route="/healthz",method="GET",le="\\+Inf"\\} 1$`, 'm'));
    await app.close();
    await t.shutdown();
  });
});

describe('alertingMetrics', () => {
  it('counts each settled delivery under its sink and outcome', async () => {
    const registry = new Registry();
    const m = alertingMetrics(registry);
    m.recordDrain({
      delivered: ['dw-a:1:pagerduty', 'dw-b:2:pagerduty', 'dw-a:1:alertmanager'],
      rejected: [{ id: 'dw-c:1:webhook' }], expired: [], retrying: [{ id: 'dw-d:1:pagerduty' }],
    });
    m.setFiring([{ model: 'fraud', kind: 'feature_drift' }, { model: 'fraud', kind: 'feature_drift' }]);
    const text = await registry.metrics();
    expect(text).toContain(`${N.ALERT_DELIVERIES_TOTAL}{sink="pagerduty",outcome="delivered"} 2`);
    expect(text).toContain(`${N.ALERT_DELIVERIES_TOTAL}{sink="alertmanager",outcome="delivered"} 1`);
    expect(text).toContain(`${N.ALERT_DELIVERIES_TOTAL}{sink="webhook",outcome="rejected"} 1`);
    expect(text).toContain(`${N.ALERT_DELIVERIES_TOTAL}{sink="pagerduty",outcome="retrying"} 1`);
    expect(text).toContain(`${N.ALERTS_FIRING}{model="fraud",kind="feature_drift"} 2`);
  });
});

describe('names index', () => {
  it('knows every exported name and the series of histograms, nothing else', () => {
    expect(N.EXPORTED_METRICS.has(N.INGEST_LAG_SECONDS)).toBe(true);
    expect(N.EXPORTED_METRICS.has(N.GPU_XID_ERRORS_TOTAL)).toBe(true);
    expect(N.isExportedSeries(`${N.INGEST_BATCH_SECONDS}_bucket`)).toBe(true);
    expect(N.isExportedSeries('driftwatch_ingest_lag_seconds_total')).toBe(false);
    expect(N.isExportedSeries('DCGM_FI_DEV_GPU_UTIL')).toBe(false);
  });
});
