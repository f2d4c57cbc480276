// One contender of the ingest benchmark, in its own process so its peak RSS is its own.
//   raw-kafkajs: a consumer group that does nothing with the messages (the client's ceiling); given a store, with it open
//   driftwatch:  KafkaIngest + BatchWriter into ClickHouse (decode, validate, batch, insert, commit)
//   stages:      the same stages one after the other on the same messages, each timed (where the time goes)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { FETCH_DEFAULTS, KafkaIngest } from '../src/ingest/kafka.js';
import { parseJsonMessage } from '../src/ingest/decode.js';
import { encodePrediction } from '../src/ingest/encoded.js';
import { decodeMessages } from '../src/ingest/messages.js';
import { INGEST_SEMI_SPACE_MB, sizeYoungGeneration } from '../src/ingest/heap.js';
import { predictionRowOf } from '../src/ingest/rows.js';
import { BatchWriter } from '../src/ingest/writer.js';
import { createStore } from '../src/store/index.js';
import { INSERT_LAYOUTS } from '../src/store/insert-layout.js';
import { encodeRowBinary } from '../src/store/insert-rowbinary.js';
import { rowEncoder } from '../src/store/insert-rows.js';

const [mode, brokers, topic, countText, chUrl, database] = process.argv.slice(2);
const expected = Number(countText);
const BATCH_SIZE = Number(process.env.BENCH_INGEST_BATCH ?? 20_000);
/** CPU time of this process (all its threads: the embedded engine's too) over the measured interval: on a loaded
 *  machine it moves far less than the rate does. */
let cpuAtStart: NodeJS.CpuUsage | undefined;
let cpuUsed: NodeJS.CpuUsage = { user: NaN, system: NaN };
let threadsAtStart = new Map<number, { name: string; ns: number }>();
let threadsUsed: Record<string, number> = {};
const cpuClock = {
  start: () => {
    cpuAtStart = process.cpuUsage();
    threadsAtStart = threadCpuNs();
  },
  stop: () => {
    cpuUsed = process.cpuUsage(cpuAtStart);
    threadsUsed = threadCpuByName(threadsAtStart, threadCpuNs());
  },
};

/** CPU time (ns, from the scheduler) and name of each thread of this process, by tid. */
function threadCpuNs(): Map<number, { name: string; ns: number }> {
  const out = new Map<number, { name: string; ns: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      out.set(Number(tid), { name, ns: Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** Milliseconds of CPU per thread name (digits dropped: a pool's threads add up) between two readings: the main
 *  thread, libuv's pool (named node, as the process), V8's helpers and the embedded engine's own (ThreadPool runs
 *  its queries, MergeMutate its merges). A thread that ended in between is missing from both. */
function threadCpuByName(before: Map<number, { name: string; ns: number }>, after: Map<number, { name: string; ns: number }>): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const [tid, { name: comm, ns }] of after) {
    const name = tid === process.pid ? 'main (JavaScript)' : comm.replace(/[0-9]+$/, '').replace(/[:_-]$/, '') || 'unnamed';
    byName[name] = (byName[name] ?? 0) + (ns - (before.get(tid)?.ns ?? 0)) / 1e6;
  }
  return Object.fromEntries(Object.entries(byName).filter(([, ms]) => ms >= 1).sort((a, b) => b[1] - a[1]).map(([k, ms]) => [k, Math.round(ms)]));
}

/** Consumer settings of KafkaIngest, so the baseline fetches as driftwatch does. */
function consumerOf(kafka: Kafka, groupId: string) {
  return kafka.consumer({ groupId, ...FETCH_DEFAULTS });
}

/** The bare consumer; given a store (raw-kafkajs … URL DATABASE), with that store open and idle in this process
 *  the while: with the embedded engine, the least memory any ingest into it can take. */
async function rawKafkajs(): Promise<number> {
  const idleStore = chUrl ? createStore({ url: chUrl, database }) : undefined;
  if (idleStore && !(await idleStore.ping())) throw new Error(`the store at ${chUrl} does not answer`);
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = consumerOf(kafka, `raw-${Date.now()}`);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let start = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 8,
      eachBatch: async ({ batch }) => {
        if (start === 0) {
          start = performance.now();
          cpuClock.start();
        }
        seen += batch.messages.length;
        if (seen >= expected) {
          cpuClock.stop();
          resolve(performance.now());
        }
      },
    });
  });
  const end = await done;
  await consumer.disconnect();
  await idleStore?.close();
  return (end - start) / 1000;
}

/** With BENCH_INGEST_CPU_PROFILE_FILE set: a V8 CPU profile of this process over the measured interval only
 *  (first batch to last row stored), written there as a .cpuprofile. */
async function cpuProfiler(): Promise<{ start(): void; stop(): Promise<void> }> {
  const file = process.env.BENCH_INGEST_CPU_PROFILE_FILE;
  if (!file) return { start: () => undefined, stop: async () => undefined };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  return {
    start: () => void session.post('Profiler.start'),
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** KafkaIngest settings a run may override (BENCH_INGEST_BACKLOG rows, BENCH_INGEST_FETCH_MB, BENCH_INGEST_PARTITION_MB,
 *  BENCH_INGEST_DECODE_THREADS). */
function tuning() {
  const mb = (name: string) => (process.env[name] ? { [name]: Number(process.env[name]) * 2 ** 20 } : {});
  const fetch = mb('BENCH_INGEST_FETCH_MB');
  const partition = mb('BENCH_INGEST_PARTITION_MB');
  return {
    ...(process.env.BENCH_INGEST_BACKLOG ? { maxBacklogRows: Number(process.env.BENCH_INGEST_BACKLOG) } : {}),
    ...(fetch.BENCH_INGEST_FETCH_MB ? { fetchMaxBytes: fetch.BENCH_INGEST_FETCH_MB } : {}),
    ...(partition.BENCH_INGEST_PARTITION_MB ? { fetchMaxBytesPerPartition: partition.BENCH_INGEST_PARTITION_MB } : {}),
    ...(process.env.BENCH_INGEST_DECODE_THREADS ? { decodeThreads: Number(process.env.BENCH_INGEST_DECODE_THREADS) } : {}),
  };
}

async function driftwatch(): Promise<number> {
  // as bin/driftwatch.js sizes the service's young generation (BENCH_INGEST_SEMI_SPACE_MB=0: V8's default)
  const semiSpaceMb = Number(process.env.BENCH_INGEST_SEMI_SPACE_MB ?? INGEST_SEMI_SPACE_MB);
  if (semiSpaceMb > 0) sizeYoungGeneration(semiSpaceMb);
  const profiler = await cpuProfiler();
  const store = createStore({ url: chUrl, database });
  const writer = new BatchWriter(store, { batchSize: BATCH_SIZE, maxWaitMs: 500 });
  const ingest = new KafkaIngest({ brokers: brokers.split(','), clientId: 'bench', groupId: `dw-${Date.now()}`, predictionsTopic: topic, labelsTopic: `${topic}-labels`, maxMessageBytes: 1 << 20, models: [], ...tuning() }, writer);
  // Clock starts when the first fetched batch reaches driftwatch, as for the raw consumer: group join excluded. It
  // stops when the writer acknowledges the last row as stored (ClickHouse answered its insert), counted from the
  // submissions' own results: no polling query competes with ingest for the engine.
  let first = 0;
  let storedRows = 0;
  let allStored!: () => void;
  const stored = new Promise<void>((resolve) => (allStored = resolve));
  const submit = writer.submit.bind(writer);
  writer.submit = (batch) => {
    if (first === 0) {
      first = performance.now();
      cpuClock.start();
      profiler.start();
    }
    const rows = batch.predictions.length + (batch.encoded ?? []).reduce((n, e) => n + e.ends.length, 0);
    const result = submit(batch);
    void result.then((r) => {
      storedRows += rows - r.refused.length;
      if (storedRows >= expected) allStored();
    }, () => undefined);
    return result;
  };
  await ingest.start();
  await stored;
  const end = performance.now();
  cpuClock.stop();
  await profiler.stop();
  const visible = Number((await store.query<{ c: string }>('SELECT count() AS c FROM predictions'))[0].c);
  if (visible < expected) throw new Error(`the writer acknowledged ${expected} rows but ClickHouse holds ${visible}`);
  await ingest.stop();
  await writer.close();
  await store.close();
  return (end - first) / 1000;
}

interface Fetched { topic: string; partition: number; lastOffset: string; messages: KafkaMessage[] }

/** Each stage of the real path over all messages, timed alone: fetch (kafkajs), decoding (the scan straight from
 *  the bytes into the insert's, or the full path for what it declines), the insert round trip with ClickHouse's own
 *  parsing, and the offset commits (one per fetched batch; KafkaIngest coalesces them); and, for comparison, the full
 *  path's two steps (JSON.parse, then validation with encoding) and what encoding replaced: object rows, encoded. */
async function stages(): Promise<Record<string, unknown>> {
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = consumerOf(kafka, `stages-${Date.now()}`);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const batches: Fetched[] = [];
  let seen = 0;
  let start = 0;
  const fetchEnd = await new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 8,
      eachBatch: async ({ batch }) => {
        if (start === 0) start = performance.now();
        if (batch.messages.length === 0) return;
        batches.push({ topic: batch.topic, partition: batch.partition, lastOffset: batch.lastOffset(), messages: batch.messages });
        seen += batch.messages.length;
        if (seen >= expected) resolve(performance.now());
      },
    });
  });
  consumer.pause([{ topic }]);
  // decoding: what ingest runs (decodeMessages: the scan, or for a message it declines JSON.parse, validation and
  // encoding); the full path's two steps and the object rows it replaced are timed beside it, outside the total
  const ms: Record<string, number> = { fetch: fetchEnd - start, decoding: 0, insert_round_trip: 0, offset_commits: 0, full_path_json_parse: 0, full_path_validation_and_encoding: 0, object_rows_then_encoding_replaced: 0 };
  const beside = new Set(['full_path_json_parse', 'full_path_validation_and_encoding', 'object_rows_then_encoding_replaced']);
  const time = <T>(stage: string, f: () => T): T => {
    const t0 = performance.now();
    const r = f();
    ms[stage] += performance.now() - t0;
    return r;
  };
  const store = createStore({ url: chUrl, database });
  const layout = INSERT_LAYOUTS.predictions;
  const now = Date.now();
  const enc = rowEncoder();
  let pending: Buffer[] = [];
  let pendingRows = 0;
  const insert = async () => {
    const parts = pending;
    pending = [];
    pendingRows = 0;
    const t0 = performance.now();
    await store.insertEncoded!('predictions', parts);
    ms.insert_round_trip += performance.now() - t0;
    return parts.reduce((n, p) => n + p.length, 0);
  };
  let bytes = 0;
  for (const b of batches) {
    const chunk = time('decoding', () => decodeMessages('prediction', 'kafka', b.messages.map((m) => ({ value: m.value, topic: b.topic, partition: b.partition, offset: m.offset })), 1 << 20, { rowBinary: true }, now).batch.encoded![0]);
    const json = time('full_path_json_parse', () => b.messages.map((m) => parseJsonMessage(m.value, 1 << 20)));
    time('full_path_validation_and_encoding', () => {
      for (const j of json) encodePrediction(enc, j, {}, Math.floor(now / 1000));
      return enc.finish();
    });
    time('object_rows_then_encoding_replaced', () => {
      const rows = json.map((j) => predictionRowOf(j, {}, now).row as unknown as Record<string, unknown>);
      return encodeRowBinary(layout, rows);
    });
    pending.push(chunk.data);
    pendingRows += chunk.ends.length;
    if (pendingRows >= BATCH_SIZE) bytes += await insert();
  }
  if (pending.length) bytes += await insert();
  for (const b of batches) {
    const t0 = performance.now();
    await consumer.commitOffsets([{ topic: b.topic, partition: b.partition, offset: (BigInt(b.lastOffset) + 1n).toString() }]);
    ms.offset_commits += performance.now() - t0;
  }
  await consumer.disconnect();
  await store.close();
  const total = Object.entries(ms).filter(([k]) => !beside.has(k)).reduce((s, [, v]) => s + v, 0);
  const stagesOut = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, { seconds: +(v / 1000).toFixed(3), us_per_message: +((v * 1000) / seen).toFixed(2), share: beside.has(k) ? undefined : +(v / total).toFixed(3) }]));
  return { messages: seen, fetched_batches: batches.length, encoded_bytes_per_message: Math.round(bytes / seen), engine: store.engine, stages: stagesOut, serial_seconds: +(total / 1000).toFixed(3) };
}

/** Peak private memory (RssAnon, sampled every 100 ms) and the resident pages of the embedded engine's library
 *  (libchdb.so's code and data mapped from disk: about 180 MB, in every process that embeds ClickHouse 26). */
let peakAnonKb = 0;
setInterval(() => {
  const kb = Number(/RssAnon:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
  if (kb > peakAnonKb) peakAnonKb = kb;
}, 100).unref();
function memory(): { peak_rss_mb: number; peak_private_rss_mb: number; engine_library_rss_mb: number } {
  let libraryKb = 0;
  let inLibrary = false;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inLibrary = line.endsWith('libchdb.so');
    else if (inLibrary && line.startsWith('Rss:')) libraryKb += Number(/(\d+)/.exec(line)![1]);
  }
  return { peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), peak_private_rss_mb: Math.round(peakAnonKb / 1024), engine_library_rss_mb: Math.round(libraryKb / 1024) };
}

if (mode === 'stages') {
  const result = await stages();
  console.log(JSON.stringify({ mode, ...result, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
} else {
  const seconds = mode === 'raw-kafkajs' ? await rawKafkajs() : await driftwatch();
  const cpuUs = (cpuUsed.user + cpuUsed.system) / expected;
  console.log(JSON.stringify({ mode, messages: expected, seconds, per_second: Math.round(expected / seconds), cpu_us_per_message: +cpuUs.toFixed(2), cpu_ms_by_thread: threadsUsed, ...memory() }));
}
