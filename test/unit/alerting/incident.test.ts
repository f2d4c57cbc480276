import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertBook, AlertDispatch, AlertmanagerSink, MemoryAlertEventStore, Outbox, PagerDutySink, RetrainingWebhookSink, alertId,
} from '../../../src/alerting/index.js';
import { alertmanagerAlert } from '../../../src/alerting/sinks/alertmanager/sink.js';
import { AlertmanagerReceiver, PagerDutyReceiver, WebhookReceiver } from '../../support/http-receiver.js';
import { HOUR, T0, decision } from './decisions.js';

const SECRET = `whsec_${Buffer.from('incident-test-secret-0123').toString('base64')}`;
const KEY = 'r'.repeat(32);
const amount = (outcome: 'raised' | 'resolved', hour: number) => decision(outcome, hour);
const country = (outcome: 'raised' | 'resolved', hour: number) => decision(outcome, hour, { feature: 'country', value: outcome === 'raised' ? 0.22 : 0.02 });
const accuracy = (outcome: 'raised' | 'resolved', hour: number) =>
  decision(outcome, hour, { feature: '__accuracy__', kind: 'metric_drop', statistic: 'accuracy', value: 0.71, severity: 'error', reason: 'accuracy 0.71 (baseline 0.90)' });

describe('one page per model incident', () => {
  const pagerduty = new PagerDutyReceiver();
  let clock = T0; // the receivers check signatures and expiry against the test's clock
  const webhook = new WebhookReceiver(SECRET, () => clock);
  const alertmanager = new AlertmanagerReceiver(() => clock);
  beforeAll(async () => void (await Promise.all([pagerduty.start(), webhook.start(), alertmanager.start()])));
  afterAll(async () => void (await Promise.all([pagerduty.stop(), webhook.stop(), alertmanager.stop()])));

  const path = (book = new AlertBook()) => {
    const events = new MemoryAlertEventStore();
    const outbox = new Outbox({
      dir: null,
      sinks: [
        new PagerDutySink({ routingKey: KEY, url: `${pagerduty.url}/v2/enqueue` }),
        new RetrainingWebhookSink({ url: `${webhook.url}/retrain`, secret: SECRET, cooldownMs: 0 }),
        new AlertmanagerSink({ url: alertmanager.url }),
      ],
    });
    return { events, outbox, dispatch: new AlertDispatch({ book, events, outbox, refreshIntervalMs: Infinity }) };
  };

  it('pages once when several streams of a model drift, lists them inside, and resolves when the last one does', async () => {
    const { events, dispatch } = path();
    const step = async (hour: number, ...d: Parameters<AlertDispatch['decide']>[0]) => {
      clock = T0 + hour * HOUR;
      await dispatch.decide(d, T0 + hour * HOUR);
      await dispatch.tick(T0 + hour * HOUR);
    };
    await step(3, amount('raised', 3));
    await step(4, country('raised', 4), accuracy('raised', 4));
    await step(6, amount('resolved', 6));
    // each stream keeps its own alert and lifecycle (dashboards, API)
    expect(dispatch.book.firing().map((a) => a.feature).sort()).toEqual(['__accuracy__', 'country']);
    expect(events.events.map((e) => [e.feature, e.status])).toEqual([['amount', 'firing'], ['country', 'firing'], ['__accuracy__', 'firing'], ['amount', 'resolved']]);
    await step(8, country('resolved', 8), accuracy('resolved', 8));

    const incident = alertId('fraud', 'amount', 'feature_drift');
    // PagerDuty: one incident (one page); joins and leaves update it under the same dedup_key
    expect([...pagerduty.incidents.keys()]).toEqual([incident]);
    expect(pagerduty.incidents.get(incident)).toMatchObject({ status: 'resolved', triggers: 5 }) // opened, 2 joined, 2 left;
    const triggers = pagerduty.events.filter((e) => e.event_action === 'trigger');
    const last = triggers[triggers.length - 1] as { payload: { severity: string; summary: string; custom_details: { incident: { change: string; streams: Array<{ feature: string; status: string }> } } } };
    expect(last.payload.custom_details.incident.streams.map((s) => [s.feature, s.status])).toEqual([['amount', 'resolved'], ['country', 'resolved'], ['__accuracy__', 'firing']]);
    expect(last.payload.severity).toBe('error'); // the worst of its streams
    expect(last.payload.summary).toMatch(/^Input drift and Metric drop on fraud: 1 of 3 streams firing/);
    // the retraining pipeline hears of the incident once
    expect(webhook.accepted.map((r) => [r.body.model, r.body.alert_id])).toEqual([['fraud', incident]]);
    // Alertmanager: one alert for the model, with its streams in the annotations
    expect([...alertmanager.alerts.values()].map((a) => (a.labels as Record<string, string>).alert_id)).toEqual([incident]);
  });

  it('asks for retraining once per incident, when its first stream that retraining answers fires (not a broken feed)', async () => {
    const { dispatch } = path();
    const before = webhook.accepted.length;
    const step = async (hour: number, ...d: Parameters<AlertDispatch['decide']>[0]) => {
      clock = T0 + hour * HOUR;
      await dispatch.decide(d, T0 + hour * HOUR);
      await dispatch.tick(T0 + hour * HOUR);
    };
    const unseen = decision('raised', 20, { feature: 'country', kind: 'data_quality', statistic: 'unseen_rate', value: 0.3, reason: 'unseen 0.30' });
    await step(20, unseen);
    expect(webhook.accepted.length - before).toBe(0); // the feed is fixed upstream, not by retraining
    expect([...pagerduty.incidents.keys()]).toContain(alertId('fraud', 'country', 'data_quality'));
    await step(21, decision('raised', 21));
    expect(webhook.accepted.slice(before).map((r) => r.body.alert_id)).toEqual([alertId('fraud', 'country', 'data_quality')]);
    await step(22, accuracy('raised', 22));
    expect(webhook.accepted.length - before).toBe(1);
  });

  it('notifies an incident of one stream exactly as that stream alone (ids and transitions)', async () => {
    const { events, outbox, dispatch } = path();
    await dispatch.decide([decision('raised', 3, { model: 'churn' })], T0);
    await dispatch.acknowledge(alertId('churn', 'amount', 'feature_drift'), 'oncall', T0 + 1);
    await dispatch.decide([decision('resolved', 5, { model: 'churn' })], T0 + 2);
    const sent = outbox.list().filter((d) => d.sink === 'pagerduty').map((d) => [d.event.alertId, d.event.seq, d.event.status]);
    expect(sent).toEqual(events.events.map((e) => [e.alertId, e.seq, e.status]));
  });

  it('opens a new incident after the last one closed, numbered on so nothing is taken for an earlier delivery', async () => {
    const { outbox, dispatch } = path();
    const m = (o: 'raised' | 'resolved', h: number, f = 'amount') => decision(o, h, { model: 'ads', feature: f });
    for (const [d, h] of [[m('raised', 1), 1], [m('raised', 2, 'country'), 2], [m('resolved', 3), 3], [m('resolved', 4, 'country'), 4], [m('raised', 6), 6]] as const) {
      await dispatch.decide([d], T0 + h * HOUR);
    }
    const ids = outbox.list().filter((d) => d.sink === 'pagerduty').map((d) => [d.event.seq, d.event.status, d.event.incident?.change]);
    expect(ids).toEqual([[1, 'firing', 'opened'], [2, 'firing', 'joined'], [3, 'firing', 'left'], [4, 'resolved', 'closed'], [5, 'firing', 'opened']]);
  });

  it('an acknowledgement of any of its streams acknowledges the incident once', async () => {
    const { outbox, dispatch } = path();
    await dispatch.decide([decision('raised', 1, { model: 'eta' }), decision('raised', 1, { model: 'eta', feature: 'country' })], T0);
    await dispatch.acknowledge(alertId('eta', 'country', 'feature_drift'), 'oncall', T0 + 1);
    await dispatch.acknowledge(alertId('eta', 'amount', 'feature_drift'), 'oncall', T0 + 2);
    expect(outbox.list().filter((d) => d.sink === 'pagerduty').map((d) => d.event.status)).toEqual(['firing', 'firing', 'acknowledged']);
  });

  it('continues an incident after a restart, and rebuilds it from the firing alerts of state saved before incidents', async () => {
    const first = path();
    await first.dispatch.decide([decision('raised', 1, { model: 'pay' }), decision('raised', 2, { model: 'pay', feature: 'country' })], T0);
    const saved = JSON.parse(JSON.stringify(first.dispatch.book.snapshot())) as ReturnType<AlertBook['snapshot']>;
    const { incidents, ...older } = saved;
    expect(incidents?.open).toHaveLength(1);
    for (const state of [saved, older]) {
      const again = path(new AlertBook().restore(structuredClone(state)));
      await again.dispatch.decide([decision('resolved', 3, { model: 'pay' })], T0 + 3 * HOUR);
      await again.dispatch.decide([decision('resolved', 4, { model: 'pay', feature: 'country' })], T0 + 4 * HOUR);
      const sent = again.outbox.list().filter((d) => d.sink === 'pagerduty').map((d) => [d.event.alertId, d.event.status]);
      expect(sent).toEqual([[alertId('pay', 'amount', 'feature_drift'), 'firing'], [alertId('pay', 'amount', 'feature_drift'), 'resolved']]);
    }
  });
  it('a segment stream pages as its own alert inside the model incident, its segment named in label and summary', async () => {
    const { events, dispatch } = path();
    clock = T0 + 30 * HOUR;
    const segment = decision('raised', 30, { model: 'shop', feature: 'amount{country=DE}', reason: 'PSI 1.9 over 200 rows of segment country=DE' });
    await dispatch.decide([segment], T0 + 30 * HOUR);
    await dispatch.tick(T0 + 30 * HOUR);
    const id = alertId('shop', 'amount{country=DE}', 'feature_drift');
    expect(id).not.toBe(alertId('shop', 'amount', 'feature_drift'));
    expect(events.events.filter((e) => e.model === 'shop').map((e) => [e.feature, e.status])).toEqual([['amount{country=DE}', 'firing']]);
    const am = [...alertmanager.alerts.values()].find((a) => (a.labels as Record<string, string>).alert_id === id)!;
    expect(am.labels).toMatchObject({ model: 'shop', feature: 'amount{country=DE}', segment: 'country=DE' });
    const page = pagerduty.events.find((e) => e.dedup_key === id) as { payload: { summary: string } };
    expect(page.payload.summary).toMatch(/^Input drift on shop\/amount\{country=DE\}: .*segment country=DE/);
    // the whole-model stream of the same feature joins the same incident (one page per model)
    clock = T0 + 31 * HOUR;
    await dispatch.decide([decision('raised', 31, { model: 'shop' })], T0 + 31 * HOUR);
    await dispatch.tick(T0 + 31 * HOUR);
    expect(pagerduty.incidents.has(alertId('shop', 'amount', 'feature_drift'))).toBe(false);
    expect(dispatch.book.firing().filter((a) => a.model === 'shop').map((a) => a.feature).sort()).toEqual(['amount', 'amount{country=DE}']);
    // a whole-model stream's alert has no segment label
    const whole = events.events.find((e) => e.model === 'shop' && e.feature === 'amount')!;
    expect(alertmanagerAlert(whole, clock, 60_000, '').labels).not.toHaveProperty('segment');
  });
});
