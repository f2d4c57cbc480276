// NCCL degradations: bus bandwidth against its own learned baseline per (collective, size bucket, nranks),
// and communicators whose channels fell back from NVLink/P2P or InfiniBand to SHM or TCP sockets.
import { degradation, type Degradation } from './health.js';
import type { NcclCommunicator } from './nccl-debug.js';
import { sizeBucket } from './nccl-common.js';
import type { NcclRecord } from './types.js';

export interface BusbwBaselineOptions {
  /** healthy observations needed before a shape is judged */
  minSamples: number;
  /** healthy observations kept per shape (the baseline is their median) */
  keep: number;
  /** flag when busbw < ratio × baseline median */
  ratio: number;
  /** smaller messages are latency-bound and too noisy to judge (bytes) */
  minBytes: number;
}

export const DEFAULT_BUSBW_BASELINE: BusbwBaselineOptions = { minSamples: 5, keep: 50, ratio: 0.7, minBytes: 1 << 20 };

/** The shape bandwidth is comparable within: collective, power-of-two size bucket, rank count. */
export function busbwShape(r: Pick<NcclRecord, 'collective' | 'bytes' | 'nranks'>): string {
  return `${r.collective}/${sizeBucket(r.bytes)}/n${r.nranks}`;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface BusbwBaselineSnapshot {
  version: 1;
  shapes: Record<string, number[]>;
  firing: string[];
}

/**
 * Learns the expected bus bandwidth of each shape from the fleet's own healthy records and flags records
 * far below it. Degraded records never enter the baseline, so a link that stays slow keeps firing.
 */
export class BusbwBaselines {
  private readonly shapes = new Map<string, number[]>();
  private readonly firing = new Set<string>();
  private readonly opts: BusbwBaselineOptions;

  constructor(options: Partial<BusbwBaselineOptions> = {}) {
    this.opts = { ...DEFAULT_BUSBW_BASELINE, ...options };
    if (!(this.opts.ratio > 0 && this.opts.ratio < 1)) throw new RangeError('ratio must be in (0, 1)');
    if (!(this.opts.minSamples >= 1 && this.opts.keep >= this.opts.minSamples)) throw new RangeError('need 1 ≤ minSamples ≤ keep');
  }

  /** Expected busbw (GB/s) for a shape, once enough healthy records were seen. */
  expected(r: Pick<NcclRecord, 'collective' | 'bytes' | 'nranks'>): number | undefined {
    const seen = this.shapes.get(busbwShape(r));
    return seen && seen.length >= this.opts.minSamples ? median(seen) : undefined;
  }

  /** Judges one record; returns a firing or resolved transition for its (host, shape) key, if any. */
  update(r: NcclRecord): Degradation | undefined {
    if (r.busbw_gbs === null || r.bytes < this.opts.minBytes || r.nranks < 2) return undefined;
    const shape = busbwShape(r);
    const expected = this.expected(r);
    const degraded = expected !== undefined && r.busbw_gbs < this.opts.ratio * expected;
    const event = degradation({
      kind: 'nccl_busbw', severity: 'warning', host: r.host, gpu: shape, at: r.ts, value: r.busbw_gbs,
      threshold: expected !== undefined ? this.opts.ratio * expected : 0,
      reason: expected !== undefined
        ? `${r.collective} busbw ${r.busbw_gbs.toFixed(1)} GB/s vs expected ${expected.toFixed(1)} GB/s (${sizeBucket(r.bytes)}, ${r.nranks} ranks)`
        : 'no baseline yet',
      labels: { collective: r.collective, size_bucket: sizeBucket(r.bytes), nranks: String(r.nranks), comm: r.comm },
    });
    if (degraded) {
      if (this.firing.has(event.key)) return undefined;
      this.firing.add(event.key);
      return event;
    }
    const seen = this.shapes.get(shape) ?? [];
    seen.push(r.busbw_gbs);
    if (seen.length > this.opts.keep) seen.shift();
    this.shapes.set(shape, seen);
    if (this.firing.delete(event.key)) return { ...event, status: 'resolved' };
    return undefined;
  }

  snapshot(): BusbwBaselineSnapshot {
    return { version: 1, shapes: Object.fromEntries([...this.shapes].map(([k, v]) => [k, [...v]])), firing: [...this.firing] };
  }

  restore(s: BusbwBaselineSnapshot): this {
    if (s.version !== 1) throw new RangeError(`unknown baseline snapshot version ${String(s.version)}`);
    this.shapes.clear();
    this.firing.clear();
    for (const [k, v] of Object.entries(s.shapes)) this.shapes.set(k, [...v]);
    for (const k of s.firing) this.firing.add(k);
    return this;
  }
}

/**
 * Communicators whose transports show a fallback: inter-node traffic over TCP sockets instead of IB,
 * or a single-node job moving data through SHM/network instead of P2P (NVLink or PCIe peer access).
 */
export function transportFallbacks(comms: readonly NcclCommunicator[], at: number): Degradation[] {
  const out: Degradation[] = [];
  for (const c of comms) {
    if (c.nranks < 2) continue;
    const t = c.transports;
    const count = (prefix: string) => Object.entries(t).filter(([k]) => k.startsWith(prefix)).reduce((a, [, n]) => a + n, 0);
    const sockets = t['NET/Socket'] ?? 0;
    const multiNode = (c.nnodes ?? 1) > 1 || count('NET/') > 0;
    const labels = { comm: c.comm, comm_id: c.commId, rank: String(c.rank), nranks: String(c.nranks), transports: JSON.stringify(t) };
    const base = { kind: 'nccl_transport_fallback' as const, host: c.host, gpu: String(c.cudaDev), at, labels };
    if (multiNode && (sockets > 0 || (count('NET/') === 0 && c.network === 'Socket'))) {
      out.push(degradation({ ...base, severity: 'critical', value: sockets, threshold: 0,
        reason: `rank ${c.rank}/${c.nranks}: inter-node traffic over TCP sockets${c.ibUnavailable ? ' (InfiniBand unavailable)' : ''}` }));
    } else if (!multiNode && count('P2P') === 0 && count('SHM') > 0) {
      out.push(degradation({ ...base, severity: 'warning', value: count('SHM'), threshold: 0,
        reason: `rank ${c.rank}/${c.nranks}: single-node traffic over SHM instead of P2P/NVLink` }));
    }
  }
  return out;
}
