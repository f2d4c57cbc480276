import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { alertId, AlertBook, AlertDispatch, MemoryAlertEventStore } from '../../../src/alerting/index.js';
import { degradationDecision, metricPointSink } from '../../../src/wiring/gpu.js';
import { GPU_XID_ERRORS_TOTAL } from '../../../src/telemetry/names/gpu.js';
import type { Degradation } from '../../../src/collectors/health.js';

const xid = (status: 'firing' | 'resolved', at: number): Degradation => ({
  key: 'node-1/3/xid', kind: 'xid' as Degradation['kind'], status, severity: 'critical', host: 'node-1', gpu: '3', at,
  value: 79, threshold: 0, reason: 'XID 79: GPU has fallen off the bus', labels: {},
});

describe('GPU degradations in the alert lifecycle', () => {
  it('become one gpu_degradation alert per host/gpu/signal that fires and resolves', async () => {
    const dispatch = new AlertDispatch({ book: new AlertBook(), events: new MemoryAlertEventStore(), outbox: null });
    const fired = await dispatch.decide([degradationDecision(xid('firing', 1000))], 1000);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ status: 'firing', model: 'gpu:node-1', feature: '3/xid', kind: 'gpu_degradation', severity: 'critical', alertId: alertId('gpu:node-1', '3/xid', 'gpu_degradation') });
    const resolved = await dispatch.decide([degradationDecision(xid('resolved', 5000))], 5000);
    expect(resolved.map((e) => e.status)).toEqual(['resolved']);
  });
});

describe('metric points on /metrics', () => {
  it('creates each metric once with its declared help and applies inc and set', async () => {
    const registry = new Registry();
    const apply = metricPointSink(registry);
    apply([{ name: GPU_XID_ERRORS_TOTAL, labels: { host: 'h', gpu: '0', uuid: 'GPU-1', xid: '79' }, value: 1, op: 'inc' }]);
    apply([{ name: GPU_XID_ERRORS_TOTAL, labels: { host: 'h', gpu: '0', uuid: 'GPU-1', xid: '79' }, value: 2, op: 'inc' }]);
    apply([{ name: 'driftwatch_gpu_allocated_idle_seconds', labels: { host: 'h', gpu: '0', uuid: 'GPU-1' }, value: 42, op: 'set' }]);
    const text = await registry.metrics();
    expect(text).toMatch(/driftwatch_gpu_xid_errors_total\{[^}]*xid="79"[^}]*\} 3/);
    expect(text).toMatch(/driftwatch_gpu_allocated_idle_seconds\{host="h",gpu="0",uuid="GPU-1"\} 42/);
  });
});
