// One suite every sink passes, each against a local receiver implementing the documented contract.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertBook, AlertmanagerSink, Outbox, PagerDutySink, RetrainingWebhookSink, retrainingRequest, type AlertEvent, type AlertSink } from '../../../src/alerting/index.js';
import { AlertmanagerReceiver, PagerDutyReceiver, Receiver, WebhookReceiver } from '../../support/http-receiver.js';
import { HOUR, T0, decision } from './decisions.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';
let now = T0;

interface SinkCase {
  name: string;
  receiver: () => Receiver;
  sink: (url: string) => AlertSink;
  /** how many times the receiver has taken this alert as open/new, after a possible duplicate */
  opened: (r: Receiver, e: AlertEvent) => number;
  /** whether the receiver considers the alert closed (null: this sink does not send resolutions) */
  closed: ((r: Receiver, e: AlertEvent) => boolean) | null;
}

const cases: SinkCase[] = [
  {
    name: 'alertmanager',
    receiver: () => new AlertmanagerReceiver(() => now),
    sink: (url) => new AlertmanagerSink({ url }),
    opened: (r, e) => [...(r as AlertmanagerReceiver).alerts.values()].filter((a) => (a.labels as Record<string, string>).alert_id === e.alertId).length,
    closed: (r, e) => {
      const a = [...(r as AlertmanagerReceiver).alerts.values()].find((x) => (x.labels as Record<string, string>).alert_id === e.alertId);
      return a !== undefined && Date.parse(String(a.endsAt)) <= now;
    },
  },
  {
    name: 'pagerduty',
    receiver: () => new PagerDutyReceiver(),
    sink: (url) => new PagerDutySink({ routingKey: ROUTING_KEY, url: `${url}/v2/enqueue` }),
    opened: (r, e) => ((r as PagerDutyReceiver).incidents.has(e.alertId) ? 1 : 0),
    closed: (r, e) => (r as PagerDutyReceiver).incidents.get(e.alertId)?.status === 'resolved',
  },
  {
    name: 'retraining webhook',
    receiver: () => new WebhookReceiver(SECRET, () => now),
    sink: (url) => new RetrainingWebhookSink({ url, secret: SECRET }),
    opened: (r, e) => (r as WebhookReceiver).accepted.filter((a) => a.body.alert_id === e.alertId).length,
    closed: null,
  },
];

describe.each(cases)('$name sink conformance', (c) => {
  let receiver: Receiver;
  let dir: string;
  let outbox: Outbox;
  let book: AlertBook;

  beforeAll(async () => {
    receiver = await c.receiver().start();
  });
  afterAll(() => receiver.stop());
  beforeEach(() => {
    now = T0 + 5 * HOUR;
    receiver.received.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'dw-outbox-'));
    outbox = new Outbox({ dir, sinks: [c.sink(receiver.url)], random: () => 0 });
    book = new AlertBook();
  });
  afterEach(() => {
    outbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function fire(hour: number, model = `m-${Math.random()}`): AlertEvent {
    const e = book.record(decision('raised', hour, { model }))!;
    outbox.enqueue(e, now);
    return e;
  }

  it('delivers a firing alert', async () => {
    const e = fire(5);
    const report = await outbox.drain(now);
    expect(report.delivered).toEqual([`${e.alertId}:1:${c.sink('http://x').name}`]);
    expect(c.opened(receiver, e)).toBeGreaterThanOrEqual(1);
    expect(outbox.list()).toEqual([]);
  });

  it('does not retry a 400', async () => {
    receiver.failNext(400);
    const e = fire(5);
    const report = await outbox.drain(now);
    expect(report.rejected).toHaveLength(1);
    expect((await outbox.drain(now + HOUR)).delivered).toEqual([]);
    expect(receiver.received).toHaveLength(1);
    expect(c.opened(receiver, e)).toBe(0);
  });

  it('retries 429 and 5xx with backoff, then delivers', async () => {
    receiver.failNext(429, 503);
    const e = fire(5);
    const first = await outbox.drain(now);
    expect(first.retrying[0].nextAttemptAt).toBe(now + 2000); // Retry-After: 2 beats the 500 ms backoff
    expect((await outbox.drain(now + 1000)).retrying).toEqual([]); // not due yet
    const second = await outbox.drain(now + 2000);
    expect(second.retrying[0].nextAttemptAt).toBe(now + 2000 + 1000); // base 1 s × 2 × jitter ½
    const third = await outbox.drain(now + 3000);
    expect(third.delivered).toHaveLength(1);
    expect(receiver.received.map((r) => r.status).slice(0, 2)).toEqual([429, 503]);
    expect(c.opened(receiver, e)).toBe(1);
  });

  it('loses nothing while the receiver is down for 10 minutes, and a restart resends', async () => {
    const url = receiver.url;
    await receiver.stop();
    const e = fire(5);
    for (let t = 0; t <= 600_000; t += 30_000) {
      const r = await outbox.drain(now + t);
      expect(r.delivered.length + r.rejected.length).toBe(0);
    }
    outbox.close();
    outbox = new Outbox({ dir, sinks: [c.sink(url)], random: () => 0 }); // process restart
    expect(outbox.list()).toHaveLength(1);
    await receiver.start();
    outbox.close();
    outbox = new Outbox({ dir, sinks: [c.sink(receiver.url)], random: () => 0 }); // same log, new port
    now += 11 * 60_000;
    expect((await outbox.drain(now)).delivered).toHaveLength(1);
    expect(c.opened(receiver, e)).toBe(1);
  });

  it('is idempotent when the same transition is sent twice', async () => {
    const e = fire(5);
    const sink = c.sink(receiver.url);
    const attempt = { id: `${e.alertId}:1:${sink.name}`, attempt: 1, now };
    expect(await sink.send(e, attempt)).toEqual({ outcome: 'delivered' });
    expect(await sink.send(e, { ...attempt, attempt: 2 })).toEqual({ outcome: 'delivered' });
    expect(c.opened(receiver, e)).toBe(1);
    expect(outbox.enqueue(e, now)).toEqual([]); // already in the outbox
  });

  it('resolves what it opened, in order', async () => {
    const e = fire(5);
    const resolved = book.record(decision('resolved', 7, { model: e.model }))!;
    now = resolved.at;
    outbox.enqueue(resolved, now);
    await outbox.drain(now);
    if (c.closed) expect(c.closed(receiver, e)).toBe(true);
    else expect(receiver.received).toHaveLength(1); // the retraining webhook only asks on firing
  });
});

describe('sink specifics', () => {
  it('pagerduty maps severities and sends dedup_key = alert id', async () => {
    const pd = await new PagerDutyReceiver().start();
    const sink = new PagerDutySink({ routingKey: ROUTING_KEY, url: `${pd.url}/v2/enqueue`, severities: { warning: 'error' } });
    const e = new AlertBook().record(decision('raised', 1))!;
    await sink.send(e, { id: 'x', attempt: 1, now: e.at });
    const body = JSON.parse(pd.received[0].body);
    expect(body).toMatchObject({ event_action: 'trigger', dedup_key: e.alertId, payload: { severity: 'error', component: 'fraud', source: 'driftwatch' } });
    await pd.stop();
    expect(() => new PagerDutySink({ routingKey: 'short' })).toThrow(/32 characters/);
    expect(() => new PagerDutySink({ routingKey: ROUTING_KEY, color: 'red' })).toThrow(/unknown key "color"/);
  });

  it('the retraining webhook sends one request per model per cooldown, remembered across restarts', () => {
    const sink = new RetrainingWebhookSink({ url: 'http://127.0.0.1:1/', secret: SECRET, cooldownMs: 24 * HOUR });
    const book = new AlertBook();
    const a = book.record(decision('raised', 1))!;
    book.record(decision('resolved', 2));
    const b = book.record(decision('raised', 3))!; // flapping: inside the cooldown
    const c = book.record(decision('raised', 3, { feature: 'country' }))!;
    expect([sink.wants(a), sink.wants(b), sink.wants(c)]).toEqual([true, false, false]);
    const restarted = new RetrainingWebhookSink({ url: 'http://127.0.0.1:1/', secret: SECRET, cooldownMs: 24 * HOUR });
    restarted.remember(a);
    expect(restarted.wants(b)).toBe(false);
    expect(restarted.wants({ ...b, at: a.at + 25 * HOUR })).toBe(true);
  });

  it('the retraining request carries model, baseline version, evidence, window and links', () => {
    const sink = new RetrainingWebhookSink({ url: 'http://h/', secret: SECRET, alertUrl: 'http://dw/alerts/{alert_id}', dashboardUrl: 'http://g/d?model={model}' });
    const e = new AlertBook().record(decision('raised', 1))!;
    expect(retrainingRequest(e, sink.config)).toEqual({
      type: 'driftwatch.retraining.requested',
      model: 'fraud',
      baseline_version: 'v3',
      alert_id: e.alertId,
      feature: 'amount',
      kind: 'feature_drift',
      at: '2026-11-01T01:00:00.000Z',
      window: { start: '2026-11-01T00:00:00.000Z', end: '2026-11-01T01:00:00.000Z' },
      evidence: { statistic: 'psi', value: 0.31, reason: 'PSI above tolerance 0.1', ...e.evidence },
      links: { alert: `http://dw/alerts/${e.alertId}`, dashboard: 'http://g/d?model=fraud' },
    });
    expect(() => new RetrainingWebhookSink({ url: 'http://h/', secret: 'plain' })).toThrow(/whsec_/);
  });
});
