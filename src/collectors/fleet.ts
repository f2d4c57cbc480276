// The running GPU-fleet collection: DCGM scrapes, nvidia-smi polls and Inspector dumps feed the store in batches,
// a rolling window feeds the health signals, and degradation transitions go to the alert manager's callback.
import { RowBatcher, type BatcherOptions } from './batcher.js';
import { DcgmCollector } from './dcgm-collector.js';
import { DegradationTracker, DEFAULT_HEALTH, gpuDegradations, gpuSignals, targetDown, type Degradation, type HealthOptions } from './health.js';
import { degradationMetrics, gpuSignalMetrics, ncclMetrics, type MetricPoint } from './health-metrics.js';
import { IdleTracker } from './idle.js';
import { XidEvents } from './xid.js';
import { DirectoryTail } from './inspector-tail.js';
import { BusbwBaselines, transportFallbacks, type BusbwBaselineOptions } from './nccl-health.js';
import { NcclDebugReader } from './nccl-debug.js';
import { parseInspectorLine, parseInspectorProm } from './nccl-inspector.js';
import { queryNvidiaSmi } from './smi-runner.js';
import { TargetList } from './targets.js';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GPU_SAMPLES_TABLE, NCCL_TABLE, gpuSampleRow, ncclRow, type GpuSample, type NcclRecord, type SampleSink } from './types.js';

export interface GpuFleetOptions {
  dcgm?: { targets: string[]; targetsFile?: string; intervalMs?: number; timeoutMs?: number; dropLabels?: string[] };
  nvidiaSmi?: { intervalMs?: number; bin?: string; host?: string };
  inspector?: { dir: string; pollMs?: number };
  /** directory of Inspector Prometheus textfiles (NCCL_INSPECTOR_PROM_DUMP=1), re-read when they change */
  inspectorProm?: { dir: string; pollMs?: number };
  /** directory of NCCL_DEBUG=INFO job logs, tailed for communicators that fell back to sockets or SHM */
  ncclDebug?: { dir: string; pollMs?: number };
  health?: Partial<HealthOptions>;
  busbw?: Partial<BusbwBaselineOptions>;
  /** how much recent history the window-based signals look at (throttling share, replay rate, XIDs) */
  windowMs?: number;
  evaluateEveryMs?: number;
  /** how long a GPU's XID alert stays firing after its last new XID (default: windowMs) */
  xidHoldMs?: number;
  batcher?: Partial<BatcherOptions>;
}

export interface GpuFleetDeps {
  sink: SampleSink;
  /** firing and resolved transitions, GPU and NCCL alike */
  onDegradations: (events: Degradation[]) => void | Promise<void>;
  onMetrics?: (points: MetricPoint[]) => void;
  onError?: (where: string, error: unknown) => void;
  now?: () => number;
}

// Only what the health signals read is kept in the window.
const WINDOW_METRICS = new Set([
  'DCGM_FI_DEV_XID_ERRORS', 'DCGM_EXP_XID_ERRORS_COUNT', 'DCGM_FI_DEV_ROW_REMAP_FAILURE', 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS',
  'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'DCGM_FI_DEV_ECC_DBE_AGG_TOTAL', 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER',
  'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS', 'DCGM_FI_DEV_THERMAL_VIOLATION', 'DCGM_FI_DEV_POWER_VIOLATION', 'DCGM_FI_PROF_NVLINK_TX_BYTES',
  'DCGM_FI_PROF_NVLINK_RX_BYTES', 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', 'DCGM_FI_PROF_PCIE_TX_BYTES', 'DCGM_FI_PROF_PCIE_RX_BYTES', 'up',
]);
const isWindowMetric = (m: string) => WINDOW_METRICS.has(m) || /^DCGM_FI_DEV_NVLINK_.*ERROR_COUNT_TOTAL$/.test(m);

export class GpuFleet {
  readonly batcher: RowBatcher;
  readonly baselines: BusbwBaselines;
  private readonly tracker = new DegradationTracker();
  private readonly idle: IdleTracker;
  private readonly xids = new XidEvents();
  private readonly health: HealthOptions;
  private window: GpuSample[] = [];
  private recentNccl: NcclRecord[] = [];
  private readonly dcgm: DcgmCollector | undefined;
  private readonly tail: DirectoryTail | undefined;
  private readonly debugTail: DirectoryTail | undefined;
  private readonly debugReaders = new Map<string, NcclDebugReader>();
  private readonly fallbacks = new Map<string, Degradation>();
  private readonly promStamps = new Map<string, string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: GpuFleetOptions, private readonly deps: GpuFleetDeps) {
    this.now = deps.now ?? Date.now;
    this.health = { ...DEFAULT_HEALTH, ...opts.health };
    this.idle = new IdleTracker(this.health);
    this.batcher = new RowBatcher(deps.sink, opts.batcher);
    this.baselines = new BusbwBaselines(opts.busbw);
    if (opts.dcgm) {
      this.dcgm = new DcgmCollector({
        targets: new TargetList(opts.dcgm.targets, opts.dcgm.targetsFile),
        intervalMs: opts.dcgm.intervalMs ?? 10_000,
        timeoutMs: opts.dcgm.timeoutMs ?? 5_000,
        dropLabels: opts.dcgm.dropLabels,
        onSamples: (s) => this.ingestSamples(s),
        now: this.now,
      });
    }
    if (opts.inspector) this.tail = new DirectoryTail(opts.inspector.dir, { fromEnd: true });
    if (opts.ncclDebug) this.debugTail = new DirectoryTail(opts.ncclDebug.dir, { match: /\.(log|out|txt)(\.\d+)?$/ });
  }

  /** Stores samples and feeds the health window. */
  async ingestSamples(samples: GpuSample[]): Promise<void> {
    this.idle.observe(samples);
    this.xids.observe(samples);
    for (const s of samples) if (isWindowMetric(s.metric)) this.window.push(s);
    await this.batcher.add(GPU_SAMPLES_TABLE, samples.map(gpuSampleRow));
  }

  /** Stores NCCL records and judges their bus bandwidth against the learned baselines. */
  async ingestNccl(records: NcclRecord[]): Promise<void> {
    const events: Degradation[] = [];
    for (const r of records) {
      const e = this.baselines.update(r);
      if (e) events.push(e);
    }
    this.recentNccl.push(...records);
    await this.batcher.add(NCCL_TABLE, records.map(ncclRow));
    if (events.length) await this.deps.onDegradations(events);
  }

  /** Feeds NCCL_DEBUG lines of one log; communicators that finished initializing are checked for transport fallback. */
  async ingestDebugLines(path: string, lines: readonly string[], now = this.now()): Promise<Degradation[]> {
    let reader = this.debugReaders.get(path);
    if (!reader) this.debugReaders.set(path, (reader = new NcclDebugReader({ ts: now })));
    for (const l of lines) reader.line(l);
    reader.calls.length = 0; // untimed calls carry no bandwidth: not stored
    const events: Degradation[] = [];
    for (const c of reader.completed()) {
      if (c.nranks < 2) continue;
      const [fallback] = transportFallbacks([c], now);
      const key = fallback?.key ?? `${c.host}/${c.cudaDev}/nccl_transport_fallback`;
      const previous = this.fallbacks.get(key);
      if (fallback && !previous) {
        this.fallbacks.set(key, fallback);
        events.push(fallback);
      } else if (!fallback && previous) {
        this.fallbacks.delete(key); // a later communicator on the same GPU came up on the fast path again
        events.push({ ...previous, status: 'resolved', at: now });
      }
    }
    if (events.length) await this.deps.onDegradations(events);
    return events;
  }

  /** Re-reads Inspector textfiles whose size or mtime changed. */
  private async pollInspectorProm(dir: string): Promise<void> {
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.prom')).sort()) {
      const path = join(dir, name);
      const st = await stat(path);
      const stamp = `${st.mtimeMs}:${st.size}`;
      if (this.promStamps.get(path) === stamp) continue;
      this.promStamps.set(path, stamp);
      const { records } = parseInspectorProm(await readFile(path, 'utf8'), Math.floor(st.mtimeMs));
      if (records.length) await this.ingestNccl(records);
    }
  }

  /** Health over the window at `now`: emits GPU degradation transitions and metric points; returns the transitions. */
  async evaluate(now = this.now()): Promise<Degradation[]> {
    const from = now - (this.opts.windowMs ?? 5 * 60_000);
    this.window = this.window.filter((s) => s.ts >= from);
    this.idle.prune(now, 10 * 60_000);
    const signals = gpuSignals(this.window, this.health, { xidFromGauge: false });
    const xids = this.xids.countsSince(now - (this.opts.xidHoldMs ?? this.opts.windowMs ?? 5 * 60_000));
    for (const g of signals) {
      g.allocatedIdleSeconds = this.idle.seconds(g.host, g.gpu);
      g.xidByCode = { ...g.xidByCode, ...xids.get(`${g.host}\u0000${g.gpu}`) };
    }
    const firing = [...gpuDegradations(signals, now, this.health), ...targetDown(this.window, now)];
    const transitions = this.tracker.update(firing, now);
    this.deps.onMetrics?.([...gpuSignalMetrics(signals), ...degradationMetrics(this.tracker.firing), ...ncclMetrics(this.recentNccl, this.baselines)]);
    this.recentNccl = [];
    if (transitions.length) await this.deps.onDegradations(transitions);
    return transitions;
  }

  private every(ms: number, what: string, task: () => Promise<unknown>): void {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return; // an overrunning task delays the next one rather than piling up
      busy = true;
      task().catch((e) => this.deps.onError?.(what, e)).finally(() => (busy = false));
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  start(): void {
    this.dcgm?.start();
    const smi = this.opts.nvidiaSmi;
    if (smi) this.every(smi.intervalMs ?? 10_000, 'nvidia-smi', async () => this.ingestSamples((await queryNvidiaSmi({ bin: smi.bin, host: smi.host })).samples));
    const tail = this.tail;
    if (tail) {
      this.every(this.opts.inspector?.pollMs ?? 1_000, 'nccl-inspector', async () => {
        const records: NcclRecord[] = [];
        for (const file of await tail.poll()) {
          for (const line of file.lines) {
            try {
              const r = parseInspectorLine(line, this.now());
              if (r) records.push(r);
            } catch (e) {
              this.deps.onError?.(`nccl-inspector ${file.path}`, e);
            }
          }
        }
        if (records.length) await this.ingestNccl(records);
      });
    }
    const prom = this.opts.inspectorProm;
    if (prom) this.every(prom.pollMs ?? 5_000, 'nccl-inspector-prom', () => this.pollInspectorProm(prom.dir));
    const debugTail = this.debugTail;
    if (debugTail) {
      this.every(this.opts.ncclDebug?.pollMs ?? 2_000, 'nccl-debug', async () => {
        for (const file of await debugTail.poll()) await this.ingestDebugLines(file.path, file.lines);
      });
    }
    this.every(this.opts.evaluateEveryMs ?? 30_000, 'gpu-health', () => this.evaluate());
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    await this.dcgm?.stop();
    await this.batcher.close();
  }
}
