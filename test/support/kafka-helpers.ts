// Small helpers the Kafka integration tests share: polling until a condition holds, counts, committed offsets.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Store } from '../../src/store/index.js';
import { kafkaBrokers } from './services.js';

export async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}

export const count = async (store: Store, sql: string): Promise<number> => Number((await store.query<{ c: string }>(sql))[0].c);

/** The sum over partitions of a group's committed offsets on a topic (messages it has durably taken). */
export async function committedOffsets(kafka: Kafka, group: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return offsets[0].partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

export async function testProducer(): Promise<{ kafka: Kafka; producer: Producer }> {
  const kafka = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  return { kafka, producer };
}
