// The AlertSink port: where a transition goes after the outbox has stored it.
import type { AlertEvent } from './alert.js';

/** How one delivery attempt settled: retried later, done, or refused for good (e.g. HTTP 400). */
export type SendResult =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; reason: string; retryAfterMs?: number }
  | { outcome: 'rejected'; reason: string };

export interface DeliveryAttempt {
  /** stable across retries and restarts: alert id, transition and sink (receivers de-duplicate on it) */
  id: string;
  /** 1 for the first attempt */
  attempt: number;
  /** epoch ms, from the injected clock */
  now: number;
}

export interface AlertSink {
  /** unique per configured sink, part of the delivery id */
  readonly name: string;
  /** Whether this sink takes the transition; may record it (e.g. a per-model cooldown). */
  wants(event: AlertEvent): boolean;
  /** Records a transition it took before a restart, so decisions like cooldowns survive it. */
  remember?(event: AlertEvent): void;
  send(event: AlertEvent, attempt: DeliveryAttempt): Promise<SendResult>;
  /** Re-announces what is firing (Alertmanager forgets alerts that are not re-sent). */
  refresh?(firing: AlertEvent[], now: number): Promise<void>;
}

/** Maps an HTTP status the way every sink here must: 2xx done, 408/429/5xx retried, other 4xx refused. */
export function resultOfStatus(status: number, body: string, retryAfterMs?: number): SendResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered' };
  const reason = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return { outcome: 'retry', reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  return { outcome: 'rejected', reason };
}

/** Retry-After in ms (seconds or an HTTP date), if the response had a usable one. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** POSTs JSON with a timeout and maps the outcome; network errors and timeouts are retried. */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number, now: number): Promise<SendResult> {
  try {
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text().catch(() => '');
    return resultOfStatus(res.status, text, retryAfterMs(res.headers.get('retry-after'), now));
  } catch (error) {
    return { outcome: 'retry', reason: `request failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
