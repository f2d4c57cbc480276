// Issue 13's numbered cases against the real ClickHouse and broker: over Kafka and HTTP each hostile message is
// dead-lettered with its origin and a reason in words, the good ones around it are stored exactly once, and
// nothing stops or blocks ingest.
import type { FastifyInstance } from 'fastify';
import type { Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { decodeMessages } from '../../src/ingest/messages.js';
import { KafkaIngest } from '../../src/ingest/kafka.js';
import { BatchWriter } from '../../src/ingest/writer.js';
import { applyRetention, type Store } from '../../src/store/index.js';
import { committedOffsets, count, testProducer, until } from '../support/kafka-helpers.js';
import { freshStore, kafkaBrokers, uniqueName } from '../support/services.js';

const TOKEN = 'ingest-token-hostile-0123';
const AGE = { maxAgeMs: 90 * 86_400_000, maxFutureMs: 3_600_000 };
const T = Date.now() - 3_600_000;
const msg = (id: string, extra: Record<string, unknown> = {}) => ({ model: 'fraud', prediction_id: id, timestamp: new Date(T).toISOString(), features: { amount: 1.5, country: 'DE' }, ...extra });
const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

interface Dead { source: string; topic: string; partition: number; offset: string; reason: string; payload: string }

describe('hostile messages against ClickHouse', () => {
  let store: Store;
  let writer: BatchWriter;
  let app: FastifyInstance;
  let kafka: Kafka;
  let producer: Producer;
  beforeAll(async () => {
    store = await freshStore('hostile');
    writer = new BatchWriter(store, { batchSize: 1000, maxWaitMs: 50 });
    app = await buildApp({ tokens: [{ token: TOKEN, scopes: ['ingest'] }], registry: new Registry(), writer, maxMessageBytes: 1_000_000, models: [], ingestAge: AGE, readiness: {}, rateLimit: false });
    ({ kafka, producer } = await testProducer());
  });
  afterAll(async () => {
    await producer.disconnect();
    await app.close();
    await writer.close();
    await store.close();
  });

  const dead = (where: string) => store.query<Dead>(`SELECT source, topic, partition, offset, reason, payload FROM dead_letters WHERE ${where} ORDER BY toUInt64OrZero(offset), offset`);
  const ids = async (where = '1') => (await store.query<{ prediction_id: string }>(`SELECT prediction_id FROM predictions FINAL WHERE ${where} ORDER BY prediction_id`)).map((r) => r.prediction_id);
  const post = (url: string, payload: string, type: string) => app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type } });

  it('Kafka: cases 1, 3–8 — each hostile message dead-lettered with topic/partition/offset, the rest stored, all committed', async () => {
    const topic = uniqueName('hostile_pred');
    const labels = uniqueName('hostile_lab');
    const group = uniqueName('group');
    const values: Array<[string, string]> = [
      ['good', JSON.stringify(msg('k-good-0'))],
      ['case 1: nested 5 000 levels in metadata', `{"model":"fraud","prediction_id":"k-deep","timestamp":${T},"features":{},"metadata":${deep(5000)}}`],
      ['case 3: lone surrogate', `{"model":"fraud","prediction_id":"sur-\\ud800","timestamp":${T},"features":{}}`],
      ['case 4: before 1970', JSON.stringify(msg('k-1969', { timestamp: '1969-07-20T20:17:00Z' }))],
      ['case 5: year 3000', JSON.stringify(msg('k-3000', { timestamp: '3000-01-01T00:00:00Z' }))],
      ['case 5: epoch µs', JSON.stringify(msg('k-micro', { timestamp: T * 1000 }))],
      ['case 6: epoch seconds', JSON.stringify(msg('k-seconds', { timestamp: Math.floor(T / 1000) }))],
      ['case 7: 1e309', `{"model":"fraud","prediction_id":"k-inf","timestamp":${T},"features":{"x":1e309}}`],
      ['case 8: __proto__', `{"model":"fraud","prediction_id":"k-proto","timestamp":${T},"features":{"__proto__":7,"constructor":"c"}}`],
      ['good', JSON.stringify(msg('k-good-1'))],
    ];
    await producer.send({ topic, messages: values.map(([, value]) => ({ value, partition: 0 })) });
    await producer.send({ topic: labels, messages: [
      { value: `{"model":"fraud","prediction_id":"k-good-0","label":1e309,"timestamp":${T}}`, partition: 0 },
      { value: `{"model":"fraud","prediction_id":"k-good-0","label":1,"timestamp":${T}}`, partition: 0 },
    ] });
    const ingest = new KafkaIngest({ brokers: kafkaBrokers(), clientId: 't', groupId: group, predictionsTopic: topic, labelsTopic: labels, maxMessageBytes: 1_000_000, models: [], age: AGE }, writer);
    await ingest.start();
    try {
      await until('all taken', () => committedOffsets(kafka, group, topic), (c) => c === values.length);
      await until('labels taken', () => committedOffsets(kafka, group, labels), (c) => c === 2);
      expect(ingest.ready).toBe(true);
      expect(await ids("prediction_id LIKE 'k-%'")).toEqual(['k-good-0', 'k-good-1', 'k-proto', 'k-seconds']);
      const letters = await dead(`topic = '${topic}'`);
      expect(letters.map((d) => [d.source, d.partition, d.offset])).toEqual([1, 2, 3, 4, 5, 7].map((o) => ['kafka', 0, String(o)]));
      expect(letters.map((d) => d.reason)).toEqual([
        '"metadata" is nested more than 64 levels deep',
        '"prediction_id" is not valid Unicode (it holds a lone surrogate)',
        expect.stringMatching(/^"timestamp" out of range: "1969-07-20T20:17:00Z" is 1969-07-20T20:17:00.000Z, accepted /),
        expect.stringMatching(/^"timestamp" out of range: "3000-01-01T00:00:00Z"/),
        expect.stringMatching(/^"timestamp" out of range: \d+ is \+0\d{5}-/),
        '"features.x" must be a finite number (it is beyond the double range)',
      ]);
      expect(letters[1].payload).toBe(values[2][1]);
      const [seconds] = await store.query<{ ts_ms: string }>(`SELECT toString(ts_ms) AS ts_ms FROM predictions FINAL WHERE prediction_id = 'k-seconds'`);
      expect(Number(seconds.ts_ms)).toBe(Math.floor(T / 1000) * 1000);
      const [proto] = await store.query<{ num_names: string[]; cat_names: string[] }>(`SELECT num_names, cat_names FROM predictions FINAL WHERE prediction_id = 'k-proto'`);
      expect(proto).toEqual({ num_names: ['__proto__'], cat_names: ['constructor'] });
      const labelRows = await store.query<{ label_num: number | null }>(`SELECT label_num FROM labels FINAL WHERE prediction_id = 'k-good-0'`);
      expect(labelRows).toEqual([{ label_num: 1 }]);
      expect((await dead(`topic = '${labels}'`)).map((d) => [d.offset, d.reason])).toEqual([['0', '"label" must be a finite number (it is beyond the double range)']]);
      // case 6: retention sees only plausible days, so it drops nothing that was just stored
      await applyRetention(store, 90, Date.now());
      expect(await ids("prediction_id LIKE 'k-%'")).toHaveLength(4);
    } finally {
      await ingest.stop();
    }
  });

  it('HTTP: case 2 and 3 — nesting and a lone surrogate cost only their own item; later requests are answered 200', async () => {
    const nd = [JSON.stringify(msg('h-1')), `{"model":"fraud","prediction_id":"h-deep","timestamp":${T},"features":{},"metadata":${deep(5000)}}`, `{"model":"fraud","prediction_id":"sur-\\ud800","timestamp":${T},"features":{}}`, JSON.stringify(msg('h-2'))].join('\n');
    const res = await post('/v1/predictions', nd, 'application/x-ndjson');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 2, rejected: 2, errors: [{ index: 2, reason: expect.stringMatching(/"metadata" is nested more than 64 levels/) }, { index: 3, reason: expect.stringMatching(/lone surrogate/) }] });
    const json = await post('/v1/predictions', `[${JSON.stringify(msg('h-3'))}, {"model":"fraud","prediction_id":"h-proto","timestamp":${T},"features":{"__proto__":1}}]`, 'application/json');
    expect(json.json()).toEqual({ accepted: 2, rejected: 0, errors: [] });
    expect(await ids("prediction_id LIKE 'h-%'")).toEqual(['h-1', 'h-2', 'h-3', 'h-proto']);
    expect((await dead("source = 'http'")).map((d) => [d.topic, d.partition, d.offset])).toEqual([['/v1/predictions', -1, 'line 2'], ['/v1/predictions', -1, 'line 3']]);
  });

  it('case 3 past the decoder: a row ClickHouse refuses (error 25) is found by halving and dead-lettered with its Kafka origin', async () => {
    const report = decodeMessages('prediction', 'kafka', Array.from({ length: 20 }, (_, i) => ({ value: JSON.stringify(msg(`w-${i}`)), topic: 'preds', partition: 3, offset: String(500 + i) })), 1e6, {}, Date.now());
    (report.batch.predictions[13] as { prediction_id: string }).prediction_id = 'w-\ud800'; // as if the decoder had let it through
    const result = await writer.submit(report.batch);
    expect(result.refused.map((r) => r.origin.offset)).toEqual(['513']);
    expect(await count(store, "SELECT count() AS c FROM predictions FINAL WHERE prediction_id LIKE 'w-%'")).toBe(19);
    const [letter] = await dead("offset = '513'");
    expect(letter).toMatchObject({ source: 'kafka', topic: 'preds', partition: 3, reason: expect.stringMatching(/^ClickHouse refused the row: insert into predictions: ClickHouse error \d+: /) });
    expect(JSON.parse(letter.payload).prediction_id).toBe('w-13');
    // and ingest goes on: the next request is stored at once
    expect((await post('/v1/predictions', JSON.stringify(msg('after')), 'application/x-ndjson')).statusCode).toBe(200);
  });
});
