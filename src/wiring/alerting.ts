// Builds the live alert path from configuration: policy, lifecycle, ClickHouse event store, durable outbox, sinks.
import { join } from 'node:path';
import { AlertBook, AlertDispatch, AlertmanagerSink, ClickHouseAlertEventStore, Outbox, PagerDutySink, RetrainingWebhookSink, type AlertSink } from '../alerting/index.js';
import type { Config } from '../config/index.js';
import { DEFAULT_POLICY, readPolicy, type AlertPolicy } from '../replay/index.js';
import type { Store } from '../store/index.js';

export interface AlertPath {
  dispatch: AlertDispatch;
  policy: AlertPolicy;
  sinks: string[];
}

export async function alertPath(config: Config, store: Store): Promise<AlertPath> {
  const sinks: AlertSink[] = [];
  const a = config.alerting;
  if (a.alertmanagerUrl) sinks.push(new AlertmanagerSink({ url: a.alertmanagerUrl }));
  if (a.pagerdutyRoutingKey) sinks.push(new PagerDutySink({ routingKey: a.pagerdutyRoutingKey }));
  if (a.webhookUrl) sinks.push(new RetrainingWebhookSink({ url: a.webhookUrl, secret: a.webhookSecret }));
  const policy = a.policyFile ? await readPolicy(a.policyFile) : structuredClone(DEFAULT_POLICY);
  const dispatch = new AlertDispatch({
    book: new AlertBook(),
    events: new ClickHouseAlertEventStore(store),
    outbox: sinks.length ? new Outbox({ dir: join(config.dataDir, 'outbox'), sinks }) : null,
  });
  return { dispatch, policy, sinks: sinks.map((s) => s.name) };
}
