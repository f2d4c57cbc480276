// Where alert transitions are kept: the AlertEventStore port, in memory or in ClickHouse's alert_events.
import type { Store } from '../store/index.js';
import { sqlString } from '../store/sql.js';
import type { AlertEvent } from './alert.js';

export interface AlertEventStore {
  append(events: AlertEvent[]): Promise<void>;
}

export class MemoryAlertEventStore implements AlertEventStore {
  readonly events: AlertEvent[] = [];
  async append(events: AlertEvent[]): Promise<void> {
    this.events.push(...structuredClone(events));
  }
}

/** The alert_events row of a transition; the whole event is kept as JSON in payload. */
export function alertEventRow(e: AlertEvent): Record<string, unknown> {
  return {
    at: Math.floor(e.at / 1000),
    at_ms: e.at,
    alert_id: e.alertId,
    model: e.model,
    feature: e.feature,
    kind: e.kind,
    status: e.status,
    statistic: e.statistic,
    value: Number.isFinite(e.value) ? e.value : 0,
    reason: e.reason,
    payload: JSON.stringify(e),
  };
}

/** What makes a transition itself: its alert, its status and the window time it happened at. */
const transitionKey = (alertId: string, status: string, atMs: number | string) => `${alertId}\u0000${status}\u0000${atMs}`;

/**
 * Appends each transition once. A transition can come twice: an insert whose answer was lost is retried, and a new
 * owner re-judges the windows its predecessor judged after its last saved state (killed in between) and reaches the
 * same transitions at the same window times. alert_events is a plain MergeTree, so those already stored are skipped.
 */
export class ClickHouseAlertEventStore implements AlertEventStore {
  constructor(private readonly store: Store) {}
  async append(events: AlertEvent[]): Promise<void> {
    if (events.length === 0) return;
    const list = (values: string[]) => [...new Set(values)].map(sqlString).join(', ');
    const stored = await this.store.query<{ alert_id: string; status: string; at_ms: string }>(
      `SELECT alert_id, status, toString(at_ms) AS at_ms FROM alert_events WHERE model IN (${list(events.map((e) => e.model))}) AND alert_id IN (${list(events.map((e) => e.alertId))})`,
    );
    const seen = new Set(stored.map((r) => transitionKey(r.alert_id, r.status, r.at_ms)));
    const fresh = events.filter((e) => {
      const key = transitionKey(e.alertId, e.status, e.at);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (fresh.length > 0) await this.store.insert('alert_events', fresh.map(alertEventRow));
  }
}
