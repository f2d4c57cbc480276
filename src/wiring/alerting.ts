// Builds the live alert path from configuration: policy, lifecycle, ClickHouse event store, durable outbox, sinks.
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { AlertBook, AlertDispatch, type AlertDispatchOptions, AlertmanagerSink, ClickHouseAlertEventStore, Outbox, PagerDutySink, RetrainingWebhookSink, type AlertSink } from '../alerting/index.js';
import type { Config } from '../config/index.js';
import { DEFAULT_POLICY, readPolicy, type AlertPolicy } from '../replay/index.js';
import type { Store } from '../store/index.js';

export interface AlertPath {
  dispatch: AlertDispatch;
  outbox: Outbox | null;
  policy: AlertPolicy;
  sinks: string[];
}

/** Replicas: the dispatch defers to the model's owner, and deliveries live with the model's shared state. */
export type ReplicatedAlerts = Pick<AlertDispatchOptions, 'owns' | 'sendable' | 'forward'>;

export async function alertPath(config: Config, store: Store, replicated?: ReplicatedAlerts): Promise<AlertPath> {
  const sinks: AlertSink[] = [];
  const a = config.alerting;
  if (a.alertmanagerUrl) sinks.push(new AlertmanagerSink({ url: a.alertmanagerUrl }));
  if (a.pagerdutyRoutingKey) sinks.push(new PagerDutySink({ routingKey: a.pagerdutyRoutingKey }));
  if (a.webhookUrl) sinks.push(new RetrainingWebhookSink({ url: a.webhookUrl, secret: a.webhookSecret }));
  const policy = a.policyFile ? await readPolicy(a.policyFile) : structuredClone(DEFAULT_POLICY);
  const outbox = sinks.length ? new Outbox({ dir: replicated ? null : join(config.dataDir, 'outbox'), sinks }) : null;
  const dispatch = new AlertDispatch({
    // ids unique across replicas, still digits only (the API's pattern)
    book: new AlertBook(replicated ? { silenceId: () => `silence-${Date.now()}${randomInt(1000, 10000)}` } : {}),
    events: new ClickHouseAlertEventStore(store),
    outbox,
    ...replicated,
  });
  return { dispatch, outbox, policy, sinks: sinks.map((s) => s.name) };
}
