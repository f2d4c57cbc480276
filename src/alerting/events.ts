// Where alert transitions are kept: the AlertEventStore port, in memory or in ClickHouse's alert_events.
import type { Store } from '../store/index.js';
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

export class ClickHouseAlertEventStore implements AlertEventStore {
  constructor(private readonly store: Store) {}
  async append(events: AlertEvent[]): Promise<void> {
    if (events.length > 0) await this.store.insert('alert_events', events.map(alertEventRow));
  }
}
