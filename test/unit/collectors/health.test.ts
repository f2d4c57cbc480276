import { describe, expect, it } from 'vitest';
import { dcgmSamples } from '../../../src/collectors/dcgm.js';
import { parseExposition } from '../../../src/collectors/exposition.js';
import { DegradationTracker, gpuDegradations, gpuSignals, targetDown, xidCounts, type Degradation } from '../../../src/collectors/health.js';
import { parseSmiCsv } from '../../../src/collectors/nvidia-smi.js';
import type { GpuSample } from '../../../src/collectors/types.js';
import { fixture, fixtureJson } from './fixtures.js';

const ref = fixtureJson<{
  power_capped_seconds: number; thermal_throttled_seconds: number; window_seconds: number;
  idle_run_end_ts_ms: number; idle_run_seconds_mem512_util5: number;
}>('smi-reference.json');
const capture = parseSmiCsv(fixture('gpu-h100/query-gpu-under-load.csv'), { host: 'vm', now: 0 }).samples;
const T = 1_795_346_100_000;

function sample(metric: string, value: number, ts: number, extra: Partial<GpuSample> = {}): GpuSample {
  return { source: 'dcgm', host: 'n1', gpu: '0', uuid: 'U0', metric, value, labels: {}, ts, ...extra };
}

describe('health signals on the real H100 capture', () => {
  it('power-capped time comes from the throttle bitmask (python reference), thermal time is zero', () => {
    const [g] = gpuSignals(capture);
    expect(g.powerThrottleSeconds).toBeCloseTo(ref.power_capped_seconds, 6);
    expect(g.thermalThrottleSeconds).toBe(ref.thermal_throttled_seconds);
    expect(g.windowSeconds).toBeCloseTo(ref.window_seconds, 6);
  });

  it('allocated-but-idle: the stretch after the matmuls ended while 883 MiB stayed allocated', () => {
    const upTo = capture.filter((s) => s.ts <= ref.idle_run_end_ts_ms);
    const opts = { idleMinMemoryMiB: 512, idleUtilPercent: 5 };
    expect(gpuSignals(upTo, opts)[0].allocatedIdleSeconds).toBeCloseTo(ref.idle_run_seconds_mem512_util5, 6);
    // flagged once it lasts longer than the configured time, not before
    expect(gpuDegradations(gpuSignals(upTo, opts), T, { ...opts, idleForMs: 5_000 }).map((d) => d.kind)).toContain('allocated_idle');
    expect(gpuDegradations(gpuSignals(upTo, opts), T, { ...opts, idleForMs: 10_000 }).map((d) => d.kind)).not.toContain('allocated_idle');
    // at the end of the capture memory was freed: not idle-allocated any more
    expect(gpuSignals(capture, opts)[0].allocatedIdleSeconds).toBe(0);
  });

  it('power capping 39 % of the window is below the default 50 % share; a 30 % share flags it', () => {
    const signals = gpuSignals(capture);
    expect(gpuDegradations(signals, T).map((d) => d.kind)).toEqual([]);
    const [d] = gpuDegradations(signals, T, { powerThrottleShare: 0.3 });
    expect(d).toMatchObject({ key: 'vm/0/power_throttling', kind: 'power_throttling', status: 'firing', severity: 'warning', host: 'vm', gpu: '0' });
    expect(d.value).toBeCloseTo(ref.power_capped_seconds / ref.window_seconds, 9);
  });
});

describe('health signals on DCGM series', () => {
  const twoScrapes = (() => {
    const first = parseExposition(fixture('dcgm-exporter-v4.prom'));
    // ten seconds later: GPU 1 logged 6 more PCIe replays, GPU 0 spent 9 of the 10 s power-capped (µs counter)
    const secondText = fixture('dcgm-exporter-v4.prom')
      .replace(/(DCGM_FI_DEV_PCIE_REPLAY_COUNTER\{gpu="1"[^}]*\}) 12/, '$1 18')
      .replace(/(DCGM_FI_DEV_POWER_VIOLATION\{gpu="0"[^}]*\}) 81000000000/, '$1 81009000000');
    const second = parseExposition(secondText);
    return [...dcgmSamples(first, { ts: T, host: 'x' }), ...dcgmSamples(second, { ts: T + 10_000, host: 'x' })];
  })();

  it('signals per GPU', () => {
    const [g0, g1] = gpuSignals(twoScrapes);
    expect(g0).toMatchObject({ host: 'gpu-node-1', gpu: '0', xidByCode: {}, rowRemapFailure: false, pcieReplaysPerSecond: 0, powerThrottleSeconds: 9, thermalThrottleSeconds: 0 });
    expect(g0.nvlinkBytesPerSecond).toBe(299e9);
    expect(g0.pcieTxBytesPerSecond).toBe(1048576);
    expect(g1).toMatchObject({ gpu: '1', xidByCode: { 79: 1 }, rowRemapFailure: true, uncorrectableRemappedRows: 2, correctableRemappedRows: 5, pcieReplaysPerSecond: 0.6 });
  });

  it('degradations: XID 79 is critical, row-remap failure, remapped rows, PCIe replays, power capping 90 %', () => {
    const ds = gpuDegradations(gpuSignals(twoScrapes), T + 10_000);
    expect(ds.map((d) => `${d.key} ${d.severity}`).sort()).toEqual([
      'gpu-node-1/0/power_throttling warning',
      'gpu-node-1/1/pcie_replays warning',
      'gpu-node-1/1/remapped_rows warning',
      'gpu-node-1/1/row_remap_failure critical',
      'gpu-node-1/1/xid critical',
    ]);
    expect(ds.find((d) => d.kind === 'xid')!.labels).toMatchObject({ xid: '79', uuid: 'GPU-6b1c8d2f-3a4e-5f60-9bac-1d2e3f4a5b6c' });
  });

  it('uncorrectable ECC errors and thermal slowdown from the bitmask', () => {
    const s = [
      sample('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 0, T), sample('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 2, T + 60_000),
      sample('DCGM_FI_DEV_CLOCK_THROTTLE_REASONS', 0x40, T), sample('DCGM_FI_DEV_CLOCK_THROTTLE_REASONS', 0, T + 30_000),
      sample('DCGM_FI_DEV_CLOCK_THROTTLE_REASONS', 0, T + 60_000),
    ];
    const [g] = gpuSignals(s);
    expect(g.eccUncorrectableIncrease).toBe(2);
    expect(g.thermalThrottleSeconds).toBe(30);
    expect(gpuDegradations([g], T).map((d) => d.kind).sort()).toEqual(['ecc_uncorrectable', 'thermal_throttling']);
  });

  it('MIG instances without *_UTIL use graphics-engine activity for allocated-but-idle', () => {
    const s = [0, 1, 2, 3].flatMap((i) => [
      sample('DCGM_FI_DEV_FB_USED', 9000, T + i * 60_000, { gpu: '0/9' }),
      sample('DCGM_FI_PROF_GR_ENGINE_ACTIVE', 0.01, T + i * 60_000, { gpu: '0/9' }),
    ]);
    expect(gpuSignals(s)[0].allocatedIdleSeconds).toBe(180);
  });
});

describe('XID counting', () => {
  it('each change to a non-zero code is one event; the counter family adds per-code increases', () => {
    const gauge = [0, 13, 13, 0, 13, 79, 79].map((value, i) => ({ ts: i, value }));
    const counters = new Map([['DCGM_EXP_XID_ERRORS_COUNT{48}', [{ ts: 0, value: 1 }, { ts: 1, value: 4 }]]]);
    expect(xidCounts(gauge, counters)).toEqual({ 13: 2, 79: 1, 48: 3 });
  });
});

describe('degradation lifecycle', () => {
  it('fires once per key, resolves once when it stops', () => {
    const tracker = new DegradationTracker();
    const d = (kind: Degradation['kind']): Degradation => ({ key: `h/0/${kind}`, kind, status: 'firing', severity: 'warning', host: 'h', gpu: '0', at: T, value: 1, threshold: 0, reason: '', labels: {} });
    expect(tracker.update([d('xid'), d('pcie_replays')], T).map((e) => `${e.kind}:${e.status}`)).toEqual(['xid:firing', 'pcie_replays:firing']);
    expect(tracker.update([d('xid')], T + 1)).toEqual([{ ...d('pcie_replays'), status: 'resolved', at: T + 1 }]);
    expect(tracker.update([d('xid')], T + 2)).toEqual([]);
    expect(tracker.firing.map((e) => e.kind)).toEqual(['xid']);
  });

  it('a target whose last scrape failed is down; one that recovered is not', () => {
    const up = (value: number, ts: number, target: string) => sample('up', value, ts, { source: 'collector', gpu: '', host: target, labels: { target: `http://${target}:9400/metrics`, error: 'timeout' } });
    const ds = targetDown([up(1, T, 'a'), up(0, T + 1, 'a'), up(0, T, 'b'), up(1, T + 1, 'b')], T + 2);
    expect(ds.map((d) => d.key)).toEqual(['a//target_down']);
  });
});
