// npm run bench:ingest — sustained predictions/s from the broker into ClickHouse, for 20-feature messages (numeric)
// and 30-feature ones (25 numeric with some nulls, 5 categorical), for driftwatch beside (a) a raw kafkajs consumer
// doing nothing and (b) ClickHouse's own Kafka engine + MV, in the same run; driftwatch on both engines: Debian's
// ClickHouse 18.16 server and ClickHouse 26 embedded in its process (its peak RSS then includes the engine).
// `profile`: where the time goes, each stage of the real path timed alone on the same messages (bench/ingest-worker.ts
// stages); BENCH_INGEST_CPU_PROFILE=1 also runs the real path under V8's CPU profiler (the measured interval only)
// and adds its self time by stage. `raw_kafkajs_with_embedded_engine_idle`: the bare consumer with the embedded engine
// open and idle in its process, the memory floor of any ingest into that engine.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startClickHouse } from '../src/local/clickhouse.js';
import { startKafka } from '../src/local/kafka.js';
import { createStore, migrate } from '../src/store/index.js';
import { benchMessage, cpuProfileByStage, progress, runWorker, type MessageShape } from './lib.js';

const N = Number(process.env.BENCH_INGEST_MESSAGES ?? 200_000);
const CPU_PROFILE = process.env.BENCH_INGEST_CPU_PROFILE === '1';
const SHAPES: Array<{ features: number; shape: MessageShape; text: string }> = [
  { features: 20, shape: { numeric: 20 }, text: '20 numeric' },
  { features: 30, shape: { numeric: 25, nulls: true, categorical: 5 }, text: '25 numeric (1 in 12 null) + 5 categorical' },
];

interface WorkerResult { mode: string; messages: number; seconds: number; per_second: number; cpu_us_per_message?: number; peak_rss_mb: number; peak_private_rss_mb?: number; engine_library_rss_mb?: number }

async function produce(brokers: string[], topic: string, n: number, shape: MessageShape): Promise<number> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const t0 = performance.now();
  const chunk = 5_000;
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < n; i += chunk) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + chunk); j++) messages.push({ value: benchMessage(j, shape) });
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
  const FEATURES = 20;
  const store = createStore({ url: chUrl, database: 'default' });
  await store.command('CREATE DATABASE IF NOT EXISTS chkafka');
  const cols = Array.from({ length: FEATURES }, (_, k) => `f${k} Float64`).join(', ');
  const extract = Array.from({ length: FEATURES }, (_, k) => `visitParamExtractFloat(raw, 'f${k}') AS f${k}`).join(', ');
  await store.command(`CREATE TABLE chkafka.predictions (model String, prediction_id String, ts DateTime, ${cols}, prediction Float64) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (model, ts, prediction_id)`);
  // One String column per message (TSV: our JSON has no tabs or backslashes; row delimiter '\n' because 18.16 otherwise
  // glues messages together); the MV extracts fields like a user would.
  await store.command(`CREATE TABLE chkafka.queue (raw String) ENGINE = Kafka('${brokers.join(',')}', '${topic}', 'chkafka-bench', 'TabSeparated', '\\n')`);
  await store.command(`CREATE MATERIALIZED VIEW chkafka.mv TO chkafka.predictions AS SELECT visitParamExtractString(raw, 'model') AS model, visitParamExtractString(raw, 'prediction_id') AS prediction_id, toDateTime(intDiv(visitParamExtractUInt(raw, 'timestamp'), 1000)) AS ts, ${extract}, visitParamExtractFloat(raw, 'prediction') AS prediction FROM chkafka.queue`);
  // The engine starts at the latest offset, once it has joined its group: a probe message is produced until one is
  // stored, so the timed messages all come after the join (a message produced before it would never arrive).
  const storedRows = async (model: 'probe' | 'bench') => Number((await store.query<{ c: string }>(`SELECT count() AS c FROM chkafka.predictions WHERE model = '${model}'`))[0].c);
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const prober = kafka.producer({ allowAutoTopicCreation: true });
  await prober.connect();
  let probes = 0;
  for (let attempt = 0; probes === 0; attempt++) {
    if (attempt === 12) throw new Error('the ClickHouse Kafka engine stored no probe message in 2 minutes');
    await prober.send({ topic, messages: [{ value: benchMessage(attempt, { numeric: FEATURES }, 'probe') }], acks: 1 });
    const until = Date.now() + 10_000;
    while ((probes = await storedRows('probe')) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
  }
  await prober.disconnect();
  const t0 = performance.now();
  const produceSeconds = await produce(brokers, topic, N, { numeric: FEATURES });
  let stored = 0;
  const deadline = Date.now() + 300_000;
  while (stored < N && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    stored = await storedRows('bench');
  }
  const seconds = (performance.now() - t0) / 1000;
  await store.command('DROP TABLE chkafka.mv');
  await store.command('DROP TABLE chkafka.queue');
  await store.close();
  return {
    mode: 'clickhouse-kafka-engine', messages: stored, seconds, per_second: Math.round(stored / seconds),
    peak_rss_mb: peakRssMb(chPid), // of the whole clickhouse-server process (it also served driftwatch's run)
    produce_seconds: produceSeconds,
    note: '20-feature messages; timed from the first produce to the last row visible (the engine starts at the latest offset, so it must consume while producing); bounded below by produce_seconds and its ~7.5 s flush interval',
  } as WorkerResult;
}

const ch = await startClickHouse();
// 32 partitions: the mock broker keeps only ~5 MB per partition, so a pre-produced topic must be spread wide.
const broker = await startKafka({ 'bench-predictions-20': 32, 'bench-predictions-30': 32, 'bench-chkafka': 32 });
const brokers = broker.brokers.join(',');
const dirs: string[] = [];
let databases = 0;

/** A migrated database on the server, or a migrated embedded data directory (closed again: a worker opens it). */
async function freshTarget(embedded: boolean): Promise<{ url: string; database: string }> {
  const database = `benchdw${++databases}`;
  let url = ch.url;
  if (embedded) {
    const dir = mkdtempSync(join(tmpdir(), 'dw-bench-ingest-'));
    dirs.push(dir);
    url = `embedded:${dir}`;
  }
  const admin = createStore({ url, database: 'default' });
  const store = createStore({ url, database });
  await migrate(admin, store, new Date());
  await Promise.all([admin.close(), store.close()]);
  return { url, database };
}

const ratio = (a: number, b: number) => +(a / b).toFixed(3);

try {
  const runs: Record<string, unknown> = {};
  const profile: Record<string, unknown> = {};
  const cpuProfile: Record<string, unknown> = {};
  for (const { features, shape, text } of SHAPES) {
    const topic = `bench-predictions-${features}`;
    progress(`producing ${N} messages with ${features} features (${text})…`);
    const produceSeconds = await produce(broker.brokers, topic, N, shape);
    progress(`produced in ${produceSeconds.toFixed(2)} s; raw kafkajs consumer…`);
    // The bare consumer runs before, between and after the two driftwatch runs (it takes seconds): each ratio is
    // against the mean of the two bare runs around it, so load that drifts during the run skews it less.
    const rawRun = () => runWorker<WorkerResult>('ingest-worker.ts', ['raw-kafkajs', brokers, topic, String(N)]);
    const raws = [await rawRun()];
    const server = await freshTarget(false);
    const dw = await runWorker<WorkerResult>('ingest-worker.ts', ['driftwatch', brokers, topic, String(N), server.url, server.database]);
    raws.push(await rawRun());
    progress(`raw: ${raws[0].per_second}/s, ${raws[1].per_second}/s; driftwatch (server): ${dw.per_second}/s; driftwatch (embedded)…`);
    const embedded = await freshTarget(true);
    const dwEmbedded = await runWorker<WorkerResult>('ingest-worker.ts', ['driftwatch', brokers, topic, String(N), embedded.url, embedded.database]);
    raws.push(await rawRun());
    progress(`driftwatch (embedded): ${dwEmbedded.per_second}/s; raw ${raws[2].per_second}/s; raw with the embedded engine open…`);
    // the memory floor of ingest into the embedded engine: the bare consumer with the engine open and idle
    const floorTarget = await freshTarget(true);
    const floor = await runWorker<WorkerResult>('ingest-worker.ts', ['raw-kafkajs', brokers, topic, String(N), floorTarget.url, floorTarget.database]);
    progress('stage profile…');
    const around = (a: WorkerResult, b: WorkerResult) => Math.round((a.per_second + b.per_second) / 2);
    // CPU time per message, bare consumer over driftwatch: the same comparison on a measure load moves far less
    // (driftwatch's process only: the embedded engine's threads count, the 18.16 server's process does not)
    const cpuRatio = (dwRun: WorkerResult) => ratio(raws.reduce((n, r) => n + (r.cpu_us_per_message ?? NaN), 0) / raws.length, dwRun.cpu_us_per_message ?? NaN);
    const stagesServer = await freshTarget(false);
    const stagesEmbedded = await freshTarget(true);
    profile[`features_${features}`] = {
      server: await runWorker('ingest-worker.ts', ['stages', brokers, topic, String(N), stagesServer.url, stagesServer.database]),
      embedded: await runWorker('ingest-worker.ts', ['stages', brokers, topic, String(N), stagesEmbedded.url, stagesEmbedded.database]),
    };
    if (CPU_PROFILE) {
      for (const [name, target] of [['server', await freshTarget(false)], ['embedded', await freshTarget(true)]] as const) {
        const dir = mkdtempSync(join(tmpdir(), 'dw-bench-cpuprof-'));
        dirs.push(dir);
        const r = await runWorker<WorkerResult>('ingest-worker.ts', ['driftwatch', brokers, topic, String(N), target.url, target.database], { BENCH_INGEST_CPU_PROFILE_FILE: join(dir, 'ingest.cpuprofile') });
        cpuProfile[`features_${features}_${name}`] = { per_second_while_profiled: r.per_second, self_time_by_stage: cpuProfileByStage(dir) };
      }
    }
    runs[`features_${features}`] = {
      features: text, produce_seconds: produceSeconds,
      raw_kafkajs: { runs: raws, before_and_after_server_per_second: around(raws[0], raws[1]), before_and_after_embedded_per_second: around(raws[1], raws[2]), peak_rss_mb: Math.max(...raws.map((r) => r.peak_rss_mb)) },
      driftwatch_server: { ...dw, clickhouse: 'server 18.16' },
      driftwatch_embedded: { ...dwEmbedded, clickhouse: 'embedded 26' },
      raw_kafkajs_with_embedded_engine_idle: { per_second: floor.per_second, peak_rss_mb: floor.peak_rss_mb, peak_private_rss_mb: floor.peak_private_rss_mb, engine_library_rss_mb: floor.engine_library_rss_mb },
      server_vs_raw_kafkajs: ratio(dw.per_second, around(raws[0], raws[1])),
      embedded_vs_raw_kafkajs: ratio(dwEmbedded.per_second, around(raws[1], raws[2])),
      cpu_per_message_raw_kafkajs_vs_server: cpuRatio(dw),
      cpu_per_message_raw_kafkajs_vs_embedded: cpuRatio(dwEmbedded),
    };
  }
  progress('ClickHouse Kafka engine (20 features)…');
  const engine = await clickhouseKafkaEngine(ch.url, broker.brokers, 'bench-chkafka', ch.pid);
  progress(`clickhouse kafka engine: ${engine.per_second}/s`);
  const r20 = runs.features_20 as { driftwatch_server: WorkerResult; driftwatch_embedded: WorkerResult };
  const all = Object.values(runs) as Array<{ server_vs_raw_kafkajs: number; embedded_vs_raw_kafkajs: number; driftwatch_server: WorkerResult; driftwatch_embedded: WorkerResult }>;
  console.log(JSON.stringify({
    benchmark: 'ingest',
    messages: N,
    machine: { cores: cpus().length },
    runs,
    clickhouse_kafka_engine: engine,
    server_vs_clickhouse_kafka_engine_20: ratio(r20.driftwatch_server.per_second, engine.per_second),
    embedded_vs_clickhouse_kafka_engine_20: ratio(r20.driftwatch_embedded.per_second, engine.per_second),
    profile,
    ...(CPU_PROFILE ? { cpu_profile: cpuProfile } : {}),
    aim: {
      vs_raw_kafkajs: 0.25, peak_rss_mb: 400,
      // each shape × engine; the embedded engine's peak RSS includes its library's resident pages (engine_library_rss_mb);
      // peak_rss_floor_mb: the bare consumer's with the embedded engine open and idle in its process
      checks: Object.entries(runs).flatMap(([shapeName, r]) => (['server', 'embedded'] as const).map((e) => {
        const run = r as Record<string, unknown> & { server_vs_raw_kafkajs: number; embedded_vs_raw_kafkajs: number };
        const w = run[`driftwatch_${e}`] as WorkerResult;
        const vs = e === 'server' ? run.server_vs_raw_kafkajs : run.embedded_vs_raw_kafkajs;
        const floorMb = e === 'embedded' ? (run.raw_kafkajs_with_embedded_engine_idle as WorkerResult).peak_rss_mb : undefined;
        return { shape: shapeName, engine: e, vs_raw_kafkajs: vs, peak_rss_mb: w.peak_rss_mb, peak_rss_less_engine_library_mb: w.peak_rss_mb - (w.engine_library_rss_mb ?? 0), ...(floorMb ? { peak_rss_floor_mb: floorMb } : {}), met: vs >= 0.25 && w.peak_rss_mb <= 400 };
      })),
      met: all.every((r) => r.server_vs_raw_kafkajs >= 0.25 && r.embedded_vs_raw_kafkajs >= 0.25 && r.driftwatch_server.peak_rss_mb <= 400 && r.driftwatch_embedded.peak_rss_mb <= 400),
    },
  }, null, 2));
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await broker.stop();
  await ch.stop();
}
