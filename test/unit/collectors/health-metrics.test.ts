import { describe, expect, it } from 'vitest';
import { dcgmSamples } from '../../../src/collectors/dcgm.js';
import { parseExposition } from '../../../src/collectors/exposition.js';
import { gpuDegradations, gpuSignals } from '../../../src/collectors/health.js';
import { degradationMetrics, gpuSignalMetrics, ncclMetrics } from '../../../src/collectors/health-metrics.js';
import { parseNcclDebugLog } from '../../../src/collectors/nccl-debug.js';
import { BusbwBaselines, transportFallbacks } from '../../../src/collectors/nccl-health.js';
import { parseInspectorJsonl } from '../../../src/collectors/nccl-inspector.js';
import { GPU_METRICS } from '../../../src/telemetry/names/gpu.js';
import { fixture } from './fixtures.js';

const T = 1_795_346_100_000;

describe('metric names', () => {
  it('are driftwatch_-prefixed, snake_case, and counters end in _total', () => {
    for (const [name, info] of Object.entries(GPU_METRICS)) {
      expect(name).toMatch(/^driftwatch_[a-z0-9_]+$/);
      expect(name.endsWith('_total'), name).toBe(info.type === 'counter');
      expect(info.help.length).toBeGreaterThan(10);
    }
  });

  it('every exported point uses a declared name with exactly its declared labels', () => {
    const samples = dcgmSamples(parseExposition(fixture('dcgm-exporter-v4.prom')), { ts: T, host: 'x' });
    const signals = gpuSignals(samples);
    const baselines = new BusbwBaselines({ minSamples: 2 });
    const records = parseInspectorJsonl(fixture('inspector/gpu-node-1-pid4242.log'), T).records;
    records.forEach((r) => baselines.update(r));
    const comms = parseNcclDebugLog(fixture('nccl-debug-2node-socket.log'), { ts: T }).comms;
    const points = [
      ...gpuSignalMetrics(signals),
      ...degradationMetrics(gpuDegradations(signals, T)),
      ...ncclMetrics(records, baselines, comms, transportFallbacks(comms, T)),
    ];
    const names = new Set(points.map((p) => p.name));
    expect(names.size).toBe(11); // a single scrape has no rates (PCIe replays) and no ECC/NVLink error increases
    for (const p of points) {
      const info = GPU_METRICS[p.name];
      expect(info, p.name).toBeDefined();
      expect(Object.keys(p.labels).sort(), p.name).toEqual([...info.labels].sort());
      expect(p.op).toBe(info.type === 'counter' ? 'inc' : 'set');
    }
    expect(points.find((p) => p.name === 'driftwatch_gpu_xid_errors_total')).toMatchObject({ labels: { gpu: '1', xid: '79' }, value: 1 });
    expect(points.filter((p) => p.name === 'driftwatch_nccl_transport_fallback').map((p) => p.value)).toEqual([1, 1]);
    expect(points.find((p) => p.name === 'driftwatch_nccl_busbw_expected_gigabytes_per_second')?.value).toBe(362);
  });
});
