// Buffers collector rows per table and writes them to the store in batches (by size or age).
// A failed insert keeps the rows for the next flush, up to a cap; beyond it the oldest rows are dropped and counted.
import type { SampleSink } from './types.js';

export interface BatcherOptions {
  /** flush a table when it holds this many rows */
  maxRows: number;
  /** flush everything at least this often (ms) */
  maxWaitMs: number;
  /** rows kept per table while the store is failing */
  maxBuffered: number;
}

export const DEFAULT_BATCHER: BatcherOptions = { maxRows: 10_000, maxWaitMs: 5_000, maxBuffered: 1_000_000 };

export interface BatcherStats {
  inserted: number;
  dropped: number;
  failedInserts: number;
  lastError: string | undefined;
}

export class RowBatcher {
  private readonly buffers = new Map<string, Record<string, unknown>[]>();
  private readonly opts: BatcherOptions;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  readonly stats: BatcherStats = { inserted: 0, dropped: 0, failedInserts: 0, lastError: undefined };

  constructor(private readonly sink: SampleSink, options: Partial<BatcherOptions> = {}) {
    this.opts = { ...DEFAULT_BATCHER, ...options };
  }

  /** Queues rows; resolves once a flush this triggered has settled (never rejects). */
  async add(table: string, rows: Record<string, unknown>[]): Promise<void> {
    if (!rows.length) return;
    let buf = this.buffers.get(table);
    if (!buf) this.buffers.set(table, (buf = []));
    for (const r of rows) buf.push(r);
    if (buf.length > this.opts.maxBuffered) {
      const excess = buf.length - this.opts.maxBuffered;
      buf.splice(0, excess);
      this.stats.dropped += excess;
    }
    if (buf.length >= this.opts.maxRows) await this.flush();
    else this.arm();
  }

  /** Writes every buffered row now; concurrent calls are serialized. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushAll());
    return this.flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  get pending(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.length;
    return n;
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.opts.maxWaitMs);
    this.timer.unref();
  }

  private async flushAll(): Promise<void> {
    for (const [table, buf] of this.buffers) {
      while (buf.length) {
        const batch = buf.slice(0, this.opts.maxRows);
        try {
          await this.sink.insert(table, batch);
        } catch (e) {
          this.stats.failedInserts++;
          this.stats.lastError = e instanceof Error ? e.message : String(e);
          this.arm();
          return;
        }
        buf.splice(0, batch.length);
        this.stats.inserted += batch.length;
      }
    }
  }
}
