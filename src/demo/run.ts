// `driftwatch demo`: the whole pipeline on a local ClickHouse and Kafka-protocol broker, narrated step by step.
// training CSV → baseline → Kafka → ingest (validate, dead-letter, batch, commit after store) → ClickHouse →
// hourly windows aggregated in ClickHouse → PSI/KS/χ² per feature → sequential test → alert lifecycle.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { buildBaseline, readTable } from '../baseline/index.js';
import type { Config } from '../config/index.js';
import { DEFAULTS } from '../config/index.js';
import { toRfc3339 } from '../domain/time.js';
import { startKafka, type LocalKafka } from '../local/kafka.js';
import { PREDICTION_FEATURE, declareModel } from '../evaluate/index.js';
import type { ReplayLine } from '../replay/index.js';
import { startService, type Service } from '../service.js';
import { createStore, migrate, sqlString, type Store } from '../store/index.js';
import { writeReport } from '../report/index.js';
import { silentLogger } from '../telemetry/log.js';
import { DEMO_MODEL, demoMessages, trainingCsv } from './stream.js';

export interface DemoOptions {
  outDir: string;
  hours: number;
  driftAtHour: number;
  driftSigmas: number;
  say: (line: string) => void;
  /** A ClickHouse server's URL; by default the embedded engine (ClickHouse 26 in this process) under `outDir`. */
  clickhouse?: string;
  database?: string;
}

export interface DemoResult {
  produced: number;
  malformed: number;
  stored: number;
  deadLetters: number;
  windows: Array<{ start: string; rows: number; psi: Record<string, number> }>;
  alerts: ReplayLine[];
  baselinePath: string;
  reportPath: string;
}

const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 22, 0, 0, 0);

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const say = o.say;
  const outDir = resolve(o.outDir);
  mkdirSync(outDir, { recursive: true });
  let kafka: LocalKafka | undefined;
  let service: Service | undefined;
  let store: Store | undefined;
  try {
    const clickhouse = o.clickhouse ?? `embedded:${join(outDir, 'clickhouse')}`;
    const database = o.database ?? 'driftwatch';
    if (!o.clickhouse) rmSync(join(outDir, 'clickhouse'), { recursive: true, force: true }); // every demo starts from nothing
    say(`1/6  starting ${o.clickhouse ? 'on the ClickHouse server given' : 'ClickHouse embedded in this process (chdb)'} and a Kafka-protocol broker (librdkafka mock cluster)…`);
    kafka = await startKafka({ predictions: 8, labels: 2 });
    say(`     ClickHouse ${clickhouse.startsWith('embedded:') ? clickhouse : new URL(clickhouse).origin}   Kafka ${kafka.brokers.join(',')}`);

    say('2/6  driftwatch migrate…');
    const admin = createStore({ url: clickhouse, database: 'default' });
    store = createStore({ url: clickhouse, database });
    const migration = await migrate(admin, store, new Date());
    await admin.close();
    say(`     applied ${migration.applied.length} migrations: ${migration.applied.map((m) => m.name).join('; ')}`);

    say('3/6  driftwatch baseline build from 20 000 training rows…');
    const trainingPath = join(outDir, 'training.csv');
    writeFileSync(trainingPath, trainingCsv(7, 20_000));
    const profile = buildBaseline(await readTable(trainingPath), { model: DEMO_MODEL, createdAt: START, version: 'v1' });
    const baselinePath = join(outDir, 'baseline.json');
    writeFileSync(baselinePath, `${JSON.stringify(profile, null, 2)}\n`);
    await store.insert('baselines', [{ model: profile.model, version: profile.version, created_at: Math.floor(START / 1000), profile: JSON.stringify(profile) }]);
    say(`     ${Object.keys(profile.features).length} features profiled → ${baselinePath} (and the baselines table)`);

    say('4/6  driftwatch serve (ingest from Kafka into ClickHouse)…');
    const config: Config = structuredClone(DEFAULTS);
    config.clickhouse.url = clickhouse;
    config.clickhouse.database = database;
    config.kafka.brokers = kafka.brokers;
    config.http.port = 0;
    config.http.host = '127.0.0.1';
    config.ingest.batchMaxWaitMs = 250;
    config.dataDir = join(outDir, 'state');
    config.evaluation.settleMs = 0; // the demo evaluates on its own clock once everything is stored
    // The demo replays a fixed recorded period whatever today's date: accept (and keep) its event times.
    config.retentionDays = 36_500;
    config.ingest.maxEventFutureMs = 3_650 * 86_400_000;
    rmSync(config.dataDir, { recursive: true, force: true }); // every demo starts from nothing
    service = await startService(config, silentLogger);
    say(`     API and /metrics on ${service.address}`);

    say(`5/6  producing ${o.hours} h of predictions for model "${DEMO_MODEL}", amount drifting +${o.driftSigmas} σ from hour ${o.driftAtHour}…`);
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    let produced = 0;
    let malformed = 0;
    let chunk: { value: string }[] = [];
    for (const m of demoMessages({ start: START, hours: o.hours, driftAtHour: o.driftAtHour, driftSigmas: o.driftSigmas, seed: 11 })) {
      chunk.push({ value: m.value });
      if (m.valid) produced += 1;
      else malformed += 1;
      if (chunk.length === 2000) {
        await producer.send({ topic: 'predictions', messages: chunk });
        chunk = [];
      }
    }
    if (chunk.length) await producer.send({ topic: 'predictions', messages: chunk });
    await producer.disconnect();
    say(`     produced ${produced} predictions and ${malformed} malformed messages`);

    let stored = 0;
    let deadLetters = 0;
    const deadline = Date.now() + 120_000;
    while (stored < produced || deadLetters < malformed) {
      if (Date.now() > deadline) throw new Error(`ingest stalled at ${stored}/${produced} predictions`);
      await new Promise((r) => setTimeout(r, 500));
      stored = Number((await store.query<{ c: string }>('SELECT count() AS c FROM predictions FINAL'))[0].c);
      deadLetters = Number((await store.query<{ c: string }>('SELECT count() AS c FROM dead_letters'))[0].c);
      say(`     ingested ${stored}/${produced} predictions (${Math.round((100 * stored) / produced)} %), ${deadLetters} dead letters`);
    }
    const reasons = await store.query<{ reason: string; n: string }>('SELECT reason, count() AS n FROM dead_letters GROUP BY reason ORDER BY n DESC');
    for (const r of reasons) say(`     dead letter ×${r.n}: ${r.reason}`);

    say('6/6  driftwatch evaluate: hourly windows aggregated inside ClickHouse → PSI/KS/χ² per feature → sequential test → alerts…');
    service.models.declare(declareModel(DEMO_MODEL, { windowMs: HOUR, graceMs: 60_000 }));
    const evaluatedNow = START + o.hours * HOUR + 2 * 60_000; // the demo's clock: just past the last window's grace
    const windows: DemoResult['windows'] = [];
    for (;;) {
      const report = await service.evaluator.tick(evaluatedNow);
      if (report.failed.length) throw new Error(`evaluation failed: ${report.failed.map((f) => f.error).join('; ')}`);
      for (const e of report.evaluated) {
        windows.push({ start: toRfc3339(e.start), rows: e.rows, psi: Object.fromEntries(e.features.filter((f) => f.psi !== null && f.feature !== PREDICTION_FEATURE).map((f) => [f.feature, f.psi as number])) });
      }
      if (report.evaluated.length === 0) break;
    }
    windows.sort((a, b) => a.start.localeCompare(b.start));
    const alerts: ReplayLine[] = (await store.query<{ status: string; model: string; feature: string; at_ms: string; statistic: string; value: number; reason: string }>(
      `SELECT status, model, feature, at_ms, statistic, value, reason FROM alert_events WHERE model = ${sqlString(DEMO_MODEL)} ORDER BY at_ms, status`,
    )).map((r) => ({ status: r.status === 'resolved' ? 'resolved' : 'firing', model: r.model, feature: r.feature, at: toRfc3339(Number(r.at_ms)), statistic: r.statistic, value: r.value, reason: r.reason }));
    for (const w of windows) {
      const hour = (Date.parse(w.start) - START) / HOUR;
      const psi = Object.entries(w.psi).map(([f, v]) => `${f} ${v.toFixed(3)}`).join('  ');
      const fired = alerts.filter((a) => a.at === toRfc3339(Date.parse(w.start) + HOUR));
      say(`     h${String(hour).padStart(2, '0')} ${w.start.slice(5, 16)}  rows ${String(w.rows).padStart(5)}  PSI ${psi}${fired.map((a) => `  ← ${a.status.toUpperCase()} ${a.feature}`).join('')}`);
    }
    const report = await writeReport(join(outDir, 'report.html'), { store, model: DEMO_MODEL, from: START, to: START + o.hours * HOUR, now: evaluatedNow });
    const result: DemoResult = { produced, malformed, stored, deadLetters, windows, alerts, baselinePath, reportPath: report.path };
    writeFileSync(join(outDir, 'demo-result.json'), `${JSON.stringify(result, null, 2)}\n`);
    say('');
    say(`Summary: ${stored} predictions stored, ${deadLetters} malformed messages dead-lettered with their reason, ${windows.length} hourly windows evaluated.`);
    if (alerts.length === 0) say('No alert fired.');
    for (const a of alerts) say(`ALERT ${a.status} ${a.model}/${a.feature} at ${a.at}: ${a.reason}`);
    say(`Report: ${report.path} (open it in a browser)`);
    say(`Results in ${outDir}`);
    return result;
  } finally {
    await service?.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await kafka?.stop().catch(() => undefined);
  }
}
