// PagerDuty Events API v2 sink: trigger / acknowledge / resolve with dedup_key = the model incident's id (the alert id
// of the stream that opened it): a stream joining an open incident re-triggers it with the new details, which
// PagerDuty de-duplicates into the same incident instead of paging again.
import type { AlertEvent } from '../../alert.js';
import { incidentStreamsText, notificationTitle } from '../../incident.js';
import { postJson, type AlertSink, type DeliveryAttempt, type SendResult } from '../../sink.js';
import { pagerDutyConfig, type PagerDutyConfig } from './config.js';

const ACTIONS = { firing: 'trigger', acknowledged: 'acknowledge', resolved: 'resolve' } as const;

/** The Events v2 body for a transition. */
export function pagerDutyEvent(e: AlertEvent, c: PagerDutyConfig): Record<string, unknown> {
  const base = { routing_key: c.routingKey, event_action: ACTIONS[e.status], dedup_key: e.alertId };
  if (e.status !== 'firing') return base;
  const streams = e.incident && e.incident.streams.length > 1 ? ` [${incidentStreamsText(e.incident)}]` : '';
  const summary = `${notificationTitle(e)}: ${e.reason}${streams}`;
  return {
    ...base,
    payload: {
      summary: summary.length > 1024 ? `${summary.slice(0, 1021)}...` : summary,
      source: c.source,
      severity: c.severities[e.incident?.severity ?? e.severity],
      timestamp: new Date(e.at).toISOString(),
      component: e.model,
      group: e.model,
      class: e.kind,
      custom_details: {
        feature: e.feature,
        statistic: e.statistic,
        value: e.value,
        baseline_version: e.baselineVersion,
        window_start: new Date(e.window.start).toISOString(),
        window_end: new Date(e.window.end).toISOString(),
        evidence: e.evidence,
        ...(e.incident ? { incident: { change: e.incident.change, streams: e.incident.streams } } : {}),
      },
    },
    client: 'driftwatch',
    ...(c.alertUrl ? { client_url: c.alertUrl.replace('{alert_id}', e.alertId), links: [{ href: c.alertUrl.replace('{alert_id}', e.alertId), text: 'driftwatch alert' }] } : {}),
  };
}

export class PagerDutySink implements AlertSink {
  readonly config: PagerDutyConfig;

  constructor(config: unknown, readonly name = 'pagerduty') {
    this.config = pagerDutyConfig(config);
  }

  wants(): boolean {
    return true;
  }

  send(e: AlertEvent, attempt: DeliveryAttempt): Promise<SendResult> {
    return postJson(this.config.url, JSON.stringify(pagerDutyEvent(e, this.config)), {}, this.config.timeoutMs, attempt.now);
  }
}
