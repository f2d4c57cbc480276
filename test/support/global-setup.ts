// Starts what one integration project needs for the whole run: a Kafka-protocol broker, and either a real
// ClickHouse 18.16 server (project integration-server) or a directory for the embedded ClickHouse 26
// (integration-embedded: each test process opens its own engine under it, as one process may hold one path).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startClickHouse, type LocalClickHouse } from '../../src/local/clickhouse.js';
import { startKafka, type LocalKafka } from '../../src/local/kafka.js';

declare module 'vitest' {
  export interface ProvidedContext {
    engine: 'server' | 'embedded';
    clickhouseUrl: string;
    embeddedRoot: string;
    kafkaBrokers: string[];
  }
}

let clickhouse: LocalClickHouse | undefined;
let kafka: LocalKafka | undefined;
let embeddedRoot: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const engine = project.config.provide?.engine === 'embedded' ? 'embedded' : 'server';
  if (engine === 'server') {
    [clickhouse, kafka] = await Promise.all([startClickHouse(), startKafka({ predictions: 4, labels: 2 })]);
    project.provide('clickhouseUrl', clickhouse.url);
    project.provide('embeddedRoot', '');
  } else {
    kafka = await startKafka({ predictions: 4, labels: 2 });
    embeddedRoot = mkdtempSync(join(tmpdir(), 'driftwatch-chdb-'));
    project.provide('clickhouseUrl', 'embedded');
    project.provide('embeddedRoot', embeddedRoot);
  }
  project.provide('kafkaBrokers', kafka.brokers);
}

export async function teardown(): Promise<void> {
  await Promise.all([kafka?.stop(), clickhouse?.stop()]);
  if (embeddedRoot) rmSync(embeddedRoot, { recursive: true, force: true });
}
