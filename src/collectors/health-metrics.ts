// GPU signals and degradations → metric points under the names in telemetry/names/gpu.ts, for /metrics.
// Counters are increments over the evaluated window; gauges are set.
import * as N from '../telemetry/names/gpu.js';
import type { Degradation, GpuSignals } from './health.js';
import type { NcclCommunicator } from './nccl-debug.js';
import type { BusbwBaselines } from './nccl-health.js';
import { sizeBucket } from './nccl-common.js';
import type { NcclRecord } from './types.js';

export interface MetricPoint {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** `set` a gauge, or `inc` a counter by value */
  op: 'set' | 'inc';
}

export function gpuSignalMetrics(signals: readonly GpuSignals[]): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const g of signals) {
    const id = { host: g.host, gpu: g.gpu, uuid: g.uuid };
    for (const [xid, n] of Object.entries(g.xidByCode)) out.push({ name: N.GPU_XID_ERRORS_TOTAL, labels: { ...id, xid }, value: n, op: 'inc' });
    out.push({ name: N.GPU_ROW_REMAP_FAILURE, labels: id, value: g.rowRemapFailure ? 1 : 0, op: 'set' });
    if (g.uncorrectableRemappedRows !== undefined) out.push({ name: N.GPU_REMAPPED_ROWS, labels: { ...id, cause: 'uncorrectable' }, value: g.uncorrectableRemappedRows, op: 'set' });
    if (g.correctableRemappedRows !== undefined) out.push({ name: N.GPU_REMAPPED_ROWS, labels: { ...id, cause: 'correctable' }, value: g.correctableRemappedRows, op: 'set' });
    if (g.eccUncorrectableIncrease > 0) out.push({ name: N.GPU_ECC_UNCORRECTABLE_ERRORS_TOTAL, labels: id, value: g.eccUncorrectableIncrease, op: 'inc' });
    if (g.pcieReplaysPerSecond !== undefined) out.push({ name: N.GPU_PCIE_REPLAYS_PER_SECOND, labels: id, value: g.pcieReplaysPerSecond, op: 'set' });
    if (g.nvlinkErrorsIncrease > 0) out.push({ name: N.GPU_NVLINK_ERRORS_TOTAL, labels: id, value: g.nvlinkErrorsIncrease, op: 'inc' });
    out.push({ name: N.GPU_THROTTLE_SECONDS_TOTAL, labels: { ...id, reason: 'thermal' }, value: g.thermalThrottleSeconds, op: 'inc' });
    out.push({ name: N.GPU_THROTTLE_SECONDS_TOTAL, labels: { ...id, reason: 'power' }, value: g.powerThrottleSeconds, op: 'inc' });
    out.push({ name: N.GPU_ALLOCATED_IDLE_SECONDS, labels: id, value: g.allocatedIdleSeconds, op: 'set' });
    if (g.nvlinkBytesPerSecond !== undefined) out.push({ name: N.GPU_NVLINK_BYTES_PER_SECOND, labels: id, value: g.nvlinkBytesPerSecond, op: 'set' });
    if (g.pcieTxBytesPerSecond !== undefined) out.push({ name: N.GPU_PCIE_BYTES_PER_SECOND, labels: { ...id, direction: 'tx' }, value: g.pcieTxBytesPerSecond, op: 'set' });
    if (g.pcieRxBytesPerSecond !== undefined) out.push({ name: N.GPU_PCIE_BYTES_PER_SECOND, labels: { ...id, direction: 'rx' }, value: g.pcieRxBytesPerSecond, op: 'set' });
  }
  return out;
}

/** Firing degradations counted per (kind, severity). */
export function degradationMetrics(firing: readonly Degradation[]): MetricPoint[] {
  const counts = new Map<string, MetricPoint>();
  for (const d of firing) {
    const key = `${d.kind}/${d.severity}`;
    const p = counts.get(key) ?? { name: N.GPU_DEGRADATIONS_FIRING, labels: { kind: d.kind, severity: d.severity }, value: 0, op: 'set' as const };
    p.value++;
    counts.set(key, p);
  }
  return [...counts.values()];
}

/** Latest busbw per shape and host, and the learned expectation per shape. */
export function ncclMetrics(records: readonly NcclRecord[], baselines: BusbwBaselines, comms: readonly NcclCommunicator[] = [], fallbacks: readonly Degradation[] = []): MetricPoint[] {
  const out = new Map<string, MetricPoint>();
  for (const r of records) {
    if (r.busbw_gbs === null) continue;
    const shape = { collective: r.collective, size_bucket: sizeBucket(r.bytes), nranks: String(r.nranks) };
    out.set(`b${JSON.stringify([shape, r.host])}`, { name: N.NCCL_BUSBW_GBS, labels: { ...shape, host: r.host }, value: r.busbw_gbs, op: 'set' });
    const expected = baselines.expected(r);
    if (expected !== undefined) out.set(`e${JSON.stringify(shape)}`, { name: N.NCCL_BUSBW_EXPECTED_GBS, labels: shape, value: expected, op: 'set' });
  }
  const fellBack = new Set(fallbacks.map((d) => `${d.host}/${d.labels.comm}/${d.labels.rank}`));
  for (const c of comms) {
    const labels = { host: c.host, comm: c.comm, rank: String(c.rank) };
    out.set(`f${JSON.stringify(labels)}`, { name: N.NCCL_TRANSPORT_FALLBACK, labels, value: fellBack.has(`${c.host}/${c.comm}/${c.rank}`) ? 1 : 0, op: 'set' });
  }
  return [...out.values()];
}
