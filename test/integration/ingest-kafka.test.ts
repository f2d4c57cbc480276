// Kafka → ClickHouse ingest against the real broker and server: validation, dead letters, commit-after-store,
// an outage of ClickHouse, and duplicates that must not count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { committedOffsets, count, testProducer, until } from '../support/kafka-helpers.js';
import { KafkaIngest } from '../../src/ingest/kafka.js';
import { BatchWriter } from '../../src/ingest/writer.js';
import { createStore } from '../../src/store/index.js';
import { clickhouseUrl, engine, freshStore, kafkaBrokers, uniqueName } from '../support/services.js';
import { predictionMessage } from '../support/messages.js';
import { startProxy } from '../support/proxy.js';



describe('Kafka ingest', () => {
  let kafka: Kafka;
  let producer: Producer;
  beforeAll(async () => {
    ({ kafka, producer } = await testProducer());
  });
  afterAll(async () => producer.disconnect());

  const committed = (group: string, topic: string) => committedOffsets(kafka, group, topic);

  // decoded on the main thread, and in two worker threads (src/ingest/decode-pool.ts): the same outcome
  it.each([0, 2])('stores valid predictions and labels, dead-letters bad messages with the reason, and keeps going (%i decode threads)', async (decodeThreads) => {
    const store = await freshStore('ingest');
    const predictions = uniqueName('pred');
    const labels = uniqueName('lab');
    const group = uniqueName('group');
    const writer = new BatchWriter(store, { batchSize: 500, maxWaitMs: 200 });
    const ingest = new KafkaIngest({ brokers: kafkaBrokers(), clientId: 't', groupId: group, predictionsTopic: predictions, labelsTopic: labels, maxMessageBytes: 2000, models: [], decodeThreads }, writer);
    const good = Array.from({ length: 300 }, (_, i) => ({ value: JSON.stringify(predictionMessage(i)) }));
    const bad = [
      { value: '{not json' },
      { value: JSON.stringify({ ...predictionMessage(1000), model: undefined }) },
      { value: JSON.stringify({ ...predictionMessage(1001), timestamp: 'yesterday' }) },
      { value: JSON.stringify({ ...predictionMessage(1002), features: { amount: [1, 2] } }) },
      { value: JSON.stringify({ ...predictionMessage(1003), pad: 'x'.repeat(3000) }) },
    ];
    // Bad messages interleaved with good ones: everything after a bad message must still be stored.
    // One partition so offsets are known: the not-JSON message is offset 100.
    await producer.send({ topic: predictions, messages: [...good.slice(0, 100), ...bad, ...good.slice(100)].map((m) => ({ ...m, partition: 0 })) });
    await producer.send({ topic: labels, messages: [
      { value: JSON.stringify({ model: 'fraud', prediction_id: 'p-1', label: 1, timestamp: Date.UTC(2026, 10, 24, 12) }) },
      { value: JSON.stringify({ model: 'fraud', prediction_id: 'p-2', timestamp: Date.UTC(2026, 10, 24, 12) }) },
    ] });
    await ingest.start();
    try {
      await until('stored predictions', () => count(store, 'SELECT count() AS c FROM predictions FINAL'), (c) => c === 300);
      await until('dead letters', () => count(store, 'SELECT count() AS c FROM dead_letters'), (c) => c === 6);
      const reasons = (await store.query<{ reason: string; topic: string; offset: string }>('SELECT reason, topic, offset FROM dead_letters ORDER BY reason')).map((r) => r.reason);
      expect(reasons).toEqual(expect.arrayContaining([
        expect.stringMatching(/^not JSON/),
        'missing "model"',
        expect.stringMatching(/^"timestamp" must be RFC 3339/),
        expect.stringMatching(/^"features.amount" must be a number, string, boolean or null, got array/),
        expect.stringMatching(/exceeds the 2000-byte limit/),
        'missing "label"',
      ]));
      const [row] = await store.query<{ topic: string; partition: number; offset: string; payload: string }>(`SELECT topic, partition, offset, payload FROM dead_letters WHERE reason LIKE 'not JSON%'`);
      expect(row).toMatchObject({ topic: predictions, partition: 0, offset: '100', payload: '{not json' });
      // the labels' two partitions may be stored in separate inserts, after the dead letters
      await until('stored labels', () => count(store, 'SELECT count() AS c FROM labels FINAL'), (c) => c === 1);
      const [p] = await store.query<{ num_names: string[]; cat_values: string[]; missing_names: string[] }>(`SELECT num_names, cat_values, missing_names FROM predictions FINAL WHERE prediction_id = 'p-4'`);
      expect(p).toEqual({ num_names: ['amount', 'age'], cat_values: ['FR'], missing_names: ['missing'] });
      await until('committed offsets', () => committed(group, predictions), (c) => c === 305);
    } finally {
      await ingest.stop();
      await writer.close();
      await store.close();
    }
  });

  // A network outage exists only between driftwatch and a server: this one runs on the server engine alone.
  (engine() === 'server' ? it : it.skip)('waits out a ClickHouse outage without losing a message or committing early', async () => {
    const direct = await freshStore('outage');
    const proxy = await startProxy(clickhouseUrl());
    const viaProxy = createStore({ url: proxy.url, database: direct.database, requestTimeoutMs: 3000 });
    const topic = uniqueName('pred');
    const group = uniqueName('group');
    const writer = new BatchWriter(viaProxy, { batchSize: 200, maxWaitMs: 100, retryMinMs: 50, retryMaxMs: 500 });
    const ingest = new KafkaIngest({ brokers: kafkaBrokers(), clientId: 't', groupId: group, predictionsTopic: topic, labelsTopic: uniqueName('lab'), maxMessageBytes: 10_000, models: [] }, writer);
    await ingest.start();
    try {
      await producer.send({ topic, messages: Array.from({ length: 200 }, (_, i) => ({ value: JSON.stringify(predictionMessage(i)) })) });
      await until('first 200 stored', () => count(direct, 'SELECT count() AS c FROM predictions FINAL'), (c) => c === 200);
      proxy.cut();
      await producer.send({ topic, messages: Array.from({ length: 300 }, (_, i) => ({ value: JSON.stringify(predictionMessage(200 + i)) })) });
      await new Promise((r) => setTimeout(r, 3000));
      // During the outage nothing new is stored, and nothing beyond the stored rows is committed.
      expect(await count(direct, 'SELECT count() AS c FROM predictions FINAL')).toBe(200);
      expect(await committed(group, topic)).toBeLessThanOrEqual(200);
      proxy.restore();
      await until('all 500 stored after the outage', () => count(direct, 'SELECT count() AS c FROM predictions FINAL'), (c) => c === 500);
      await until('committed offsets', () => committed(group, topic), (c) => c === 500);
    } finally {
      await ingest.stop();
      await writer.close(1000);
      await viaProxy.close();
      await proxy.close();
      await direct.close();
    }
  });

  it('reports whether the brokers answer, for /readyz', async () => {
    const writer = new BatchWriter(createStore({ url: 'http://127.0.0.1:1', database: 'x' }), { batchSize: 1, maxWaitMs: 1 });
    const options = { clientId: 't', groupId: 'g', predictionsTopic: 'p', labelsTopic: 'l', maxMessageBytes: 1000, models: [] };
    expect(await new KafkaIngest({ ...options, brokers: kafkaBrokers() }, writer).reachable()).toBe(true);
    expect(await new KafkaIngest({ ...options, brokers: ['127.0.0.1:1'] }, writer).reachable(1500)).toBe(false);
  });
});
