// Three `driftwatch serve` replicas (child processes) on one ClickHouse, one broker, a real Alertmanager and a
// retraining webhook: a drift pages once, the owner of the drifting model is killed -9 while it fires, another
// replica takes the model over from the shared state, and the alert resolves once — every window evaluated once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, readTable } from '../../src/baseline/index.js';
import { trainingCsv } from '../../src/demo/stream.js';
import { startKafka, type LocalKafka } from '../../src/local/kafka.js';
import type { Store } from '../../src/store/index.js';
import { startAlertmanager, type LocalAlertmanager } from '../support/alertmanager.js';
import { WebhookReceiver } from '../support/http-receiver.js';
import { committedOffsets, count, until } from '../support/kafka-helpers.js';
import { spawnServe, type ServeProcess } from '../support/serve-process.js';
import { clickhouseUrl, engine, freshStore } from '../support/services.js';

const MODELS = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
const DRIFTING = 'm3';
const WINDOW = 2_000;
const BEFORE = 8; // closed windows when the test starts: 2 normal, then drift
const AFTER = 12; // windows still to come: back to normal
const TOKEN = 'replicas-read-token-0123456789';
const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

/** Deterministic normal draws (LCG + Box-Muller). */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

// Replicas share one ClickHouse server: an embedded engine belongs to one process, so this runs on the server project.
(engine() === 'server' ? describe : describe.skip)('three replicas, one decision', () => {
  let kafka: LocalKafka;
  let store: Store;
  let alertmanager: LocalAlertmanager;
  let webhook: WebhookReceiver;
  let replicas: ServeProcess[] = [];
  let dir: string;
  const created = Date.now() - 86_400_000;

  beforeAll(async () => {
    [kafka, store, alertmanager, webhook] = await Promise.all([
      startKafka({ predictions: 8, labels: 2, 'driftwatch-control': 12 }),
      freshStore('replicas'),
      startAlertmanager(),
      new WebhookReceiver(SECRET).start(),
    ]);
    dir = mkdtempSync(join(tmpdir(), 'dw-replicas-'));
    writeFileSync(join(dir, 'train.csv'), trainingCsv(3, 5_000));
    const table = await readTable(join(dir, 'train.csv'));
    await store.insert('baselines', MODELS.map((model) => ({
      model, version: 'v1', created_at: Math.floor(created / 1000), profile: JSON.stringify(buildBaseline(table, { model, createdAt: created, version: 'v1' })),
    })));
    writeFileSync(join(dir, 'models.yaml'), `models:\n${MODELS.map((m) => `  - { id: ${m}, window: 2s, grace: 1s }`).join('\n')}\n`);
  });

  afterAll(async () => {
    replicas.forEach((r, i) => writeFileSync(join(dir, `replica-${i}.log`), r.logs()));
    console.log(`replica logs in ${dir}`);
    for (const r of replicas) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    await Promise.all([kafka?.stop(), alertmanager?.stop(), webhook?.stop(), store?.close()]);
  });

  const envFor = (i: number): Record<string, string> => ({
    DRIFTWATCH_CLICKHOUSE_URL: clickhouseUrl(), DRIFTWATCH_CLICKHOUSE_DATABASE: store.database,
    DRIFTWATCH_KAFKA_BROKERS: kafka.brokers.join(','), DRIFTWATCH_CONSUMER_GROUP: 'dw', DRIFTWATCH_KAFKA_SESSION_TIMEOUT_MS: '6000',
    DRIFTWATCH_MODELS_FILE: join(dir, 'models.yaml'), DRIFTWATCH_EVALUATE_INTERVAL_MS: '1000', DRIFTWATCH_EVALUATE_SETTLE_MS: '1500',
    DRIFTWATCH_BATCH_MAX_WAIT_MS: '200', DRIFTWATCH_ALERTMANAGER_URL: alertmanager.url, DRIFTWATCH_WEBHOOK_URL: `${webhook.url}/retrain`,
    DRIFTWATCH_WEBHOOK_SECRET: SECRET, DRIFTWATCH_API_TOKENS: `${TOKEN}:read`, DRIFTWATCH_DATA_DIR: join(dir, `replica-${i}`),
  });
  const addressOf = (r: ServeProcess) => /"address":"([^"]+)"/.exec(r.logs())![1].replace('0.0.0.0', '127.0.0.1');
  const ownership = async (r: ServeProcess) => {
    const res = await fetch(`${addressOf(r)}/v1/ownership`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return (await res.json()) as { models: string[]; partitions: unknown[]; joined: boolean };
  };
  const ownedBy = async (r: ServeProcess): Promise<string[]> => (await ownership(r)).models;

  it('pages once, survives a kill -9 of the owner, resolves once, and evaluates every window once', async () => {
    const began = Date.now();
    const step = (what: string) => console.log(`${((Date.now() - began) / 1000).toFixed(1)} s: ${what}`);
    replicas = [0, 1, 2].map((i) => spawnServe(envFor(i)));
    await Promise.all(replicas.map((r) => Promise.race([r.started, r.exited.then(() => { throw new Error(`a replica exited: ${r.logs().slice(-2000)}`); })])));
    step('replicas started');
    // every replica has its share of the control partitions, and every model exactly one owner
    await until('each model owned once', () => Promise.all(replicas.map(ownership)),
      (views) => views.every((v) => v.joined && v.partitions.length === 4) && views.flatMap((v) => v.models).sort().join() === MODELS.join(), 30_000);
    // six windows closed when the data arrives (drift from the third), two more closing, then twelve normal ones
    const first = Math.ceil(Date.now() / WINDOW) * WINDOW + 4_000 - BEFORE * WINDOW;

    // predictions: 1 000 per window for the drifting model (amount shifted by 1.5σ in windows 2…7), 200 for the others
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const draw = normals(7);
    // the training data's country shares (demo/stream.ts), spread evenly over each window
    const country = (k: number) => {
      const u = (k * 0.6180339887) % 1;
      return u < 0.35 ? 'DE' : u < 0.6 ? 'FR' : u < 0.8 ? 'US' : u < 0.92 ? 'GB' : 'ES';
    };
    let produced = 0;
    for (let w = 0; w < BEFORE + AFTER; w++) {
      const messages = MODELS.flatMap((model) => Array.from({ length: model === DRIFTING ? 1000 : 200 }, (_, k) => {
        const shift = model === DRIFTING && w >= 2 && w < BEFORE ? 1.5 : 0;
        return {
          key: `${model}-${w}-${k}`,
          value: JSON.stringify({
            model, model_version: '1', prediction_id: `${model}-${w}-${k}`, timestamp: first + w * WINDOW + Math.floor((k * WINDOW) / 1000),
            features: { amount: draw() + shift, score: draw(), country: country(k) }, prediction: 0.5,
          }),
        };
      }));
      produced += messages.length;
      await producer.send({ topic: 'predictions', messages });
    }
    await producer.disconnect();
    step(`produced ${produced}`);

    // Alertmanager's view, polled throughout: the drift alert must appear once and go once (no flapping)
    const seen: string[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts?filter=model%3D%22${DRIFTING}%22`)).json()) as Array<{ status: { state: string } }>;
        const state = alerts.some((a) => a.status.state === 'active') ? 'active' : 'none';
        if (seen[seen.length - 1] !== state) seen.push(state);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    const fired = () => count(store, `SELECT count() AS c FROM alert_events WHERE model = '${DRIFTING}' AND status = 'firing'`);
    await until('the drift fires', fired, (c) => c > 0, 40_000);
    await until('the retraining webhook is called', async () => webhook.received.length, (n) => n > 0, 15_000);

    step('fired, webhook called');
    await new Promise((r) => setTimeout(r, 1_000)); // its settlement stored (a kill right after a send may resend it, same id and body)
    // kill -9 the owner of the drifting model while its alert fires
    const owners = await Promise.all(replicas.map(ownedBy));
    const victim = owners.findIndex((s) => s.includes(DRIFTING));
    const killedModels = owners[victim];
    const survivors = replicas.filter((_, i) => i !== victim);
    replicas[victim].child.kill('SIGKILL');
    const killedAt = Date.now();
    await replicas[victim].exited;
    await until('the survivors own every model', async () => (await Promise.all(survivors.map(ownedBy))).flat().sort().join(), (s) => s === MODELS.join(), 40_000);
    const takeoverMs = Date.now() - killedAt;
    step(`taken over after ${takeoverMs} ms`);

    // the new owner continues: every window evaluated, the alert resolves
    // (empty windows after the data are evaluated too, as time goes on: only the data's windows are counted)
    const inData = `window_start >= toDateTime(${first / 1000}) AND window_start < toDateTime(${(first + (BEFORE + AFTER) * WINDOW) / 1000})`;
    const evaluated = () => count(store, `SELECT uniqExact(model, window_start) AS c FROM evaluations WHERE ${inData}`);
    await until('every window evaluated', evaluated, (c) => c === MODELS.length * (BEFORE + AFTER), 60_000);
    step('all windows evaluated');
    await until('the drift resolves', () => count(store, `SELECT count() AS c FROM alert_events WHERE model = '${DRIFTING}' AND status = 'resolved'`), (c) => c > 0, 30_000);
    step('resolved');
    const diagnose = async () => console.log(JSON.stringify({
      seen, webhook: webhook.received.map((r) => [r.headers['webhook-id'], r.status]),
      events: await store.query(`SELECT alert_id, model, feature, status, toString(at_ms) AS at, reason FROM alert_events ORDER BY at_ms`),
    }));
    await diagnose();
    await until('Alertmanager shows it resolved', async () => seen[seen.length - 1], (s) => s === 'none', 15_000);
    await new Promise((r) => setTimeout(r, 3_000)); // would a late duplicate arrive?
    polling = false;
    await poll;

    const events = await store.query<{ feature: string; status: string; n: string }>(`SELECT feature, status, count() AS n FROM alert_events GROUP BY feature, status ORDER BY feature, status`);
    const perWindow = await store.query<{ model: string; n: string }>(
      `SELECT model, toString(max(c)) AS n FROM (SELECT model, window_start, count() AS c FROM evaluations GROUP BY model, window_start) GROUP BY model ORDER BY model`);
    const windows = await store.query<{ model: string; n: string; lo: string; hi: string }>(
      `SELECT model, toString(count()) AS n, toString(min(toUInt32(window_start))) AS lo, toString(max(toUInt32(window_start))) AS hi FROM evaluations FINAL WHERE ${inData} GROUP BY model ORDER BY model`);
    console.log(JSON.stringify({ takeover_ms: takeoverMs, killed_models: killedModels, alertmanager: seen, events, evaluations_per_window_max: perWindow }));

    // each stream of the drifting model fires and resolves once (the feature, and the multivariate stream its drift
    // moves too); together they are one incident: one Alertmanager alert, one retraining call
    const streams = [...new Set(events.map((e) => e.feature))];
    expect(streams).toContain('amount');
    for (const f of streams) expect(events.filter((e) => e.feature === f).map((e) => [e.status, Number(e.n)])).toEqual([['firing', 1], ['resolved', 1]]);
    expect(webhook.received).toHaveLength(1); // one retraining call, none re-sent by the new owner
    expect(webhook.duplicates).toEqual([]);
    expect(webhook.accepted[0].body).toMatchObject({ model: DRIFTING, feature: 'amount' });
    expect(seen).toEqual(['none', 'active', 'none']);
    expect(perWindow.map((p) => [p.model, Number(p.n)])).toEqual(MODELS.map((m) => [m, 1])); // each window evaluated once
    for (const w of windows) expect([Number(w.n), Number(w.lo) * 1000, Number(w.hi) * 1000]).toEqual([BEFORE + AFTER, first, first + (BEFORE + AFTER - 1) * WINDOW]);
    expect(takeoverMs).toBeLessThan(20_000);
    // ingest lost nothing and counted nothing twice across the kill, and every stored message ends up committed
    expect(await count(store, 'SELECT count() AS c FROM predictions FINAL')).toBe(produced);
    const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    await until('stored = committed', () => committedOffsets(client, 'dw', 'predictions'), (c) => c === produced, 15_000);
  });
});
