// What an alert and its transitions are: one alert per (model, feature, kind), with a stable id.
import { createHash } from 'node:crypto';
import type { IncidentView } from './incident.js';

// gpu_degradation: a GPU or NCCL health signal (model = "gpu:<host>", feature = "<gpu>/<signal>").
export type AlertKind = 'feature_drift' | 'metric_drop' | 'gpu_degradation' | 'data_quality';
/** How a person reads each kind, in summaries of Alertmanager and PagerDuty. */
export const KIND_TEXT: Record<AlertKind, string> = { feature_drift: 'Input drift', metric_drop: 'Metric drop', gpu_degradation: 'GPU degradation', data_quality: 'Data quality' };
export type AlertStatus = 'firing' | 'resolved' | 'acknowledged';
export type Severity = 'critical' | 'error' | 'warning' | 'info';

/** The numbers behind a decision, kept with every transition so a page can be explained later. */
export interface Evidence {
  /** ln of the sequential test's evidence when it decided, and the ln threshold it crossed */
  logEvidence: number;
  logThreshold: number;
  tolerance: number;
  /** windows the test had seen in the phase that just ended */
  windows: number;
  rows: number;
  baselineRows: number;
}

/** One transition of one alert: what is stored in alert_events and handed to the sinks. */
export interface AlertEvent {
  alertId: string;
  /** 1, 2, 3… per alert: with alertId it names the transition, which makes delivery idempotent */
  seq: number;
  status: AlertStatus;
  model: string;
  feature: string;
  kind: AlertKind;
  severity: Severity;
  /** the statistic of the window that decided (e.g. "psi", "accuracy") and its value */
  statistic: string;
  value: number;
  reason: string;
  /** epoch ms of the transition: the end of the window that decided it */
  at: number;
  /** epoch ms when the current firing began */
  startsAt: number;
  window: { start: number; end: number };
  baselineVersion: string;
  evidence: Evidence;
  /** true when a silence matched: stored, not sent */
  silenced: boolean;
  /** who acknowledged, for acknowledged transitions */
  by?: string;
  /**
   * on notifications (what the sinks get): the model incident this transition changed, with all its streams; the
   * event's alertId, seq and feature are then the incident's (named after the stream that opened it)
   */
  incident?: IncidentView;
}

/** The stable id of the alert for (model, feature, kind): also PagerDuty's dedup_key. */
export function alertId(model: string, feature: string, kind: AlertKind): string {
  const digest = createHash('sha256').update(`${model}\u0000${feature}\u0000${kind}`).digest('hex');
  return `dw-${digest.slice(0, 24)}`;
}
