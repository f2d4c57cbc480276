// End to end: a running driftwatch (startService) consumes predictions from the broker with drift injected into
// one feature; the evaluator judges the closed windows; a real Prometheus scrapes driftwatch's /metrics and
// evaluates alerts/driftwatch.rules.yml; ModelDriftDetected fires and the real Alertmanager receives it.
// The evaluator and the alert gauges are wired here the way the service is to wire them (see the report).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline } from '../../src/baseline/index.js';
import { loadConfig } from '../../src/config/index.js';
import { declareModel } from '../../src/evaluate/index.js';
import { startService, type Service } from '../../src/service.js';
import type { Store } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/log.js';
import * as N from '../../src/telemetry/names/index.js';
import { startAlertmanager, type LocalAlertmanager } from '../support/alertmanager.js';
import { count, testProducer, until } from '../support/kafka-helpers.js';
import { startPrometheus, type LocalPrometheus } from '../support/prometheus.js';
import { clickhouseUrl, freshStore, kafkaBrokers, uniqueName } from '../support/services.js';

const HOUR = 3_600_000;
const WINDOWS = 3;
const PER_WINDOW = 400;
const RULES = new URL('../../alerts/driftwatch.rules.yml', import.meta.url).pathname;

describe('drift injected through the broker pages through Prometheus and Alertmanager', () => {
  let store: Store;
  let service: Service;
  let prometheus: LocalPrometheus;
  let alertmanager: LocalAlertmanager;
  let dataDir: string;
  const now = Math.floor(Date.now() / HOUR) * HOUR; // windows before this hour are closed
  const first = now - WINDOWS * HOUR;
  const evaluatedAt = now + 2 * 60_000; // past the last window's grace period

  beforeAll(async () => {
    store = await freshStore('e2e');
    // baseline: amount uniform on [0, 100)
    const n = 2000;
    const profile = buildBaseline({ source: 'train', rows: n, columns: new Map([['amount', { kind: 'numeric' as const, values: Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) / 20) }]]) },
      { model: 'fraud', createdAt: first - HOUR, version: 'v1' });
    await store.insert('baselines', [{ model: 'fraud', version: 'v1', created_at: Math.floor((first - HOUR) / 1000), profile: JSON.stringify(profile) }]);

    dataDir = mkdtempSync(join(tmpdir(), 'dw-e2e-'));
    const topic = uniqueName('e2e_pred');
    service = await startService(loadConfig({
      DRIFTWATCH_CLICKHOUSE_URL: clickhouseUrl(), DRIFTWATCH_CLICKHOUSE_DATABASE: store.database,
      DRIFTWATCH_KAFKA_BROKERS: kafkaBrokers().join(','), DRIFTWATCH_PREDICTIONS_TOPIC: topic, DRIFTWATCH_LABELS_TOPIC: `${topic}_labels`,
      DRIFTWATCH_CONSUMER_GROUP: uniqueName('e2e'), DRIFTWATCH_PORT: '0', DRIFTWATCH_DATA_DIR: dataDir, DRIFTWATCH_BATCH_MAX_WAIT_MS: '100',
      // the test ticks with a synthetic clock right after the rows are stored: no waiting for ingestion to settle
      DRIFTWATCH_EVALUATE_SETTLE_MS: '0',
    }), silentLogger);

    // drift: the current amounts sit on [50, 150), half of them beyond anything the baseline saw
    const { producer } = await testProducer();
    const messages = Array.from({ length: WINDOWS * PER_WINDOW }, (_, i) => ({
      value: JSON.stringify({
        model: 'fraud', model_version: '3', prediction_id: `e2e-${i}`, timestamp: first + Math.floor(i / PER_WINDOW) * HOUR + (i % PER_WINDOW) * 1000,
        features: { amount: 50 + ((i * 104729) % 1000) / 10 }, prediction: 0.5,
      }),
    }));
    await producer.send({ topic, messages });
    await producer.disconnect();
    await until('predictions stored', () => count(store, 'SELECT count() AS c FROM predictions FINAL'), (c) => c === WINDOWS * PER_WINDOW);

    alertmanager = await startAlertmanager();
    const port = new URL(service.address).port;
    prometheus = await startPrometheus({
      driftwatchTargets: [`127.0.0.1:${port}`], ruleFiles: [RULES], alertmanager: new URL(alertmanager.url).host,
      scrapeInterval: '1s', evaluationInterval: '1s',
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await service?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('evaluates the windows, exports the drift, and Alertmanager receives ModelDriftDetected for the model', async () => {
    const dispatch = service.alerts.dispatch;
    // The service's own evaluator, wired to its alert path and metrics, as in production.
    service.models.declare(declareModel('fraud', { windowMs: HOUR, graceMs: 60_000 }));
    const report = await service.evaluator.tick(evaluatedAt);
    expect(report.failed).toEqual([]);
    expect(report.evaluated.map((e) => e.start)).toEqual(Array.from({ length: WINDOWS }, (_, k) => first + k * HOUR));
    // half the window's amounts lie beyond the baseline's max: the out-of-range stream pages too, as its own alert
    expect(dispatch.book.firing().map((a) => [a.model, a.feature, a.kind]).sort()).toEqual([['fraud', 'amount', 'data_quality'], ['fraud', 'amount', 'feature_drift']]);

    // Prometheus scraped what driftwatch exports
    const psi = await until('PSI scraped', () => prometheus.query(`${N.FEATURE_PSI}{model="fraud", feature="amount"}`), (r) => r.length === 1);
    expect(Number(psi[0].value[1])).toBeGreaterThan(1);
    const up = await prometheus.query('up{job="driftwatch"}');
    expect(up.map((r) => r.value[1])).toEqual(['1']);

    // the rule fired in Prometheus and reached Alertmanager, labelled for the retraining route
    type AmAlert = { labels: Record<string, string>; status: { state: string } };
    const received = await until('Alertmanager has ModelDriftDetected',
      async () => (await (await fetch(`${alertmanager.url}/api/v2/alerts?filter=alertname%3D%22ModelDriftDetected%22`)).json()) as AmAlert[],
      (alerts) => alerts.length > 0, 60_000);
    expect(received).toHaveLength(1);
    expect(received[0].labels).toMatchObject({ alertname: 'ModelDriftDetected', model: 'fraud', kind: 'feature_drift', action: 'retrain', severity: 'warning' });
    expect(received[0].status.state).toBe('active');
    // and nothing about driftwatch's own health fired
    const others = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as AmAlert[];
    // besides the drift: the out-of-range share, routed as a ticket
    expect(others.map((a) => a.labels.alertname).sort()).toEqual(['ModelDataQuality', 'ModelDriftDetected']);
  });
});
