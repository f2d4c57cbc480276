// Standard Webhooks signatures (REFERENCE.md §5): v1 = base64 HMAC-SHA256(key, "id.timestamp.body").
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InputError } from '../../../domain/index.js';

function keyOf(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  if (key.length === 0) throw new InputError('webhook secret is empty or not base64');
  return key;
}

/** The webhook-signature header value for one secret. */
export function signWebhook(secret: string, id: string, timestampS: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestampS}.${body}`).digest('base64')}`;
}

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers for a delivery; several secrets (key rotation) give several space-separated signatures. */
export function webhookHeaders(secrets: string[], id: string, timestampS: number, body: string): WebhookHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': secrets.map((s) => signWebhook(s, id, timestampS, body)).join(' '),
  };
}

/** Checks a received webhook: a v1 signature matches in constant time and the timestamp is within tolerance. */
export function verifyWebhook(secret: string, headers: Partial<WebhookHeaders>, body: string, nowS: number, toleranceS = 300): { ok: true } | { ok: false; reason: string } {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sig = headers['webhook-signature'];
  if (!id || !ts || !sig) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  const timestamp = Number(ts);
  if (!/^\d+$/.test(ts) || Math.abs(nowS - timestamp) > toleranceS) return { ok: false, reason: 'timestamp outside tolerance' };
  const expected = Buffer.from(signWebhook(secret, id, timestamp, body).slice(3), 'base64');
  for (const part of sig.split(' ')) {
    const [version, value] = part.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no matching v1 signature' };
}
