// One contender of the ingest benchmark, in its own process so its peak RSS is its own.
//   raw-kafkajs: a consumer group that does nothing with the messages (the client's ceiling)
//   driftwatch:  KafkaIngest + BatchWriter into ClickHouse (decode, validate, batch, insert, commit)
import { Kafka, logLevel } from 'kafkajs';
import { KafkaIngest } from '../src/ingest/kafka.js';
import { BatchWriter } from '../src/ingest/writer.js';
import { createStore } from '../src/store/index.js';

const [mode, brokers, topic, countText, chUrl, database] = process.argv.slice(2);
const expected = Number(countText);

async function rawKafkajs(): Promise<number> {
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `raw-${Date.now()}`, maxBytesPerPartition: 4 << 20, maxBytes: 32 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let start = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 8,
      eachBatch: async ({ batch }) => {
        if (start === 0) start = performance.now();
        seen += batch.messages.length;
        if (seen >= expected) resolve(performance.now());
      },
    });
  });
  const end = await done;
  await consumer.disconnect();
  return (end - start) / 1000;
}

async function driftwatch(): Promise<number> {
  const store = createStore({ url: chUrl, database });
  const writer = new BatchWriter(store, { batchSize: 20_000, maxWaitMs: 500 });
  const ingest = new KafkaIngest({ brokers: brokers.split(','), clientId: 'bench', groupId: `dw-${Date.now()}`, predictionsTopic: topic, labelsTopic: `${topic}-labels`, maxMessageBytes: 1 << 20, models: [] }, writer);
  // Clock starts when the first fetched batch reaches driftwatch, as for the raw consumer: group join excluded.
  let first = 0;
  const submit = writer.submit.bind(writer);
  writer.submit = (batch) => {
    if (first === 0) first = performance.now();
    return submit(batch);
  };
  await ingest.start();
  let stored = 0;
  while (stored < expected) {
    await new Promise((r) => setTimeout(r, 50));
    stored = Number((await store.query<{ c: string }>('SELECT count() AS c FROM predictions'))[0].c);
  }
  const end = performance.now();
  await ingest.stop();
  await writer.close();
  await store.close();
  return (end - first) / 1000;
}

const seconds = mode === 'raw-kafkajs' ? await rawKafkajs() : await driftwatch();
console.log(JSON.stringify({ mode, messages: expected, seconds, per_second: Math.round(expected / seconds), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
