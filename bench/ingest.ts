// npm run bench:ingest — sustained predictions/s from the broker into ClickHouse, 20 numeric features a message,
// for driftwatch beside (a) a raw kafkajs consumer doing nothing and (b) ClickHouse's own Kafka engine + MV, in the
// same run; driftwatch on both engines: Debian's ClickHouse 18.16 server and ClickHouse 26 embedded in its process
// (its peak RSS then includes the engine).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startClickHouse } from '../src/local/clickhouse.js';
import { startKafka } from '../src/local/kafka.js';
import { createStore, migrate } from '../src/store/index.js';
import { benchMessage, progress, runWorker } from './lib.js';

const N = Number(process.env.BENCH_INGEST_MESSAGES ?? 200_000);
const FEATURES = 20;

interface WorkerResult { mode: string; messages: number; seconds: number; per_second: number; peak_rss_mb: number }

async function produce(brokers: string[], topic: string, n: number): Promise<number> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const t0 = performance.now();
  const chunk = 5_000;
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < n; i += chunk) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + chunk); j++) messages.push({ value: benchMessage(j, FEATURES) });
    inFlight.push(producer.send({ topic, messages, acks: 1 }));
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return seconds;
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function clickhouseKafkaEngine(chUrl: string, brokers: string[], topic: string, chPid: number): Promise<WorkerResult> {
  const store = createStore({ url: chUrl, database: 'default' });
  await store.command('CREATE DATABASE IF NOT EXISTS chkafka');
  const cols = Array.from({ length: FEATURES }, (_, k) => `f${k} Float64`).join(', ');
  const extract = Array.from({ length: FEATURES }, (_, k) => `visitParamExtractFloat(raw, 'f${k}') AS f${k}`).join(', ');
  await store.command(`CREATE TABLE chkafka.predictions (model String, prediction_id String, ts DateTime, ${cols}, prediction Float64) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (model, ts, prediction_id)`);
  // One String column per message (TSV: our JSON has no tabs or backslashes; row delimiter '\n' because 18.16 otherwise
  // glues messages together); the MV extracts fields like a user would.
  await store.command(`CREATE TABLE chkafka.queue (raw String) ENGINE = Kafka('${brokers.join(',')}', '${topic}', 'chkafka-bench', 'TabSeparated', '\\n')`);
  await store.command(`CREATE MATERIALIZED VIEW chkafka.mv TO chkafka.predictions AS SELECT visitParamExtractString(raw, 'model') AS model, visitParamExtractString(raw, 'prediction_id') AS prediction_id, toDateTime(intDiv(visitParamExtractUInt(raw, 'timestamp'), 1000)) AS ts, ${extract}, visitParamExtractFloat(raw, 'prediction') AS prediction FROM chkafka.queue`);
  // The engine starts at the latest offset: give it time to join before producing.
  await new Promise((r) => setTimeout(r, 8_000));
  const t0 = performance.now();
  const produceSeconds = await produce(brokers, topic, N);
  let stored = 0;
  const deadline = Date.now() + 300_000;
  while (stored < N && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    stored = Number((await store.query<{ c: string }>('SELECT count() AS c FROM chkafka.predictions'))[0].c);
  }
  const seconds = (performance.now() - t0) / 1000;
  await store.command('DROP TABLE chkafka.mv');
  await store.command('DROP TABLE chkafka.queue');
  await store.close();
  return {
    mode: 'clickhouse-kafka-engine', messages: stored, seconds, per_second: Math.round(stored / seconds),
    peak_rss_mb: peakRssMb(chPid), // of the whole clickhouse-server process (it also served driftwatch's run)
    produce_seconds: produceSeconds,
    note: 'timed from the first produce to the last row visible (the engine starts at the latest offset, so it must consume while producing); bounded below by produce_seconds and its ~7.5 s flush interval',
  } as WorkerResult;
}

const ch = await startClickHouse();
// 32 partitions: the mock broker keeps only ~5 MB per partition, so a pre-produced topic must be spread wide.
const broker = await startKafka({ 'bench-predictions': 32, 'bench-chkafka': 32 });
try {
  const admin = createStore({ url: ch.url, database: 'default' });
  const store = createStore({ url: ch.url, database: 'benchdw' });
  await migrate(admin, store, new Date());
  progress(`producing ${N} messages with ${FEATURES} features…`);
  const produceSeconds = await produce(broker.brokers, 'bench-predictions', N);
  progress(`produced in ${produceSeconds.toFixed(2)} s; raw kafkajs consumer…`);
  const raw = await runWorker<WorkerResult>('ingest-worker.ts', ['raw-kafkajs', broker.brokers.join(','), 'bench-predictions', String(N)]);
  progress(`raw: ${raw.per_second}/s; driftwatch…`);
  const dw = await runWorker<WorkerResult>('ingest-worker.ts', ['driftwatch', broker.brokers.join(','), 'bench-predictions', String(N), ch.url, 'benchdw']);
  progress(`driftwatch (server): ${dw.per_second}/s; driftwatch (embedded)…`);
  const dir = mkdtempSync(join(tmpdir(), 'dw-bench-ingest-'));
  const embeddedUrl = `embedded:${dir}`;
  const embeddedAdmin = createStore({ url: embeddedUrl, database: 'default' });
  const embeddedStore = createStore({ url: embeddedUrl, database: 'benchdw' });
  await migrate(embeddedAdmin, embeddedStore, new Date());
  await Promise.all([embeddedAdmin.close(), embeddedStore.close()]); // the worker process opens the data next
  const dwEmbedded = await runWorker<WorkerResult>('ingest-worker.ts', ['driftwatch', broker.brokers.join(','), 'bench-predictions', String(N), embeddedUrl, 'benchdw']);
  rmSync(dir, { recursive: true, force: true });
  progress(`driftwatch (embedded): ${dwEmbedded.per_second}/s; ClickHouse Kafka engine…`);
  const engine = await clickhouseKafkaEngine(ch.url, broker.brokers, 'bench-chkafka', ch.pid);
  progress(`clickhouse kafka engine: ${engine.per_second}/s`);
  await admin.close();
  await store.close();
  console.log(JSON.stringify({
    benchmark: 'ingest',
    messages: N,
    features_per_message: FEATURES,
    machine: { cores: (await import('node:os')).cpus().length },
    produce_seconds: produceSeconds,
    driftwatch: { ...dw, clickhouse: 'server 18.16' },
    driftwatch_embedded: { ...dwEmbedded, clickhouse: 'embedded 26' },
    baselines: { raw_kafkajs: raw, clickhouse_kafka_engine: engine },
    driftwatch_vs_raw_kafkajs: +(dw.per_second / raw.per_second).toFixed(3),
    driftwatch_embedded_vs_raw_kafkajs: +(dwEmbedded.per_second / raw.per_second).toFixed(3),
    driftwatch_vs_clickhouse_kafka_engine: +(dw.per_second / engine.per_second).toFixed(3),
    aim: { predictions_per_second: 50_000, met: dw.per_second >= 50_000 && dw.per_second >= engine.per_second },
  }, null, 2));
} finally {
  await broker.stop();
  await ch.stop();
}
