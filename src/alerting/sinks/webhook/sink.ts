// Retraining webhook sink: a signed JSON request to the user's retraining pipeline when a model drifts: once per
// model incident (when it opens, not when more streams join it), and at most once per model per cooldown.
import type { AlertEvent, AlertKind } from '../../alert.js';
import { postJson, type AlertSink, type DeliveryAttempt, type SendResult } from '../../sink.js';
import { retrainingWebhookConfig, type RetrainingWebhookConfig } from './config.js';
import { webhookHeaders } from './signature.js';

/** The JSON body of a retraining request. */
export function retrainingRequest(e: AlertEvent, c: RetrainingWebhookConfig): Record<string, unknown> {
  const fill = (t: string): string => t.replace('{model}', encodeURIComponent(e.model)).replace('{alert_id}', e.alertId);
  return {
    type: 'driftwatch.retraining.requested',
    model: e.model,
    baseline_version: e.baselineVersion,
    alert_id: e.alertId,
    feature: e.feature,
    kind: e.kind,
    at: new Date(e.at).toISOString(),
    window: { start: new Date(e.window.start).toISOString(), end: new Date(e.window.end).toISOString() },
    evidence: { statistic: e.statistic, value: e.value, reason: e.reason, ...e.evidence },
    ...(e.incident ? { incident: { id: e.incident.id, streams: e.incident.streams } } : {}),
    links: { ...(c.alertUrl ? { alert: fill(c.alertUrl) } : {}), ...(c.dashboardUrl ? { dashboard: fill(c.dashboardUrl) } : {}) },
  };
}

/** Retraining answers model drift: a sick GPU is the fleet's problem, and a broken feed (out-of-range values, unseen
 *  categories) is fixed upstream, not by retraining. */
function retrains(kind: AlertKind): boolean {
  return kind !== 'gpu_degradation' && kind !== 'data_quality';
}

export class RetrainingWebhookSink implements AlertSink {
  readonly config: RetrainingWebhookConfig;
  /** model → time of the last retraining request taken */
  private readonly lastRequest = new Map<string, number>();

  constructor(config: unknown, readonly name = 'retraining') {
    this.config = retrainingWebhookConfig(config);
  }

  wants(e: AlertEvent): boolean {
    if (e.status !== 'firing') return false;
    if (e.incident) {
      // once per model incident: when the first of its streams that retraining answers fires (the opener, or one joining)
      const answered = e.incident.streams.filter((s) => retrains(s.kind));
      if ((e.incident.change !== 'opened' && e.incident.change !== 'joined') || answered.length !== 1 || answered[0].since !== e.at) return false;
    } else if (!retrains(e.kind)) return false;
    const last = this.lastRequest.get(e.model);
    if (last !== undefined && e.at - last < this.config.cooldownMs) return false;
    this.lastRequest.set(e.model, e.at);
    return true;
  }

  remember(e: AlertEvent): void {
    if (e.status === 'firing' && e.at > (this.lastRequest.get(e.model) ?? -Infinity)) this.lastRequest.set(e.model, e.at);
  }

  send(e: AlertEvent, attempt: DeliveryAttempt): Promise<SendResult> {
    const body = JSON.stringify(retrainingRequest(e, this.config));
    // webhook-id is the delivery id, the same on every retry, so the receiver can de-duplicate
    const headers = webhookHeaders([this.config.secret], attempt.id, Math.floor(attempt.now / 1000), body);
    return postJson(this.config.url, body, { ...headers }, this.config.timeoutMs, attempt.now);
  }
}
