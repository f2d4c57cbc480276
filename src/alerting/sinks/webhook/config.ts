// Retraining webhook sink settings.
import { InputError } from '../../../domain/index.js';
import { checkUrl, readConfig } from '../config.js';

export interface RetrainingWebhookConfig {
  url: string;
  /** Standard Webhooks secret, "whsec_<base64>" */
  secret: string;
  /** at most one retraining request per model per cooldown (default 24 h): a flapping model cannot cause a storm */
  cooldownMs: number;
  timeoutMs: number;
  /** links sent with the request; {model} and {alert_id} are replaced */
  alertUrl: string;
  dashboardUrl: string;
}

export function retrainingWebhookConfig(raw: unknown): RetrainingWebhookConfig {
  const c = readConfig<RetrainingWebhookConfig>(raw, 'webhook sink', {
    url: { type: 'string', required: true },
    secret: { type: 'string', required: true },
    cooldownMs: { type: 'number' },
    timeoutMs: { type: 'number' },
    alertUrl: { type: 'string' },
    dashboardUrl: { type: 'string' },
  }, { cooldownMs: 24 * 3_600_000, timeoutMs: 10_000, alertUrl: '', dashboardUrl: '' });
  checkUrl(c.url, 'webhook sink');
  if (!c.secret.startsWith('whsec_') || Buffer.from(c.secret.slice(6), 'base64').length < 16) {
    throw new InputError('webhook sink: secret must be "whsec_" followed by at least 16 base64-encoded bytes');
  }
  return c;
}
