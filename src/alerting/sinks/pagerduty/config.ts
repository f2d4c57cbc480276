// PagerDuty Events v2 sink settings.
import { InputError } from '../../../domain/index.js';
import type { Severity } from '../../alert.js';
import { checkUrl, readConfig } from '../config.js';

export interface PagerDutyConfig {
  /** the integration's 32-character routing key */
  routingKey: string;
  url: string;
  /** payload.source: the system the problem is in */
  source: string;
  timeoutMs: number;
  /** optional link to the alert in driftwatch; {alert_id} is replaced */
  alertUrl: string;
  /** driftwatch severity → PagerDuty severity; identity by default */
  severities: Record<Severity, Severity>;
}

const SEVERITIES: Severity[] = ['critical', 'error', 'warning', 'info'];

export function pagerDutyConfig(raw: unknown): PagerDutyConfig {
  const { severities, ...rest } = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const c = readConfig<PagerDutyConfig>(rest, 'pagerduty sink', {
    routingKey: { type: 'string', required: true },
    url: { type: 'string' },
    source: { type: 'string' },
    timeoutMs: { type: 'number' },
    alertUrl: { type: 'string' },
  }, { url: 'https://events.pagerduty.com/v2/enqueue', source: 'driftwatch', timeoutMs: 10_000, alertUrl: '' });
  if (c.routingKey.length !== 32) throw new InputError(`pagerduty sink: routingKey must be 32 characters, got ${c.routingKey.length}`);
  checkUrl(c.url, 'pagerduty sink');
  const map = { critical: 'critical', error: 'error', warning: 'warning', info: 'info' } as Record<Severity, Severity>;
  if (severities !== undefined) {
    if (typeof severities !== 'object' || severities === null) throw new InputError('pagerduty sink: severities must be an object');
    for (const [from, to] of Object.entries(severities)) {
      if (!SEVERITIES.includes(from as Severity) || !SEVERITIES.includes(to as Severity)) {
        throw new InputError(`pagerduty sink: severities maps ${SEVERITIES.join('|')} to ${SEVERITIES.join('|')}, got ${from} → ${String(to)}`);
      }
      map[from as Severity] = to as Severity;
    }
  }
  return { ...c, severities: map };
}
