// Allocated-but-idle tracked incrementally per GPU, so "idle for 30 minutes" needs no 30-minute sample buffer.
import type { HealthOptions } from './health.js';
import type { GpuSample } from './types.js';

interface GpuIdleState {
  memoryMiB: number | undefined;
  idleSince: number | undefined;
  lastTs: number;
}

const UTIL = 'DCGM_FI_DEV_GPU_UTIL';
const ENGINE = 'DCGM_FI_PROF_GR_ENGINE_ACTIVE';
const MEMORY = 'DCGM_FI_DEV_FB_USED';

/** Same rule as `allocatedIdleSeconds` (memory ≥ threshold and utilisation ≤ threshold), fed sample by sample. */
export class IdleTracker {
  private readonly gpus = new Map<string, GpuIdleState>();

  constructor(private readonly opts: Pick<HealthOptions, 'idleUtilPercent' | 'idleMinMemoryMiB'>) {}

  /** Feed samples in time order per GPU (one scrape at a time). */
  observe(samples: readonly GpuSample[]): void {
    for (const s of samples) {
      if (s.metric !== MEMORY && s.metric !== UTIL && s.metric !== ENGINE) continue;
      const key = `${s.host}\u0000${s.gpu}`;
      let g = this.gpus.get(key);
      if (!g) this.gpus.set(key, (g = { memoryMiB: undefined, idleSince: undefined, lastTs: s.ts }));
      if (s.metric === MEMORY) {
        g.memoryMiB = s.value;
        continue;
      }
      // MIG instances have no utilisation field: engine activity (0–1) stands in for it
      const util = s.metric === ENGINE ? s.value * 100 : s.value;
      const idle = g.memoryMiB !== undefined && g.memoryMiB >= this.opts.idleMinMemoryMiB && util <= this.opts.idleUtilPercent;
      if (idle) g.idleSince ??= s.ts;
      else g.idleSince = undefined;
      g.lastTs = Math.max(g.lastTs, s.ts);
    }
  }

  /** Seconds the GPU has been allocated-but-idle as of its last utilisation sample (0 when busy or unknown). */
  seconds(host: string, gpu: string): number {
    const g = this.gpus.get(`${host}\u0000${gpu}`);
    return g?.idleSince === undefined ? 0 : (g.lastTs - g.idleSince) / 1000;
  }

  /** Forget GPUs silent for longer than `maxAgeMs`. */
  prune(now: number, maxAgeMs: number): void {
    for (const [k, g] of this.gpus) if (now - g.lastTs > maxAgeMs) this.gpus.delete(k);
  }
}
