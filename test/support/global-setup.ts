// Starts one real ClickHouse server and one Kafka-protocol broker for all integration tests.
import type { TestProject } from 'vitest/node';
import { startClickHouse, type LocalClickHouse } from '../../src/local/clickhouse.js';
import { startKafka, type LocalKafka } from '../../src/local/kafka.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clickhouseUrl: string;
    kafkaBrokers: string[];
  }
}

let clickhouse: LocalClickHouse | undefined;
let kafka: LocalKafka | undefined;

export async function setup(project: TestProject): Promise<void> {
  [clickhouse, kafka] = await Promise.all([startClickHouse(), startKafka({ predictions: 4, labels: 2 })]);
  project.provide('clickhouseUrl', clickhouse.url);
  project.provide('kafkaBrokers', kafka.brokers);
}

export async function teardown(): Promise<void> {
  await Promise.all([kafka?.stop(), clickhouse?.stop()]);
}
