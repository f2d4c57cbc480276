import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dcgmSamples } from '../../../src/collectors/dcgm.js';
import { parseExposition } from '../../../src/collectors/exposition.js';
import { GpuFleet } from '../../../src/collectors/fleet.js';
import type { Degradation } from '../../../src/collectors/health.js';
import type { MetricPoint } from '../../../src/collectors/health-metrics.js';
import { fixture } from './fixtures.js';

const T = 1_795_346_100_000;

function memorySink() {
  const tables = new Map<string, Record<string, unknown>[]>();
  return { tables, insert: async (table: string, rows: Record<string, unknown>[]) => void tables.set(table, [...(tables.get(table) ?? []), ...rows]) };
}

describe('GpuFleet', () => {
  it('stores samples, fires degradations from the window once, and resolves them when the GPU is healthy again', async () => {
    const sink = memorySink();
    const events: Degradation[] = [];
    let metrics: MetricPoint[] = [];
    const fleet = new GpuFleet({ windowMs: 60_000 }, { sink, onDegradations: (e) => void events.push(...e), onMetrics: (m) => void (metrics = m) });
    const page = fixture('dcgm-exporter-v4.prom');
    await fleet.ingestSamples(dcgmSamples(parseExposition(page), { ts: T, host: 'x' }));
    await fleet.evaluate(T);
    expect(events.map((e) => `${e.key} ${e.status}`).sort()).toEqual(['gpu-node-1/1/remapped_rows firing', 'gpu-node-1/1/row_remap_failure firing', 'gpu-node-1/1/xid firing']);
    expect(metrics.find((m) => m.name === 'driftwatch_gpu_degradations_firing' && m.labels.kind === 'xid')?.value).toBe(1);
    await fleet.evaluate(T + 1_000);
    expect(events).toHaveLength(3); // still firing: nothing new

    const healthy = page.replace(/(XID_ERRORS\{[^}]*gpu="1"[^}]*\}) 79/, '$1 0').replace(/err_code="79"/, 'err_code="0"')
      .replace(/(ROW_REMAP_FAILURE\{gpu="1"[^}]*\}) 1/, '$1 0').replace(/(UNCORRECTABLE_REMAPPED_ROWS\{gpu="1"[^}]*\}) 2/, '$1 0');
    await fleet.ingestSamples(dcgmSamples(parseExposition(healthy), { ts: T + 120_000, host: 'x' }));
    await fleet.evaluate(T + 120_000); // the bad scrape has left the 60 s window
    expect(events.slice(3).map((e) => `${e.kind} ${e.status}`).sort()).toEqual(['remapped_rows resolved', 'row_remap_failure resolved', 'xid resolved']);
    await fleet.stop();
    expect(sink.tables.get('gpu_samples')).toHaveLength(108);
  });

  it('tails the Inspector directory: stores new records and flags the degraded AllReduce', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-fleet-'));
    const file = join(dir, 'gpu-node-1-pid4242.log');
    writeFileSync(file, '');
    const sink = memorySink();
    const events: Degradation[] = [];
    const fleet = new GpuFleet({ inspector: { dir, pollMs: 20 }, evaluateEveryMs: 60_000, busbw: { minSamples: 5 } }, { sink, onDegradations: (e) => void events.push(...e) });
    fleet.start();
    await new Promise((r) => setTimeout(r, 60));
    appendFileSync(file, fixture('inspector/gpu-node-1-pid4242.log'));
    const deadline = Date.now() + 3_000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await fleet.stop();
    expect(events.map((e) => `${e.kind} ${e.status} ${e.gpu}`)).toEqual(['nccl_busbw firing AllReduce/128MiB-256MiB/n16']);
    expect(sink.tables.get('nccl_collectives')).toHaveLength(13);
  });

  it('flags communicators that fell back to sockets from tailed NCCL_DEBUG logs, and resolves when a later one is on IB', async () => {
    const sink = memorySink();
    const events: Degradation[] = [];
    const fleet = new GpuFleet({}, { sink, onDegradations: (e) => void events.push(...e) });
    const socket = fixture('nccl-debug-2node-socket.log').split('\n');
    // fed in two chunks, split inside the first communicator's initialization
    await fleet.ingestDebugLines('/logs/job-1.log', socket.slice(0, 8), T);
    expect(events).toEqual([]);
    await fleet.ingestDebugLines('/logs/job-1.log', socket.slice(8), T);
    expect(events.map((e) => `${e.key} ${e.status} ${e.severity}`)).toEqual([
      'gpu-node-1/0/nccl_transport_fallback firing critical',
      'gpu-node-2/1/nccl_transport_fallback firing critical',
    ]);
    // the job restarts with IB back (new pids)
    const ib = fixture('nccl-debug-2node-ib.log').replaceAll(':5101:5101', ':6101:6101').replaceAll(':7202:7202', ':8202:8202');
    await fleet.ingestDebugLines('/logs/job-2.log', ib.split('\n'), T + 60_000);
    expect(events.slice(2).map((e) => `${e.key} ${e.status}`)).toEqual([
      'gpu-node-1/0/nccl_transport_fallback resolved',
      'gpu-node-2/1/nccl_transport_fallback resolved',
    ]);
    await fleet.stop();
  });

  it('reads Inspector Prometheus textfiles when they change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-fleet-prom-'));
    const sink = memorySink();
    const fleet = new GpuFleet({ inspectorProm: { dir, pollMs: 20 }, evaluateEveryMs: 60_000 }, { sink, onDegradations: () => undefined });
    writeFileSync(join(dir, 'nccl_inspector.prom'), fixture('inspector-prom/nccl_inspector.prom'));
    fleet.start();
    const deadline = Date.now() + 3_000;
    while (!sink.tables.get('nccl_collectives') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      await fleet.batcher.flush();
    }
    await new Promise((r) => setTimeout(r, 100)); // unchanged file: not read again
    await fleet.stop();
    expect(sink.tables.get('nccl_collectives')?.map((r) => r.busbw_gbs)).toEqual([362.4, 301.25]);
  });

  it('an XID the gauge keeps showing fires once and resolves after the hold time; a new code fires again', async () => {
    const events: Degradation[] = [];
    const fleet = new GpuFleet({ windowMs: 60_000, xidHoldMs: 120_000 }, { sink: memorySink(), onDegradations: (e) => void events.push(...e) });
    const xid = (code: number, ts: number) => ({ source: 'dcgm' as const, host: 'n', gpu: '2', uuid: 'U', metric: 'DCGM_FI_DEV_XID_ERRORS', value: code, labels: {}, ts });
    for (let i = 0; i <= 30; i++) {
      await fleet.ingestSamples([xid(i < 3 ? 0 : 13, T + i * 10_000)]);
      await fleet.evaluate(T + i * 10_000);
    }
    // XID 13 appeared at +30 s and stayed on the gauge: firing at +30 s, resolved 120 s later
    expect(events.map((e) => `${e.status}@${(e.at - T) / 1000}`)).toEqual(['firing@30', 'resolved@160']);
    await fleet.ingestSamples([xid(31, T + 310_000)]);
    await fleet.evaluate(T + 310_000);
    expect(events.at(-1)).toMatchObject({ status: 'firing', labels: { xid: '31' }, severity: 'warning' });
    await fleet.stop();
  });
});
