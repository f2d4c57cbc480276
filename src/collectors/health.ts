// GPU health signals derived from sample series, and the typed degradation events the alert manager consumes.
// Pure: every function takes the samples and the evaluation time; nothing reads a clock.
import { increase, rate, type Point } from './counters.js';
import type { GpuSample } from './types.js';

export type DegradationKind =
  | 'xid'
  | 'row_remap_failure'
  | 'remapped_rows'
  | 'ecc_uncorrectable'
  | 'pcie_replays'
  | 'nvlink_errors'
  | 'thermal_throttling'
  | 'power_throttling'
  | 'allocated_idle'
  | 'target_down'
  | 'nccl_busbw'
  | 'nccl_transport_fallback';

/** A GPU or interconnect problem worth an alert; `key` = host/gpu/kind is stable across evaluations. */
export interface Degradation {
  key: string;
  kind: DegradationKind;
  status: 'firing' | 'resolved';
  severity: 'critical' | 'warning';
  host: string;
  /** GPU index, "<gpu>/<mig>" for MIG, or the NCCL subject (e.g. "AllReduce/64MiB-128MiB/n8") */
  gpu: string;
  /** epoch ms of the evaluation */
  at: number;
  /** the measured value that crossed `threshold` (unit depends on kind, stated in `reason`) */
  value: number;
  threshold: number;
  reason: string;
  labels: Record<string, string>;
}

export function degradationKey(host: string, gpu: string, kind: DegradationKind): string {
  return `${host}/${gpu}/${kind}`;
}

export function degradation(d: Omit<Degradation, 'key' | 'status'>): Degradation {
  return { key: degradationKey(d.host, d.gpu, d.kind), status: 'firing', ...d };
}

/** Turns "what fires now" into transitions: new keys fire once, keys that stopped firing resolve once. */
export class DegradationTracker {
  private readonly active = new Map<string, Degradation>();

  update(firing: readonly Degradation[], at: number): Degradation[] {
    const out: Degradation[] = [];
    const now = new Set<string>();
    for (const d of firing) {
      now.add(d.key);
      if (!this.active.has(d.key)) out.push(d);
      this.active.set(d.key, d);
    }
    for (const [key, d] of this.active) {
      if (now.has(key)) continue;
      this.active.delete(key);
      out.push({ ...d, status: 'resolved', at });
    }
    return out;
  }

  get firing(): Degradation[] {
    return [...this.active.values()];
  }
}

export interface HealthOptions {
  /** PCIe replays per second above which a link is flagged (default 1/min) */
  pcieReplaysPerSecond: number;
  /** share of the window spent in thermal / HW slowdown above which a GPU is flagged */
  thermalThrottleShare: number;
  /** share of the window spent power-capped above which a GPU is flagged (capping at full load is normal) */
  powerThrottleShare: number;
  /** utilisation (%) at or below which a GPU counts as idle */
  idleUtilPercent: number;
  /** framebuffer in use (MiB) at or above which an idle GPU counts as allocated */
  idleMinMemoryMiB: number;
  /** how long allocated-but-idle must last before it is flagged (ms) */
  idleForMs: number;
}

export const DEFAULT_HEALTH: HealthOptions = {
  pcieReplaysPerSecond: 1 / 60,
  thermalThrottleShare: 0.05,
  powerThrottleShare: 0.5,
  idleUtilPercent: 5,
  idleMinMemoryMiB: 1024,
  idleForMs: 30 * 60_000,
};

/** XIDs that mean broken hardware or a GPU that needs a reset (NVIDIA XID catalogue); others are warnings. */
export const CRITICAL_XIDS = new Set([48, 63, 64, 74, 79, 92, 94, 95, 119, 120]);

const THERMAL_BITS = 0x8 | 0x20 | 0x40; // hw_slowdown, sw_thermal_slowdown, hw_thermal_slowdown
const POWER_BITS = 0x4 | 0x80; // sw_power_cap, hw_power_brake_slowdown
/** DCGM *_VIOLATION counters are in µs (dcgm_fields.h; dcgm-exporter's CSV says "in us"). */
const VIOLATION_SECONDS = 1e-6;

/** Everything measured for one GPU over one window — what /metrics and the results table carry. */
export interface GpuSignals {
  host: string;
  gpu: string;
  uuid: string;
  xidByCode: Record<string, number>;
  rowRemapFailure: boolean;
  uncorrectableRemappedRows: number | undefined;
  correctableRemappedRows: number | undefined;
  eccUncorrectableIncrease: number;
  pcieReplaysPerSecond: number | undefined;
  nvlinkErrorsIncrease: number;
  thermalThrottleSeconds: number;
  powerThrottleSeconds: number;
  /** how long the GPU has been allocated-but-idle, up to the window's last sample */
  allocatedIdleSeconds: number;
  nvlinkBytesPerSecond: number | undefined;
  pcieTxBytesPerSecond: number | undefined;
  pcieRxBytesPerSecond: number | undefined;
  windowSeconds: number;
}

type Series = Map<string, Point[]>;

function groupByGpu(samples: readonly GpuSample[]): Map<string, { host: string; gpu: string; uuid: string; series: Series; xidLabels: Map<string, Point[]> }> {
  const gpus = new Map<string, { host: string; gpu: string; uuid: string; series: Series; xidLabels: Map<string, Point[]> }>();
  for (const s of samples) {
    if (s.source === 'collector') continue;
    const id = `${s.host}\u0000${s.gpu}`;
    let g = gpus.get(id);
    if (!g) gpus.set(id, (g = { host: s.host, gpu: s.gpu, uuid: s.uuid, series: new Map(), xidLabels: new Map() }));
    if (!g.uuid && s.uuid) g.uuid = s.uuid;
    // the XID counter has one series per code
    const name = s.metric === 'DCGM_EXP_XID_ERRORS_COUNT' ? `${s.metric}{${s.labels.xid ?? s.labels.err_code ?? ''}}` : s.metric;
    const target = s.metric === 'DCGM_EXP_XID_ERRORS_COUNT' ? g.xidLabels : g.series;
    let pts = target.get(name);
    if (!pts) target.set(name, (pts = []));
    pts.push({ ts: s.ts, value: s.value });
  }
  for (const g of gpus.values()) {
    for (const pts of g.series.values()) pts.sort((a, b) => a.ts - b.ts);
    for (const pts of g.xidLabels.values()) pts.sort((a, b) => a.ts - b.ts);
  }
  return gpus;
}

const last = (pts: Point[] | undefined): number | undefined => (pts && pts.length ? pts[pts.length - 1].value : undefined);
const mean = (pts: Point[] | undefined): number | undefined => (pts && pts.length ? pts.reduce((a, p) => a + p.value, 0) / pts.length : undefined);
function sumOf(...values: Array<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length ? present.reduce((a, b) => a + b, 0) : undefined;
}

/** XID occurrences per code: the XID gauge holds the last code, so each change to a non-zero code is one event. */
export function xidCounts(gauge: Point[] | undefined, counters: Map<string, Point[]>): Record<string, number> {
  const out: Record<string, number> = {};
  if (gauge) {
    gauge.forEach((p, i) => {
      if (p.value !== 0 && (i === 0 || p.value !== gauge[i - 1].value)) out[String(p.value)] = (out[String(p.value)] ?? 0) + 1;
    });
  }
  for (const [name, pts] of counters) {
    const code = name.slice(name.indexOf('{') + 1, -1);
    const n = increase(pts);
    if (n > 0) out[code] = Math.max(out[code] ?? 0, n);
  }
  return out;
}

/** Seconds during which the throttle bitmask had any of `bits` set, each value holding until the next sample. */
export function maskedSeconds(mask: Point[] | undefined, bits: number): number {
  if (!mask) return 0;
  let ms = 0;
  for (let i = 0; i + 1 < mask.length; i++) if ((mask[i].value & bits) !== 0) ms += mask[i + 1].ts - mask[i].ts;
  return ms / 1000;
}

/** Length (s) of the allocated-but-idle stretch that ends at the last utilisation sample; 0 when not idle now. */
export function allocatedIdleSeconds(util: Point[] | undefined, memory: Point[] | undefined, opts: HealthOptions): number {
  if (!util || !util.length || !memory || !memory.length) return 0;
  let m = 0;
  let start: number | undefined;
  for (const p of util) {
    while (m + 1 < memory.length && memory[m + 1].ts <= p.ts) m++;
    const used = memory[m].ts <= p.ts ? memory[m].value : undefined;
    const idle = used !== undefined && used >= opts.idleMinMemoryMiB && p.value <= opts.idleUtilPercent;
    if (idle) start ??= p.ts;
    else start = undefined;
  }
  return start === undefined ? 0 : (util[util.length - 1].ts - start) / 1000;
}

/**
 * Per-GPU signals over one window of samples (any order, any mix of GPUs and sources). `xidFromGauge: false`
 * leaves XID gauge changes to a caller that tracks them across windows (see XidEvents).
 */
export function gpuSignals(samples: readonly GpuSample[], options: Partial<HealthOptions> = {}, { xidFromGauge = true } = {}): GpuSignals[] {
  const opts = { ...DEFAULT_HEALTH, ...options };
  const out: GpuSignals[] = [];
  for (const g of groupByGpu(samples).values()) {
    const s = g.series;
    let first = Infinity;
    let lastTs = -Infinity;
    for (const pts of s.values()) {
      first = Math.min(first, pts[0].ts);
      lastTs = Math.max(lastTs, pts[pts.length - 1].ts);
    }
    if (!Number.isFinite(first)) first = lastTs = 0;
    const mask = s.get('DCGM_FI_DEV_CLOCK_THROTTLE_REASONS');
    const thermalUs = s.get('DCGM_FI_DEV_THERMAL_VIOLATION');
    const powerUs = s.get('DCGM_FI_DEV_POWER_VIOLATION');
    // MIG instances have no *_UTIL fields: graphics-engine activity (0–1) stands in for utilisation
    const util = s.get('DCGM_FI_DEV_GPU_UTIL') ?? s.get('DCGM_FI_PROF_GR_ENGINE_ACTIVE')?.map((p) => ({ ts: p.ts, value: p.value * 100 }));
    let nvlinkErrors = 0;
    for (const [name, pts] of s) if (/^DCGM_FI_DEV_NVLINK_.*ERROR_COUNT_TOTAL$/.test(name)) nvlinkErrors += increase(pts);
    const nvlinkTotal = s.get('DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL');
    out.push({
      host: g.host,
      gpu: g.gpu,
      uuid: g.uuid,
      xidByCode: xidCounts(xidFromGauge ? s.get('DCGM_FI_DEV_XID_ERRORS') : undefined, g.xidLabels),
      rowRemapFailure: (last(s.get('DCGM_FI_DEV_ROW_REMAP_FAILURE')) ?? 0) > 0,
      uncorrectableRemappedRows: last(s.get('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS')),
      correctableRemappedRows: last(s.get('DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS')),
      eccUncorrectableIncrease: increase(s.get('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL') ?? s.get('DCGM_FI_DEV_ECC_DBE_AGG_TOTAL') ?? []),
      pcieReplaysPerSecond: rate(s.get('DCGM_FI_DEV_PCIE_REPLAY_COUNTER') ?? []),
      nvlinkErrorsIncrease: nvlinkErrors,
      thermalThrottleSeconds: thermalUs ? increase(thermalUs) * VIOLATION_SECONDS : maskedSeconds(mask, THERMAL_BITS),
      powerThrottleSeconds: powerUs ? increase(powerUs) * VIOLATION_SECONDS : maskedSeconds(mask, POWER_BITS),
      allocatedIdleSeconds: allocatedIdleSeconds(util, s.get('DCGM_FI_DEV_FB_USED'), opts),
      nvlinkBytesPerSecond: sumOf(mean(s.get('DCGM_FI_PROF_NVLINK_TX_BYTES')), mean(s.get('DCGM_FI_PROF_NVLINK_RX_BYTES'))) ?? (nvlinkTotal ? rate(nvlinkTotal) : undefined),
      pcieTxBytesPerSecond: mean(s.get('DCGM_FI_PROF_PCIE_TX_BYTES')),
      pcieRxBytesPerSecond: mean(s.get('DCGM_FI_PROF_PCIE_RX_BYTES')),
      windowSeconds: (lastTs - first) / 1000,
    });
  }
  return out;
}

/** The degradations firing for these signals at time `at`. */
export function gpuDegradations(signals: readonly GpuSignals[], at: number, options: Partial<HealthOptions> = {}): Degradation[] {
  const opts = { ...DEFAULT_HEALTH, ...options };
  const out: Degradation[] = [];
  for (const g of signals) {
    const labels: Record<string, string> = g.uuid ? { uuid: g.uuid } : {};
    const base = { host: g.host, gpu: g.gpu, at, labels };
    const codes = Object.keys(g.xidByCode);
    if (codes.length) {
      const critical = codes.some((c) => CRITICAL_XIDS.has(Number(c)));
      const total = codes.reduce((a, c) => a + g.xidByCode[c], 0);
      out.push(degradation({ ...base, kind: 'xid', severity: critical ? 'critical' : 'warning', value: total, threshold: 0,
        reason: `XID errors: ${codes.map((c) => `${c}×${g.xidByCode[c]}`).join(', ')}`, labels: { ...base.labels, xid: codes.join(',') } }));
    }
    if (g.rowRemapFailure) {
      out.push(degradation({ ...base, kind: 'row_remap_failure', severity: 'critical', value: 1, threshold: 0, reason: 'row remapping failed: the GPU needs replacing' }));
    }
    if (g.eccUncorrectableIncrease > 0) {
      out.push(degradation({ ...base, kind: 'ecc_uncorrectable', severity: 'critical', value: g.eccUncorrectableIncrease, threshold: 0, reason: `${g.eccUncorrectableIncrease} new uncorrectable ECC errors` }));
    }
    if ((g.uncorrectableRemappedRows ?? 0) > 0) {
      out.push(degradation({ ...base, kind: 'remapped_rows', severity: 'warning', value: g.uncorrectableRemappedRows ?? 0, threshold: 0, reason: `${g.uncorrectableRemappedRows} rows remapped after uncorrectable errors` }));
    }
    if (g.pcieReplaysPerSecond !== undefined && g.pcieReplaysPerSecond > opts.pcieReplaysPerSecond) {
      out.push(degradation({ ...base, kind: 'pcie_replays', severity: 'warning', value: g.pcieReplaysPerSecond, threshold: opts.pcieReplaysPerSecond, reason: `PCIe replays at ${g.pcieReplaysPerSecond.toFixed(3)}/s` }));
    }
    if (g.nvlinkErrorsIncrease > 0) {
      out.push(degradation({ ...base, kind: 'nvlink_errors', severity: 'warning', value: g.nvlinkErrorsIncrease, threshold: 0, reason: `${g.nvlinkErrorsIncrease} new NVLink errors` }));
    }
    if (g.windowSeconds > 0) {
      const thermal = g.thermalThrottleSeconds / g.windowSeconds;
      if (thermal > opts.thermalThrottleShare) {
        out.push(degradation({ ...base, kind: 'thermal_throttling', severity: 'warning', value: thermal, threshold: opts.thermalThrottleShare, reason: `thermally throttled ${(thermal * 100).toFixed(0)}% of the window` }));
      }
      const power = g.powerThrottleSeconds / g.windowSeconds;
      if (power > opts.powerThrottleShare) {
        out.push(degradation({ ...base, kind: 'power_throttling', severity: 'warning', value: power, threshold: opts.powerThrottleShare, reason: `power-capped ${(power * 100).toFixed(0)}% of the window` }));
      }
    }
    if (g.allocatedIdleSeconds * 1000 >= opts.idleForMs) {
      out.push(degradation({ ...base, kind: 'allocated_idle', severity: 'warning', value: g.allocatedIdleSeconds, threshold: opts.idleForMs / 1000, reason: `memory allocated but utilisation ≤ ${opts.idleUtilPercent}% for ${Math.round(g.allocatedIdleSeconds)} s` }));
    }
  }
  return out;
}

/** Targets whose last `up` sample is 0 (scrape failed or timed out). */
export function targetDown(samples: readonly GpuSample[], at: number): Degradation[] {
  const lastUp = new Map<string, GpuSample>();
  for (const s of samples) {
    if (s.source !== 'collector' || s.metric !== 'up') continue;
    const prev = lastUp.get(s.labels.target ?? s.host);
    if (!prev || prev.ts <= s.ts) lastUp.set(s.labels.target ?? s.host, s);
  }
  return [...lastUp.values()].filter((s) => s.value === 0).map((s) => degradation({
    kind: 'target_down', severity: 'warning', host: s.host, gpu: '', at, value: 0, threshold: 1,
    reason: `scrape of ${s.labels.target ?? s.host} failed: ${s.labels.error ?? 'down'}`, labels: { target: s.labels.target ?? '' },
  }));
}
