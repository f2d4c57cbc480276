// Alertmanager API v2 sink: POST /api/v2/alerts; firing alerts re-sent with endsAt ahead, resolved with endsAt.
// One Alertmanager alert per model incident (labels of the stream that opened it, so they stay the same while it
// lasts); its streams are in the annotations. Route with `group_by: [model]` for one notification per model.
import type { AlertEvent } from '../../alert.js';
import { incidentStreamsText, notificationTitle } from '../../incident.js';
import { streamSegment } from '../../segment.js';
import { postJson, type AlertSink, type DeliveryAttempt, type SendResult } from '../../sink.js';
import { alertmanagerConfig, type AlertmanagerConfig } from './config.js';

const ALERT_NAMES: Record<AlertEvent['kind'], string> = { feature_drift: 'DriftwatchFeatureDrift', metric_drop: 'DriftwatchMetricDrop', gpu_degradation: 'DriftwatchGpuDegradation', data_quality: 'DriftwatchDataQuality' };

/** The Alertmanager alert for a transition at time `now`; identical labels make it the same alert. */
export function alertmanagerAlert(e: AlertEvent, now: number, resendIntervalMs: number, generatorUrl: string): Record<string, unknown> {
  const resolved = e.status === 'resolved';
  // a segment's stream (amount{country=DE}) also carries its segment as a label, for routes and silences
  const { segment } = streamSegment(e.feature);
  return {
    labels: { alertname: ALERT_NAMES[e.kind], model: e.model, feature: e.feature, ...(segment === null ? {} : { segment }), severity: e.severity, alert_id: e.alertId, source: 'driftwatch' },
    annotations: {
      summary: notificationTitle(e),
      description: e.reason,
      ...(e.incident ? { streams: incidentStreamsText(e.incident), incident_severity: e.incident.severity } : {}),
      statistic: e.statistic,
      value: String(e.value),
      baseline_version: e.baselineVersion,
    },
    startsAt: new Date(e.startsAt).toISOString(),
    endsAt: new Date(resolved ? Math.max(e.at, e.startsAt) : now + 4 * resendIntervalMs).toISOString(),
    ...(generatorUrl ? { generatorURL: generatorUrl } : {}),
  };
}

export class AlertmanagerSink implements AlertSink {
  readonly config: AlertmanagerConfig;
  /** outcome of the last refresh, for logs and /readyz */
  lastRefresh: SendResult | null = null;

  constructor(config: unknown, readonly name = 'alertmanager') {
    this.config = alertmanagerConfig(config);
  }

  wants(e: AlertEvent): boolean {
    return e.status !== 'acknowledged'; // Alertmanager has no acknowledgement; silences are its own
  }

  private post(alerts: AlertEvent[], now: number): Promise<SendResult> {
    const body = JSON.stringify(alerts.map((e) => alertmanagerAlert(e, now, this.config.resendIntervalMs, this.config.generatorUrl)));
    return postJson(`${this.config.url.replace(/\/$/, '')}/api/v2/alerts`, body, {}, this.config.timeoutMs, now);
  }

  send(e: AlertEvent, attempt: DeliveryAttempt): Promise<SendResult> {
    return this.post([e], attempt.now);
  }

  async refresh(firing: AlertEvent[], now: number): Promise<void> {
    if (firing.length > 0) this.lastRefresh = await this.post(firing, now);
  }
}
