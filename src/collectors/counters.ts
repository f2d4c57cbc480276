// Counter arithmetic shared by the collectors and the health signals: rates and increases that survive resets.

/** A value of one counter series at one time (epoch ms). */
export interface Point {
  ts: number;
  value: number;
}

/**
 * Total increase over a series, Prometheus-style: a drop means the counter restarted from zero
 * (driver reload, exporter restart), so the increase across it is the new value, not a negative delta.
 */
export function increase(points: readonly Point[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1].value;
    const cur = points[i].value;
    total += cur >= prev ? cur - prev : cur;
  }
  return total;
}

/** Per-second rate over the whole series; undefined with fewer than two points or no elapsed time. */
export function rate(points: readonly Point[]): number | undefined {
  if (points.length < 2) return undefined;
  const seconds = (points[points.length - 1].ts - points[0].ts) / 1000;
  return seconds > 0 ? increase(points) / seconds : undefined;
}

/** Remembers the last value of each counter series and turns each new observation into a per-second rate. */
export class CounterRates {
  private readonly last = new Map<string, Point>();

  /** Rate since the previous observation of `key`; undefined for the first one or when time did not advance. */
  observe(key: string, value: number, ts: number): number | undefined {
    const prev = this.last.get(key);
    this.last.set(key, { ts, value });
    if (!prev || ts <= prev.ts) return undefined;
    const delta = value >= prev.value ? value - prev.value : value;
    return delta / ((ts - prev.ts) / 1000);
  }

  /** Forget series not seen for `maxAgeMs` (GPUs that left the fleet). */
  prune(now: number, maxAgeMs: number): void {
    for (const [key, p] of this.last) if (now - p.ts > maxAgeMs) this.last.delete(key);
  }

  get size(): number {
    return this.last.size;
  }
}
