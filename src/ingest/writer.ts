// Group commit into ClickHouse: rows from many Kafka partitions / HTTP requests are written together, and each
// submitter learns when *its* rows are stored — only then may it commit offsets or answer the client.
// ClickHouse down: retry with capped, jittered backoff forever (submitters wait, so memory stays bounded).
// ClickHouse rejects the data: fall back to row-by-row and dead-letter the rows it refuses.
import type { Store } from '../store/index.js';
import { StoreError } from '../store/index.js';
import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Logger } from '../telemetry/log.js';
import type { LabelRow, PredictionRow } from './rows.js';

export interface DeadLetterRow {
  received_at: number; source: string; topic: string; partition: number; offset: string; reason: string; payload: string;
}

export interface IngestBatch {
  predictions: PredictionRow[];
  labels: LabelRow[];
  deadLetters: DeadLetterRow[];
}

export interface WriterOptions {
  batchSize: number;
  maxWaitMs: number;
  /** Backoff bounds for a ClickHouse that is down. */
  retryMinMs?: number;
  retryMaxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Waiter { resolve: () => void; reject: (e: Error) => void }

const MAX_PAYLOAD_CHARS = 64 * 1024;

export function deadLetter(source: string, topic: string, partition: number, offset: string, reason: string, payload: string, nowMs: number): DeadLetterRow {
  const body = payload.length > MAX_PAYLOAD_CHARS ? `${payload.slice(0, MAX_PAYLOAD_CHARS)}…[truncated ${payload.length - MAX_PAYLOAD_CHARS} chars]` : payload;
  return { received_at: Math.floor(nowMs / 1000), source, topic, partition, offset, reason, payload: body };
}

export class BatchWriter {
  private pending: IngestBatch = { predictions: [], labels: [], deadLetters: [] };
  private pendingCount = 0;
  private writingCount = 0;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly options: WriterOptions,
    private readonly metrics?: IngestMetrics,
    private readonly logger?: Logger,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Resolves once every row of `batch` is durably stored (or dead-lettered because ClickHouse refused it). */
  submit(batch: IngestBatch): Promise<void> {
    if (this.closed) return Promise.reject(new Error('writer is closed'));
    const size = batch.predictions.length + batch.labels.length + batch.deadLetters.length;
    if (size === 0) return Promise.resolve();
    this.pending.predictions.push(...batch.predictions);
    this.pending.labels.push(...batch.labels);
    this.pending.deadLetters.push(...batch.deadLetters);
    this.pendingCount += size;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.pendingCount >= this.options.batchSize) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.options.maxWaitMs);
      this.timer.unref();
    }
    return done;
  }

  /** Rows submitted but not yet stored (pending plus being written): the backlog a caller may bound. */
  get backlog(): number {
    return this.pendingCount + this.writingCount;
  }

  /** Writes what is pending now (in order after any write in flight). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingCount === 0) return this.writing;
    const batch = this.pending;
    const waiters = this.waiters;
    const size = this.pendingCount;
    this.pending = { predictions: [], labels: [], deadLetters: [] };
    this.pendingCount = 0;
    this.writingCount += size;
    this.waiters = [];
    this.writing = this.writing.then(async () => {
      try {
        await this.writeWithRetry(batch);
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error as Error);
      } finally {
        this.writingCount -= size;
      }
    });
    return this.writing;
  }

  /** Stops retrying after the pending rows are written or `deadlineMs` passes; unstored rows reject their submitters. */
  async close(deadlineMs = 30_000): Promise<void> {
    this.closed = true;
    this.deadline = this.now() + deadlineMs;
    await this.flush();
  }

  private deadline = Infinity;

  private async writeWithRetry(batch: IngestBatch): Promise<void> {
    const started = this.now();
    let attempt = 0;
    for (;;) {
      try {
        await this.writeOnce(batch);
        this.metrics?.storeUp.set(1);
        this.metrics?.batches.inc({ outcome: 'stored' });
        this.metrics?.batchSeconds.observe((this.now() - started) / 1000);
        if (attempt > 0) this.logger?.log('info', 'store_recovered', { attempts: attempt + 1 });
        return;
      } catch (error) {
        const e = error instanceof StoreError ? error : new StoreError(String(error), 'unknown', true);
        if (!e.retryable) {
          this.logger?.log('warn', 'store_rejected_batch', { error: e.message, rows: batch.predictions.length + batch.labels.length });
          await this.writeRowByRow(batch, e);
          this.metrics?.batches.inc({ outcome: 'split' });
          return;
        }
        attempt += 1;
        this.metrics?.storeUp.set(0);
        this.metrics?.storeRetries.inc();
        const base = Math.min(this.options.retryMaxMs ?? 10_000, (this.options.retryMinMs ?? 100) * 2 ** Math.min(attempt - 1, 16));
        const wait = base / 2 + Math.random() * (base / 2);
        if (this.now() + wait > this.deadline) {
          this.metrics?.batches.inc({ outcome: 'abandoned' });
          throw new Error(`ClickHouse unavailable at shutdown, batch not stored (will be redelivered): ${e.message}`);
        }
        if (attempt === 1 || attempt % 10 === 0) this.logger?.log('warn', 'store_unavailable_retrying', { attempt, wait_ms: Math.round(wait), error: e.message });
        await this.sleep(wait);
      }
    }
  }

  private async writeOnce(batch: IngestBatch): Promise<void> {
    // Dead letters first: a rejected message must never be lost even if the good rows then fail. Parts already
    // written are emptied so a retry does not write them twice.
    for (const [table, key] of [['dead_letters', 'deadLetters'], ['predictions', 'predictions'], ['labels', 'labels']] as const) {
      await this.store.insert(table, batch[key] as unknown as Record<string, unknown>[]);
      batch[key] = [];
    }
  }

  private async writeRowByRow(batch: IngestBatch, cause: StoreError): Promise<void> {
    const refused: DeadLetterRow[] = [];
    const one = async (table: string, row: PredictionRow | LabelRow): Promise<void> => {
      try {
        await this.store.insert(table, [row as unknown as Record<string, unknown>]);
      } catch (error) {
        const e = error as StoreError;
        if (e.retryable) throw e;
        refused.push(deadLetter('store', table, -1, row.prediction_id, `ClickHouse refused the row: ${e.message}`, JSON.stringify(row), this.now()));
      }
    };
    await this.store.insert('dead_letters', batch.deadLetters as unknown as Record<string, unknown>[]);
    batch.deadLetters = [];
    for (const row of batch.predictions) await one('predictions', row);
    for (const row of batch.labels) await one('labels', row);
    if (refused.length) {
      await this.store.insert('dead_letters', refused as unknown as Record<string, unknown>[]);
      this.metrics?.deadLetters.inc({ source: 'store', reason: 'store_refused' }, refused.length);
      this.logger?.log('warn', 'rows_dead_lettered_by_store', { rows: refused.length, cause: cause.message });
    }
  }
}
