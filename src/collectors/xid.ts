// XID events from dcgm-exporter's XID gauge. The gauge keeps showing the last XID code until another one
// occurs, so only a change to a non-zero code is an event; a GPU's XID alert then lasts for a hold time.
import type { GpuSample } from './types.js';

export interface XidEvent {
  host: string;
  gpu: string;
  code: number;
  ts: number;
}

const XID_GAUGE = 'DCGM_FI_DEV_XID_ERRORS';

export class XidEvents {
  private readonly last = new Map<string, number>();
  private events: XidEvent[] = [];

  /** Records an event for each change of a GPU's XID gauge to a non-zero code (the first sighting counts too). */
  observe(samples: readonly GpuSample[]): void {
    for (const s of samples) {
      if (s.metric !== XID_GAUGE) continue;
      const key = `${s.host}\u0000${s.gpu}`;
      const prev = this.last.get(key);
      this.last.set(key, s.value);
      if (s.value !== 0 && s.value !== prev) this.events.push({ host: s.host, gpu: s.gpu, code: s.value, ts: s.ts });
    }
  }

  /** Events per GPU and code since `from` (epoch ms); older events are forgotten. */
  countsSince(from: number): Map<string, Record<string, number>> {
    this.events = this.events.filter((e) => e.ts >= from);
    const out = new Map<string, Record<string, number>>();
    for (const e of this.events) {
      const key = `${e.host}\u0000${e.gpu}`;
      const counts = out.get(key) ?? {};
      counts[String(e.code)] = (counts[String(e.code)] ?? 0) + 1;
      out.set(key, counts);
    }
    return out;
  }
}
