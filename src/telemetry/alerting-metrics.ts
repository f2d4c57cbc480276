// Alert delivery metrics: what each outbox drain settled per sink, what is still pending, what is firing.
import { Counter, Gauge, type Registry } from 'prom-client';
import * as N from './names/alerting.js';

/** The parts of an outbox drain report (src/alerting) these metrics count. */
export interface DrainCounts {
  delivered: readonly string[];
  rejected: ReadonlyArray<{ id: string }>;
  expired: readonly string[];
  retrying: ReadonlyArray<{ id: string }>;
}

export interface AlertingMetrics {
  deliveries: Counter<'sink' | 'outcome'>;
  outboxPending: Gauge;
  firing: Gauge<'model' | 'kind'>;
  transitions: Counter<'status'>;
  /** Counts one drain; delivery ids end in ":<sink>". */
  recordDrain(report: DrainCounts): void;
  /** Replaces the firing gauge with the alerts firing now. */
  setFiring(alerts: ReadonlyArray<{ model: string; kind: string }>): void;
  /** Models this replica evaluates and alerts for now. */
  setOwned(count: number): void;
}

const sinkOf = (deliveryId: string) => deliveryId.slice(deliveryId.lastIndexOf(':') + 1) || 'unknown';

export function alertingMetrics(registry: Registry): AlertingMetrics {
  const registers = [registry];
  const deliveries = new Counter({ name: N.ALERT_DELIVERIES_TOTAL, help: 'Alert deliveries settled or retried, by sink and outcome (delivered|rejected|expired|retrying).', labelNames: ['sink', 'outcome'], registers });
  const outboxPending = new Gauge({ name: N.ALERT_OUTBOX_PENDING, help: 'Deliveries waiting in the durable outbox.', registers });
  const firing = new Gauge({ name: N.ALERTS_FIRING, help: 'Drift and quality alerts firing now, by model and kind.', labelNames: ['model', 'kind'], registers });
  const transitions = new Counter({ name: N.ALERT_TRANSITIONS_TOTAL, help: 'Alert transitions recorded, by status (firing|acknowledged|resolved).', labelNames: ['status'], registers });
  const owned = new Gauge({ name: N.OWNED_MODELS, help: 'Models this replica evaluates and alerts for now (its share of the ownership group; all of them without replicas).', registers });
  return {
    deliveries, outboxPending, firing, transitions,
    setOwned: (count) => owned.set(count),
    recordDrain(report) {
      const count = (ids: readonly string[], outcome: string) => { for (const id of ids) deliveries.inc({ sink: sinkOf(id), outcome }); };
      count(report.delivered, 'delivered');
      count(report.rejected.map((r) => r.id), 'rejected');
      count(report.expired, 'expired');
      count(report.retrying.map((r) => r.id), 'retrying');
    },
    setFiring(alerts) {
      firing.reset();
      for (const a of alerts) firing.inc({ model: a.model, kind: a.kind });
    },
  };
}
