import { describe, expect, it } from 'vitest';
import { parseNcclDebugLog } from '../../../src/collectors/nccl-debug.js';
import { BusbwBaselines, busbwShape, transportFallbacks } from '../../../src/collectors/nccl-health.js';
import { parseInspectorJsonl } from '../../../src/collectors/nccl-inspector.js';
import type { NcclRecord } from '../../../src/collectors/types.js';
import { fixture } from './fixtures.js';

const T = 1_795_346_000_000;
const rec = (busbw: number, extra: Partial<NcclRecord> = {}): NcclRecord => ({
  source: 'nccl-inspector', host: 'gpu-node-1', comm: 'dp', rank: 0, nranks: 16, collective: 'AllReduce',
  bytes: 128 << 20, time_us: 700, algbw_gbs: busbw / 1.875, busbw_gbs: busbw, ts: T, ...extra,
});

describe('bus bandwidth against its own baseline', () => {
  it('the Inspector dump: five healthy AllReduces per rank, then one at 95 GB/s is flagged', () => {
    const baselines = new BusbwBaselines({ minSamples: 5 });
    const events = parseInspectorJsonl(fixture('inspector/gpu-node-1-pid4242.log'), T).records.map((r) => baselines.update(r)).filter(Boolean);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'nccl_busbw', status: 'firing', host: 'gpu-node-1', gpu: 'AllReduce/128MiB-256MiB/n16', value: 95, threshold: 0.7 * 362 });
    expect(events[0]!.key).toBe('gpu-node-1/AllReduce/128MiB-256MiB/n16/nccl_busbw');
  });

  it('judges nothing before minSamples, fires once while degraded, resolves on recovery, and never learns from degraded records', () => {
    const b = new BusbwBaselines({ minSamples: 3, ratio: 0.7 });
    expect([300, 100].map((v) => b.update(rec(v)))).toEqual([undefined, undefined]); // 100 enters: no baseline yet
    b.update(rec(300));
    expect(b.expected(rec(0))).toBe(300);
    expect(b.update(rec(150))?.status).toBe('firing');
    expect(b.update(rec(140))).toBeUndefined(); // still firing, not repeated
    expect(b.expected(rec(0))).toBe(300); // degraded values stay out of the baseline
    expect(b.update(rec(290))?.status).toBe('resolved');
  });

  it('keeps shapes apart: other size bucket, other rank count, other collective', () => {
    const b = new BusbwBaselines({ minSamples: 1 });
    b.update(rec(300));
    expect(b.update(rec(50, { bytes: 4 << 20 }))).toBeUndefined();
    expect(b.update(rec(50, { nranks: 8 }))).toBeUndefined();
    expect(b.update(rec(50, { collective: 'AllGather' }))).toBeUndefined();
    expect(b.update(rec(50))?.status).toBe('firing');
    expect(busbwShape(rec(0, { bytes: 5e9 }))).toBe('AllReduce/4GiB-8GiB/n16');
  });

  it('ignores latency-bound small messages, single-rank comms and untimed records', () => {
    const b = new BusbwBaselines({ minSamples: 1 });
    b.update(rec(300, { bytes: 1024 }));
    expect(b.expected(rec(0, { bytes: 1024 }))).toBeUndefined();
    b.update(rec(300, { nranks: 1 }));
    expect(b.expected(rec(0, { nranks: 1 }))).toBeUndefined();
    expect(b.update(rec(0, { busbw_gbs: null }))).toBeUndefined();
  });

  it('snapshot/restore round trip keeps judging the same way', () => {
    const a = new BusbwBaselines({ minSamples: 2 });
    [300, 310, 120].forEach((v) => a.update(rec(v)));
    const b = new BusbwBaselines({ minSamples: 2 }).restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.expected(rec(0))).toBe(305);
    expect(b.update(rec(100))).toBeUndefined(); // already firing before the snapshot
    expect(b.update(rec(305))?.status).toBe('resolved');
    expect(() => new BusbwBaselines({ ratio: 1.5 })).toThrow(/ratio/);
  });
});

describe('transport fallback from NCCL_DEBUG logs', () => {
  it('two nodes over IB: nothing flagged', () => {
    expect(transportFallbacks(parseNcclDebugLog(fixture('nccl-debug-2node-ib.log'), { ts: T }).comms, T)).toEqual([]);
  });

  it('the same job after IB disappeared: every rank flagged critical for TCP sockets', () => {
    const ds = transportFallbacks(parseNcclDebugLog(fixture('nccl-debug-2node-socket.log'), { ts: T }).comms, T);
    expect(ds.map((d) => `${d.key} ${d.severity}`)).toEqual([
      'gpu-node-1/0/nccl_transport_fallback critical',
      'gpu-node-2/1/nccl_transport_fallback critical',
    ]);
    expect(ds[0].reason).toMatch(/TCP sockets \(InfiniBand unavailable\)/);
  });

  it('single node with P2P disabled: SHM instead of NVLink is a warning', () => {
    const ds = transportFallbacks(parseNcclDebugLog(fixture('nccl-debug-1node-shm.log'), { ts: T }).comms, T);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ host: 'box', severity: 'warning', labels: { transports: '{"SHM":2}' } });
  });

  it('the real one-rank H100 job on the Socket network is not a fallback (no peers)', () => {
    expect(transportFallbacks(parseNcclDebugLog(fixture('gpu-h100/nccl-debug.log'), { ts: T }).comms, T)).toEqual([]);
  });
});
