// Group commit into ClickHouse: rows from many Kafka partitions / HTTP requests are written together, and each
// submitter learns when *its* rows are stored — only then may it commit offsets or answer the client.
// ClickHouse down or busy: retry with capped, jittered backoff (submitters wait, so memory stays bounded), until
// the shutdown deadline; a "transient" failure that persists while ClickHouse answers pings is treated as a refusal.
// ClickHouse refuses the data: the batch is halved until the refused rows are found; those are dead-lettered with
// their origin (Kafka topic/partition/offset or HTTP route/item) and the server's reason, the rest is stored.
// ClickHouse refuses the statement whatever the rows (no table, no access): not retried, the submitters are told.
import { wellFormed } from './decode.js';
import type { Store } from '../store/index.js';
import { StoreError, toStoreError } from '../store/index.js';
import { originOf, type EncodedRows } from './encoded.js';
import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Logger } from '../telemetry/log.js';
import type { LabelRow, PredictionRow } from './rows.js';

export interface DeadLetterRow {
  received_at: number; source: string; topic: string; partition: number; offset: string; reason: string; payload: string;
}

/** Where a row came from, so that a row ClickHouse refuses is dead-lettered like a message the decoder refused. */
export interface Origin {
  source: string;
  topic: string;
  partition: number;
  offset: string;
  /** the raw message, kept by reference until the row is stored */
  value: Buffer | string | null | undefined;
}

/** A row's origin and submitter ride on the row under symbols: JSON.stringify, which carries rows to ClickHouse,
 *  never writes a symbol-keyed property, and no lookup table is needed per row. */
export const ORIGIN: unique symbol = Symbol('origin');
const SUBMITTER: unique symbol = Symbol('submitter');
type Tagged = { [ORIGIN]?: Origin; [SUBMITTER]?: Waiter };

/** `row`, marked with where it came from. */
export function withOrigin<T extends object>(row: T, origin: Origin): T {
  (row as Tagged)[ORIGIN] = origin;
  return row;
}

export interface IngestBatch {
  /** each row may carry its origin (withOrigin) */
  predictions: PredictionRow[];
  labels: LabelRow[];
  deadLetters: DeadLetterRow[];
  /** rows already in RowBinary insert bytes (decodeMessages with `rowBinary`) */
  encoded?: EncodedRows[];
}

/** Rows from..to of one submission's encoded rows. */
interface Slice { rows: EncodedRows; from: number; to: number }
type Pending = IngestBatch & { slices: Slice[] };
const emptyBatch = (): Pending => ({ predictions: [], labels: [], deadLetters: [], slices: [] });

const rowStart = (rows: EncodedRows, i: number) => (i === 0 ? 0 : rows.ends[i - 1]);
const bytesOf = (s: Slice) => s.rows.data.subarray(rowStart(s.rows, s.from), s.rows.ends[s.to - 1]);
const rowsIn = (chunk: Slice[]) => chunk.reduce((n, s) => n + s.to - s.from, 0);

/** `chunk` cut after its first `k` rows. */
function cut(chunk: Slice[], k: number): [Slice[], Slice[]] {
  const head: Slice[] = [];
  const tail: Slice[] = [];
  for (const s of chunk) {
    const n = s.to - s.from;
    if (k >= n) head.push(s);
    else if (k <= 0) tail.push(s);
    else {
      head.push({ rows: s.rows, from: s.from, to: s.from + k });
      tail.push({ rows: s.rows, from: s.from + k, to: s.to });
    }
    k -= n;
  }
  return [head, tail];
}

/** What became of one submission: the rows ClickHouse refused (now dead letters), by origin. */
export interface SubmitResult {
  refused: Array<{ origin: Origin; reason: string }>;
}

export interface WriterOptions {
  batchSize: number;
  maxWaitMs: number;
  /** Backoff bounds for a ClickHouse that is down. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Failed attempts after which a failure ClickHouse calls transient, while it answers pings, is a refusal. */
  maxAttemptsWhileUp?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Waiter { resolve: (r: SubmitResult) => void; reject: (e: Error) => void; refused: SubmitResult['refused'] }

const MAX_PAYLOAD_CHARS = 64 * 1024;

export function deadLetter(source: string, topic: string, partition: number, offset: string, reason: string, payload: string, nowMs: number): DeadLetterRow {
  const body = payload.length > MAX_PAYLOAD_CHARS ? `${payload.slice(0, MAX_PAYLOAD_CHARS)}…[truncated ${payload.length - MAX_PAYLOAD_CHARS} chars]` : payload;
  // Text driftwatch writes itself must be storable: a lone surrogate (from a hostile message) becomes U+FFFD.
  return { received_at: Math.floor(nowMs / 1000), source, topic: wellFormed(topic), partition, offset: wellFormed(offset), reason: wellFormed(reason), payload: wellFormed(body) };
}

const asStoreError = (error: unknown) => (error instanceof StoreError ? error : toStoreError(error, 'insert'));
const rawText = (v: Origin['value']) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : v.toString('utf8'));

export class BatchWriter {
  private pending: Pending = emptyBatch();
  private pendingCount = 0;
  private writingCount = 0;
  private waiters: Waiter[] = [];
  /** Callers waiting for the backlog to fall below their limit (backlogBelow). */
  private belowLimit: Array<{ limit: number; resolve: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private deadline = Infinity;
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

  /** Whether the store takes rows as RowBinary bytes (for decodeMessages' `rowBinary`). */
  get takesRowBinary(): boolean {
    return this.store.insertEncoded !== undefined;
  }

  /** Resolves once every row of `batch` is durably stored or dead-lettered (the result names the rows ClickHouse
   *  refused); rejects when ClickHouse stayed unavailable past the shutdown deadline or refuses every write. */
  submit(batch: IngestBatch): Promise<SubmitResult> {
    if (this.closed) return Promise.reject(new Error('writer is closed'));
    const encoded = batch.encoded ?? [];
    if (encoded.length && !this.takesRowBinary) return Promise.reject(new Error('this store takes no encoded rows'));
    const size = batch.predictions.length + batch.labels.length + batch.deadLetters.length + encoded.reduce((n, e) => n + e.ends.length, 0);
    if (size === 0) return Promise.resolve({ refused: [] });
    let waiter!: Waiter;
    const done = new Promise<SubmitResult>((resolve, reject) => (waiter = { resolve, reject, refused: [] }));
    for (const row of batch.predictions) {
      (row as Tagged)[SUBMITTER] = waiter;
      this.pending.predictions.push(row);
    }
    for (const row of batch.labels) {
      (row as Tagged)[SUBMITTER] = waiter;
      this.pending.labels.push(row);
    }
    for (const row of batch.deadLetters) this.pending.deadLetters.push(row);
    for (const rows of encoded) {
      (rows as Tagged)[SUBMITTER] = waiter;
      if (rows.ends.length) this.pending.slices.push({ rows, from: 0, to: rows.ends.length });
    }
    this.pendingCount += size;
    this.waiters.push(waiter);
    if (this.pendingCount >= this.options.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.maxWaitMs);
      this.timer.unref();
    }
    return done;
  }

  /** Rows that make a batch (WriterOptions.batchSize). */
  get batchSize(): number {
    return this.options.batchSize;
  }

  /** Rows submitted but not yet stored (pending plus being written): the backlog a caller may bound. */
  get backlog(): number {
    return this.pendingCount + this.writingCount;
  }

  /** Resolves once fewer than `limit` rows are unstored (a write ended, stored or failed): a fetch loop holding off
   *  for ClickHouse goes on as soon as there is room, with the writer still busy, rather than once its own rows
   *  are stored, when the pipeline would have run dry. With nothing being written the pending rows are written at
   *  once: the caller adds none until then, so waiting for the batch timer would only stall. */
  backlogBelow(limit: number): Promise<void> {
    if (this.backlog < limit) return Promise.resolve();
    const below = new Promise<void>((resolve) => this.belowLimit.push({ limit, resolve }));
    this.wakeBelowLimit();
    return below;
  }

  /** Lets through the callers whose limit the backlog is now under; if some still wait and nothing is being
   *  written, writes the pending rows (nothing else would lower the backlog). */
  private wakeBelowLimit(): void {
    if (this.belowLimit.length === 0) return;
    this.belowLimit = this.belowLimit.filter((w) => {
      if (this.backlog >= w.limit) return true;
      w.resolve();
      return false;
    });
    if (this.belowLimit.length && this.writingCount === 0) void this.flush();
  }

  /** Writes what is pending now (in order after any write in flight). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingCount === 0) return this.writing;
    const batch = this.pending;
    const waiters = this.waiters;
    const size = this.pendingCount;
    this.pending = emptyBatch();
    this.pendingCount = 0;
    this.writingCount += size;
    this.waiters = [];
    this.writing = this.writing.then(async () => {
      try {
        await this.writeWithRetry(batch);
        for (const w of waiters) w.resolve({ refused: w.refused });
      } catch (error) {
        for (const w of waiters) w.reject(error as Error);
      } finally {
        this.writingCount -= size;
        this.wakeBelowLimit();
      }
    });
    return this.writing;
  }

  /** From now on, retries stop once `deadlineMs` from now has passed (set before draining, so a drain always ends). */
  retryFor(deadlineMs: number): void {
    this.deadline = Math.min(this.deadline, this.now() + deadlineMs);
  }

  /** Stops retrying after the pending rows are written or `deadlineMs` passes; unstored rows reject their submitters. */
  async close(deadlineMs = 30_000): Promise<void> {
    this.closed = true;
    this.retryFor(deadlineMs);
    await this.flush();
  }

  private async writeWithRetry(batch: Pending): Promise<void> {
    const started = this.now();
    let attempt = 0;
    let splitTransient = false;
    for (;;) {
      try {
        await this.writeOnce(batch, splitTransient);
        this.metrics?.storeUp.set(1);
        this.metrics?.batches.inc({ outcome: 'stored' });
        this.metrics?.batchSeconds.observe((this.now() - started) / 1000);
        if (attempt > 0) this.logger?.log('info', 'store_recovered', { attempts: attempt + 1 });
        return;
      } catch (error) {
        const e = asStoreError(error);
        if (e.kind !== 'transient') {
          this.metrics?.batches.inc({ outcome: 'refused' });
          this.logger?.log('error', 'store_refused_batch', { error: e.message, rows: batch.predictions.length + batch.labels.length + rowsIn(batch.slices) });
          throw new Error(`ClickHouse refuses these writes, batch not stored (will be redelivered): ${e.message}`);
        }
        attempt += 1;
        this.metrics?.storeUp.set(0);
        this.metrics?.storeRetries.inc();
        if (attempt >= (this.options.maxAttemptsWhileUp ?? 8) && !splitTransient && (await this.answers())) {
          // ClickHouse is up, yet this batch keeps failing: find the rows it fails on instead of retrying forever.
          this.logger?.log('warn', 'store_failing_while_up_splitting', { attempts: attempt, error: e.message });
          splitTransient = true;
          continue;
        }
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

  private async answers(): Promise<boolean> {
    return this.store.ping().catch(() => false);
  }

  private async writeOnce(batch: Pending, splitTransient: boolean): Promise<void> {
    // Dead letters first: a rejected message must never be lost even if the good rows then fail. Rows stored are
    // taken out of the batch as they go, so a retry never writes them twice; a refused row becomes a dead letter
    // of the batch at once, so a retry stores it too.
    await this.storeDeadLetters(batch.deadLetters, splitTransient);
    let refused = 0;
    for (const [table, rows] of [['predictions', batch.predictions], ['labels', batch.labels]] as const) {
      await this.insertSplitting(table, rows, splitTransient, (row, error) => {
        refused += 1;
        const { [ORIGIN]: origin, [SUBMITTER]: submitter } = row as Tagged;
        batch.deadLetters.push(this.refusedRow(table, origin, submitter, row, error));
      });
      await this.insertEncodedSplitting(table, batch, splitTransient, (rows, i, error) => {
        refused += 1;
        batch.deadLetters.push(this.refusedRow(table, originOf(rows, i), (rows as Tagged)[SUBMITTER], undefined, error));
      });
    }
    if (refused === 0 && batch.deadLetters.length === 0) return;
    if (refused) {
      this.metrics?.batches.inc({ outcome: 'split' });
      this.logger?.log('warn', 'rows_dead_lettered_by_store', { rows: refused, first_reason: batch.deadLetters[batch.deadLetters.length - refused]?.reason });
    }
    await this.storeDeadLetters(batch.deadLetters, splitTransient);
  }

  /** The dead letter of a row ClickHouse refused: its message's origin and payload, the server's reason. */
  private refusedRow(table: string, o: Origin | undefined, submitter: Waiter | undefined, row: object | undefined, error: StoreError): DeadLetterRow {
    const reason = `ClickHouse refused the row: ${error.message}`;
    const letter = o
      ? deadLetter(o.source, o.topic, o.partition, o.offset, reason, rawText(o.value), this.now())
      : deadLetter('store', table, -1, String((row as { prediction_id?: unknown } | undefined)?.prediction_id ?? ''), reason, JSON.stringify(row ?? null), this.now());
    if (submitter && o) submitter.refused.push({ origin: o, reason });
    this.metrics?.deadLetters.inc({ source: o?.source ?? 'store', reason: 'store_refused' });
    return letter;
  }

  private async storeDeadLetters(rows: DeadLetterRow[], splitTransient: boolean): Promise<void> {
    // A dead letter is built by driftwatch, so a refused one should never happen; a plain-ASCII copy is the last resort.
    const ascii = (s: string) => JSON.stringify(s).slice(1, -1).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    while (rows.length) await this.insertSplitting('dead_letters', rows, splitTransient, (row, error) => {
      const d = row as DeadLetterRow;
      if (d.reason.includes('(dead letter stored escaped')) {
        this.logger?.log('error', 'dead_letter_not_stored', { source: d.source, topic: d.topic, partition: d.partition, offset: d.offset, error: error.message });
        return;
      }
      rows.push({ ...d, reason: ascii(`${d.reason} (dead letter stored escaped: ${error.message})`), payload: ascii(d.payload), topic: ascii(d.topic), offset: ascii(d.offset) });
    });
  }

  /** insertSplitting for the encoded rows of `table` in `batch.slices`: the stored ones leave it, the refused ones go
   *  to `refuse` (by their submission and row), and on any other failure the rest stays in it. */
  private async insertEncodedSplitting(table: 'predictions' | 'labels', batch: Pending, splitTransient: boolean, refuse: (rows: EncodedRows, i: number, error: StoreError) => void): Promise<void> {
    const mine = batch.slices.filter((s) => s.rows.table === table);
    if (mine.length === 0) return;
    batch.slices = batch.slices.filter((s) => s.rows.table !== table);
    const stack = [mine];
    while (stack.length) {
      const chunk = stack.pop()!;
      try {
        await this.store.insertEncoded!(table, chunk.map(bytesOf));
      } catch (error) {
        const e = asStoreError(error);
        const split = e.kind === 'data' || (splitTransient && e.kind === 'transient' && (await this.answers()));
        if (!split) {
          for (const c of [chunk, ...stack.reverse()]) batch.slices.push(...c);
          throw e;
        }
        const n = rowsIn(chunk);
        if (n === 1) refuse(chunk[0].rows, chunk[0].from, e);
        else {
          const [head, tail] = cut(chunk, n >> 1);
          stack.push(tail, head);
        }
      }
    }
  }

  /** Inserts `rows`, halving each chunk ClickHouse refuses for its data down to the single rows at fault, which go
   *  to `refuse`. On any other failure it throws with `rows` cut down to those not stored yet. */
  private async insertSplitting<T extends object>(table: string, rows: T[], splitTransient: boolean, refuse: (row: T, error: StoreError) => void): Promise<void> {
    const stack = rows.length ? [rows.splice(0)] : [];
    while (stack.length) {
      const chunk = stack.pop()!;
      try {
        await this.store.insert(table, chunk as Record<string, unknown>[]);
      } catch (error) {
        const e = asStoreError(error);
        const split = e.kind === 'data' || (splitTransient && e.kind === 'transient' && (await this.answers()));
        if (!split) {
          for (const c of [chunk, ...stack.reverse()]) rows.push(...c);
          throw e;
        }
        if (chunk.length === 1) refuse(chunk[0], e);
        else stack.push(chunk.slice(chunk.length >> 1), chunk.slice(0, chunk.length >> 1));
      }
    }
  }
}
