// npx tsx bench/replicas.ts — `driftwatch serve` as 1, 2 and 3 replicas (child processes) on one ClickHouse and one
// broker: ingest throughput (predictions/s from the first produce to all stored), and for 2 and 3 the takeover time
// after kill -9 of a replica (until the survivors own every model). JSON on stdout. On a 2-core machine the
// replicas share the cores with ClickHouse and the broker: read the ratios as measured here, not as scaling.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startClickHouse } from '../src/local/clickhouse.js';
import { startKafka } from '../src/local/kafka.js';
import { createStore, migrate } from '../src/store/index.js';
import { ROOT, benchMessage, progress } from './lib.js';

const N = Number(process.env.BENCH_REPLICAS_MESSAGES ?? 100_000);
const MODELS = Array.from({ length: 12 }, (_, i) => `bench-${i}`);
const TOKEN = 'bench-read-token-0123456789';
const SESSION_MS = 6_000;

interface Replica { child: ChildProcess; logs: string; address: Promise<string> }

function serve(env: Record<string, string>): Replica {
  const child = spawn(process.execPath, [join(ROOT, 'bin/driftwatch.js'), 'serve'], { env: { ...process.env, DRIFTWATCH_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Replica = { child, logs: '', address: Promise.resolve('') };
  r.address = new Promise((resolve, reject) => {
    const take = (d: Buffer) => {
      r.logs += d.toString();
      const m = /"event":"service_started","address":"([^"]+)"/.exec(r.logs);
      if (m) resolve(m[1].replace('0.0.0.0', '127.0.0.1'));
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.once('exit', () => reject(new Error(`replica exited: ${r.logs.slice(-1000)}`)));
  });
  return r;
}

async function owned(r: Replica): Promise<string[]> {
  const res = await fetch(`${await r.address}/v1/ownership`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return ((await res.json()) as { models: string[] }).models;
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: timed out`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run(chUrl: string, replicas: number) {
  const kafka = await startKafka({ predictions: 12, labels: 2, 'driftwatch-control': 12 });
  const database = `bench_replicas_${replicas}_${Date.now()}`;
  const admin = createStore({ url: chUrl, database: 'default' });
  const store = createStore({ url: chUrl, database });
  await migrate(admin, store, new Date());
  const dir = mkdtempSync(join(tmpdir(), 'dw-bench-replicas-'));
  const env = (i: number) => ({
    DRIFTWATCH_CLICKHOUSE_URL: chUrl, DRIFTWATCH_CLICKHOUSE_DATABASE: database, DRIFTWATCH_KAFKA_BROKERS: kafka.brokers.join(','),
    DRIFTWATCH_KAFKA_SESSION_TIMEOUT_MS: String(SESSION_MS), DRIFTWATCH_MODELS: ['bench', ...MODELS].join(','),
    DRIFTWATCH_API_TOKENS: `${TOKEN}:read`, DRIFTWATCH_DATA_DIR: join(dir, `r${i}`), DRIFTWATCH_LOG_LEVEL: 'info',
  });
  const procs = Array.from({ length: replicas }, (_, i) => serve(env(i)));
  try {
    await Promise.all(procs.map((p) => p.address));
    await until('models owned', async () => (await Promise.all(procs.map(owned))).flat().length === MODELS.length + 1, 60_000);
    progress(`${replicas} replica(s) up; producing ${N}`);
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const t0 = performance.now();
    for (let i = 0; i < N; i += 5_000) {
      await producer.send({ topic: 'predictions', acks: 1, messages: Array.from({ length: Math.min(5_000, N - i) }, (_, k) => ({ value: benchMessage(i + k) })) });
    }
    await producer.disconnect();
    await until('stored', async () => Number((await store.query<{ c: string }>('SELECT count() AS c FROM predictions FINAL'))[0].c) >= N);
    const seconds = (performance.now() - t0) / 1000;
    let takeoverMs: number | null = null;
    if (replicas > 1) {
      const killed = Date.now();
      procs[0].child.kill('SIGKILL');
      const survivors = procs.slice(1);
      await until('taken over', async () => (await Promise.all(survivors.map(owned))).flat().length === MODELS.length + 1, 120_000)
        .catch((error: Error) => {
          for (const s of survivors) progress(s.logs.split('\n').filter((l) => !l.includes('http_request')).slice(-40).join('\n'));
          throw error;
        });
      takeoverMs = Date.now() - killed;
    }
    return { replicas, messages: N, seconds: Number(seconds.toFixed(2)), per_second: Math.round(N / seconds), takeover_ms: takeoverMs, session_timeout_ms: SESSION_MS };
  } finally {
    for (const p of procs) p.child.kill('SIGKILL');
    await kafka.stop();
    await store.close();
    await admin.close();
  }
}

const clickhouse = await startClickHouse();
try {
  const results = [];
  for (const n of (process.env.BENCH_REPLICAS_COUNTS ?? '1,2,3').split(',').map(Number)) results.push(await run(clickhouse.url, n));
  const one = results[0].per_second;
  console.log(JSON.stringify({ bench: 'replicas', results, throughput_vs_one: results.map((r) => Number((r.per_second / one).toFixed(2))) }, null, 2));
} finally {
  await clickhouse.stop();
}
process.exit(0);
