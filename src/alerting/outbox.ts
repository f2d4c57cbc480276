// Durable outbox: a transition is fsync'ed to an append-only log before any sink sees it, and stays
// there until each sink settles it. A sink that is down loses nothing; a restart resends what was not
// settled; the delivery id (alert id : transition : sink) makes every resend idempotent.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertEvent } from './alert.js';
import type { AlertSink, SendResult } from './sink.js';

export interface Delivery {
  id: string;
  sink: string;
  event: AlertEvent;
  attempts: number;
  /** epoch ms */
  enqueuedAt: number;
  nextAttemptAt: number;
  lastError?: string;
}

export interface RetryPolicy {
  /** first delay, doubled per attempt up to maxDelayMs, with jitter in [½, 1] of it */
  baseDelayMs: number;
  maxDelayMs: number;
  /** a delivery still failing after this long is given up (logged as expired) */
  maxAgeMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAgeMs: 24 * 3_600_000 };

export type Settlement = 'delivered' | 'rejected' | 'expired';

export interface DrainReport {
  delivered: string[];
  rejected: Array<{ id: string; reason: string }>;
  expired: string[];
  retrying: Array<{ id: string; reason: string; nextAttemptAt: number }>;
}

type LogLine =
  | { op: 'enqueue'; delivery: Delivery }
  | { op: 'attempt'; id: string; attempts: number; nextAttemptAt: number; lastError: string }
  | { op: 'settle'; id: string; outcome: Settlement; at: number; reason?: string }
  // kept through compaction so sinks' memory (the webhook's per-model cooldown) survives it
  | { op: 'remember'; sink: string; event: AlertEvent };

/** What a replica persists of the outbox per model, so the model's next owner resends nothing already settled. */
export interface OutboxModelState {
  pending: Delivery[];
  remembered: Array<{ sink: string; event: AlertEvent }>;
  settled: string[];
}

/** Settled delivery ids kept per model in memory-only mode (the newest; older transitions are never re-decided). */
const SETTLED_KEPT = 64;

export interface OutboxOptions {
  /** where the log lives; null keeps deliveries in memory only (replicas persist them with the model's state) */
  dir: string | null;
  sinks: AlertSink[];
  retry?: Partial<RetryPolicy>;
  /** uniform [0, 1) for jitter; injected so tests are exact */
  random?: () => number;
  /** rewrite the log once it has this many settled lines */
  compactAfter?: number;
}

export class Outbox {
  private readonly path: string | null;
  private readonly sinks: Map<string, AlertSink>;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly compactAfter: number;
  private pending = new Map<string, Delivery>();
  private settled = new Set<string>();
  /** memory-only mode: settled ids per model, oldest first (bounded) */
  private settledOf = new Map<string, string[]>();
  private lastPerModel = new Map<string, { sink: string; event: AlertEvent }>();
  private fd: number | null = null;

  constructor(options: OutboxOptions) {
    this.sinks = new Map(options.sinks.map((s) => [s.name, s]));
    if (this.sinks.size !== options.sinks.length) throw new RangeError('sink names must be unique');
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.random = options.random ?? Math.random;
    this.compactAfter = options.compactAfter ?? 10_000;
    this.path = options.dir === null ? null : join(options.dir, 'outbox.jsonl');
    if (options.dir === null || this.path === null) return;
    mkdirSync(options.dir, { recursive: true });
    this.load(this.path);
    this.fd = openSync(this.path, 'a');
  }

  private load(path: string): void {
    if (!existsSync(path)) return;
    const text = readFileSync(path, 'utf8');
    // a torn last line from a crash mid-write: that entry was never acknowledged, so it is cut off
    const complete = text.lastIndexOf('\n') + 1;
    if (complete < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, complete)));
    const lines = text.slice(0, complete).split('\n');
    for (const [i, line] of lines.entries()) {
      if (!line) continue;
      let entry: LogLine;
      try {
        entry = JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`outbox log ${path} is corrupt at line ${i + 1}`);
      }
      if (entry.op === 'enqueue') {
        if (!this.settled.has(entry.delivery.id)) this.pending.set(entry.delivery.id, entry.delivery);
        this.remember(entry.delivery.sink, entry.delivery.event);
      } else if (entry.op === 'remember') {
        this.remember(entry.sink, entry.event);
      } else if (entry.op === 'attempt') {
        const d = this.pending.get(entry.id);
        if (d) Object.assign(d, { attempts: entry.attempts, nextAttemptAt: entry.nextAttemptAt, lastError: entry.lastError });
      } else {
        this.pending.delete(entry.id);
        this.settled.add(entry.id);
      }
    }
  }

  private remember(sink: string, event: AlertEvent): void {
    this.sinks.get(sink)?.remember?.(event);
    this.lastPerModel.set(`${sink}\u0000${event.model}`, { sink, event });
  }

  private write(entry: LogLine): void {
    if (this.fd === null) return;
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(this.fd);
  }

  /** Stores the transition for every sink that wants it; returns the new delivery ids. Idempotent. */
  enqueue(event: AlertEvent, now: number): string[] {
    const ids: string[] = [];
    if (event.silenced) return ids;
    for (const sink of this.sinks.values()) {
      const id = `${event.alertId}:${event.seq}:${sink.name}`;
      if (this.pending.has(id) || this.settled.has(id) || !sink.wants(event)) continue;
      const delivery: Delivery = { id, sink: sink.name, event, attempts: 0, enqueuedAt: now, nextAttemptAt: now };
      this.write({ op: 'enqueue', delivery });
      this.pending.set(id, delivery);
      this.lastPerModel.set(`${sink.name}\u0000${event.model}`, { sink: sink.name, event });
      ids.push(id);
    }
    return ids;
  }

  /** Deliveries not yet settled, oldest first. */
  list(): Delivery[] {
    return [...this.pending.values()];
  }

  /**
   * Tries every due delivery once; a later transition of an alert waits for the earlier one on the same sink.
   * `sendable` holds back a model's deliveries (a replica sends only once the model's state holding them is stored).
   */
  async drain(now: number, sendable: (model: string) => boolean = () => true): Promise<DrainReport> {
    const report: DrainReport = { delivered: [], rejected: [], expired: [], retrying: [] };
    const blocked = new Set<string>();
    for (const d of [...this.pending.values()]) {
      if (!sendable(d.event.model)) continue;
      const lane = `${d.sink}\u0000${d.event.alertId}`;
      if (blocked.has(lane)) continue;
      if (now - d.enqueuedAt > this.retry.maxAgeMs) {
        this.settle(d.id, 'expired', now, d.lastError);
        report.expired.push(d.id);
        continue;
      }
      if (d.nextAttemptAt > now) {
        blocked.add(lane);
        continue;
      }
      const sink = this.sinks.get(d.sink);
      const result: SendResult = sink
        ? await sink.send(d.event, { id: d.id, attempt: d.attempts + 1, now })
        : { outcome: 'rejected', reason: `sink ${d.sink} is no longer configured` };
      if (result.outcome === 'delivered') {
        this.settle(d.id, 'delivered', now);
        report.delivered.push(d.id);
      } else if (result.outcome === 'rejected') {
        this.settle(d.id, 'rejected', now, result.reason);
        report.rejected.push({ id: d.id, reason: result.reason });
      } else {
        d.attempts += 1;
        d.nextAttemptAt = now + Math.max(result.retryAfterMs ?? 0, this.backoff(d.attempts));
        d.lastError = result.reason;
        this.write({ op: 'attempt', id: d.id, attempts: d.attempts, nextAttemptAt: d.nextAttemptAt, lastError: result.reason });
        report.retrying.push({ id: d.id, reason: result.reason, nextAttemptAt: d.nextAttemptAt });
        blocked.add(lane);
      }
    }
    if (this.settled.size >= this.compactAfter) this.compact();
    return report;
  }

  /** Exponential backoff with jitter: the n-th retry waits in [½, 1] × min(max, base × 2^(n−1)). */
  backoff(attempts: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(ceiling * (0.5 + 0.5 * this.random()));
  }

  /** Re-announces the firing alerts to the sinks that need it; failures wait for the next refresh. */
  async refresh(firing: AlertEvent[], now: number): Promise<void> {
    const visible = firing.filter((e) => !e.silenced);
    for (const sink of this.sinks.values()) await sink.refresh?.(visible, now);
  }

  private settle(id: string, outcome: Settlement, at: number, reason?: string): void {
    this.write({ op: 'settle', id, outcome, at, ...(reason ? { reason } : {}) });
    const model = this.pending.get(id)?.event.model;
    this.pending.delete(id);
    if (this.fd === null && model !== undefined) this.markSettled(model, id);
    else this.settled.add(id);
  }

  /** One model's undelivered transitions, what its sinks remember and which deliveries are settled (its owner persists them). */
  exportModel(model: string): OutboxModelState {
    return {
      pending: structuredClone([...this.pending.values()].filter((d) => d.event.model === model)),
      remembered: structuredClone([...this.lastPerModel.values()].filter((r) => r.event.model === model)),
      settled: [...this.settledOf.get(model) ?? []],
    };
  }

  /** Takes a model's deliveries over from its previous owner (sinks remember what it had sent). */
  adoptModel(model: string, state: OutboxModelState): void {
    this.releaseModel(model);
    for (const r of state.remembered) this.remember(r.sink, r.event);
    for (const id of state.settled) this.markSettled(model, id);
    for (const d of state.pending) if (!this.settled.has(d.id)) this.pending.set(d.id, structuredClone(d));
  }

  /** Forgets a model another replica owns now. */
  releaseModel(model: string): void {
    for (const [id, d] of this.pending) if (d.event.model === model) this.pending.delete(id);
    for (const id of this.settledOf.get(model) ?? []) this.settled.delete(id);
    this.settledOf.delete(model);
    for (const [key, r] of this.lastPerModel) if (r.event.model === model) this.lastPerModel.delete(key);
  }

  private markSettled(model: string, id: string): void {
    this.settled.add(id);
    const ids = this.settledOf.get(model) ?? [];
    ids.push(id);
    // the newest settlements are what a re-decided transition could collide with
    if (ids.length > SETTLED_KEPT) this.settled.delete(ids.shift()!);
    this.settledOf.set(model, ids);
  }

  /** Rewrites the log with only what is pending and what sinks remember (atomically: temp file, fsync, rename). */
  private compact(): void {
    if (this.fd === null || this.path === null) return;
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    for (const { sink, event } of this.lastPerModel.values()) writeSync(fd, `${JSON.stringify({ op: 'remember', sink, event })}\n`);
    for (const delivery of this.pending.values()) writeSync(fd, `${JSON.stringify({ op: 'enqueue', delivery })}\n`);
    fsyncSync(fd);
    closeSync(fd);
    closeSync(this.fd);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a');
    this.settled.clear();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
  }
}
