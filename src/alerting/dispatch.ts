// Decisions → lifecycle → alert_events (every stream) and model incidents → outbox (durable) → sinks: the one path
// the service and replay share.
import type { AlertEvent } from './alert.js';
import type { AlertEventStore } from './events.js';
import type { AlertBook, Silence, StreamDecision } from './lifecycle.js';
import type { DrainReport, Outbox } from './outbox.js';

export interface AlertDispatchOptions {
  book: AlertBook;
  events: AlertEventStore;
  /** null: record only (replay, or a service with no sink configured) */
  outbox: Outbox | null;
  /** how often firing alerts are re-announced (Alertmanager forgets them otherwise) */
  refreshIntervalMs?: number;
  /**
   * Replicas: whether this replica owns the model's alerts now (default: all). Only the owner sends, re-announces
   * and records transitions; another replica hands an acknowledgement to the owner through `forward`.
   */
  owns?: (model: string) => boolean;
  /** whether the model's deliveries may go out now (a replica: once the state holding them is stored) */
  sendable?: (model: string) => boolean;
  forward?: { acknowledge(event: AlertEvent): Promise<void> };
}

export class AlertDispatch {
  readonly book: AlertBook;
  private readonly events: AlertEventStore;
  private readonly outbox: Outbox | null;
  private readonly refreshIntervalMs: number;
  private lastRefresh = -Infinity;
  private readonly owns: (model: string) => boolean;
  private readonly sendable: (model: string) => boolean;
  private readonly forward: AlertDispatchOptions['forward'];
  /** transitions that ClickHouse has not taken yet; retried on every tick */
  private unstored: AlertEvent[] = [];

  constructor(options: AlertDispatchOptions) {
    this.book = options.book;
    this.events = options.events;
    this.outbox = options.outbox;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 60_000;
    this.owns = options.owns ?? (() => true);
    this.sendable = options.sendable ?? (() => true);
    this.forward = options.forward;
  }

  /** Records the decisions of one evaluation; returns the transitions they caused. */
  async decide(decisions: StreamDecision[], now: number): Promise<AlertEvent[]> {
    const events: AlertEvent[] = [];
    for (const d of decisions) {
      const event = this.book.record(d);
      if (event) events.push(event);
    }
    await this.publish(events, now);
    return events;
  }

  async acknowledge(alertId: string, by: string, now: number): Promise<AlertEvent> {
    const alert = this.book.get(alertId);
    if (alert && this.forward && !this.owns(alert.model)) {
      // checked against this replica's copy of the owner's alerts; the owner records and sends it
      const event = this.book.acknowledgement(alertId, by, now);
      await this.forward.acknowledge(event);
      return event;
    }
    const event = this.book.acknowledge(alertId, by, now);
    await this.publish([event], now);
    return event;
  }

  silence(s: Omit<Silence, 'id'>): Silence {
    return this.book.silence(s);
  }

  /** The outbox's fsync comes first, so a page is never lost to a ClickHouse outage; the store catches up on tick. */
  private async publish(events: AlertEvent[], now: number): Promise<void> {
    // every stream's transition is stored; the sinks are told per model incident (one page per incident)
    for (const e of events) {
      const notification = this.book.incidents.apply(e);
      if (notification) this.outbox?.enqueue(notification, now);
    }
    this.unstored.push(...events);
    await this.flushStore();
  }

  private async flushStore(): Promise<void> {
    if (this.unstored.length === 0) return;
    const batch = this.unstored;
    this.unstored = [];
    try {
      await this.events.append(batch);
    } catch (error) {
      this.unstored = [...batch, ...this.unstored];
      throw error;
    }
  }

  /** Delivers what is due and re-announces firing alerts when their interval has passed. */
  async tick(now: number): Promise<DrainReport | null> {
    await this.flushStore().catch(() => undefined); // kept in unstored; retried next tick
    if (!this.outbox) return null;
    const report = await this.outbox.drain(now, (model) => this.owns(model) && this.sendable(model));
    if (now - this.lastRefresh >= this.refreshIntervalMs) {
      this.lastRefresh = now;
      await this.outbox.refresh(this.book.incidents.firing().filter((e) => this.owns(e.model)), now);
    }
    return report;
  }

  /** Transitions ClickHouse has not acknowledged yet. */
  get pendingStore(): number {
    return this.unstored.length;
  }
}
