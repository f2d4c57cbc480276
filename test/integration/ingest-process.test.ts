// The service as a process: killed between insert and commit it loses nothing and counts nothing twice;
// SIGTERM drains, commits and exits 0. On the embedded engine the service holds the data directory while it runs
// (one process at a time), so there the test reads the store only while no service is running.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { committedOffsets, count, testProducer, until } from '../support/kafka-helpers.js';
import { createStore, type Store } from '../../src/store/index.js';
import { clickhouseUrl, embeddedDir, engine, freshStore, kafkaBrokers, uniqueName } from '../support/services.js';
import { predictionMessage } from '../support/messages.js';
import { spawnServe } from '../support/serve-process.js';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

describe('driftwatch serve as a process', () => {
  let kafka: Kafka;
  let producer: Producer;
  beforeAll(async () => {
    ({ kafka, producer } = await testProducer());
  });
  afterAll(async () => producer.disconnect());

  const embedded = engine() === 'embedded';
  /** A migrated database; on the embedded engine in a data directory of its own that the service will open. */
  async function database(prefix: string): Promise<{ url: string; name: string; open: () => Store }> {
    const url = embedded ? `embedded:${embeddedDir()}-${uniqueName(prefix)}` : clickhouseUrl();
    const store = await freshStore(prefix, url);
    await store.close();
    return { url, name: store.database, open: () => createStore({ url, database: store.database }) };
  }
  /** Runs `read` on the store; on the embedded engine only ever called while no service holds it. */
  async function reading<T>(db: { open: () => Store }, read: (s: Store) => Promise<T>): Promise<T> {
    const store = db.open();
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  }

  const envFor = (db: { url: string; name: string }, topic: string, group: string): Record<string, string> => ({
    DRIFTWATCH_CLICKHOUSE_URL: db.url,
    DRIFTWATCH_CLICKHOUSE_DATABASE: db.name,
    DRIFTWATCH_KAFKA_BROKERS: kafkaBrokers().join(','),
    DRIFTWATCH_PREDICTIONS_TOPIC: topic,
    DRIFTWATCH_LABELS_TOPIC: `${topic}_labels`,
    DRIFTWATCH_CONSUMER_GROUP: group,
    DRIFTWATCH_BATCH_SIZE: '1000',
    DRIFTWATCH_BATCH_MAX_WAIT_MS: '200',
    DRIFTWATCH_KAFKA_SESSION_TIMEOUT_MS: '6000',
    DRIFTWATCH_DATA_DIR: join(tmpdir(), `dw-serve-${db.name}`),
    DRIFTWATCH_RETENTION_DAYS: '36500', // the fixed event times of predictionMessage stay accepted and kept
  });

  it('crash between insert and commit: after restart nothing is lost and nothing is counted twice', async () => {
    const db = await database('crash');
    const topic = uniqueName('pred');
    const group = uniqueName('group');
    await producer.send({ topic, messages: Array.from({ length: 2000 }, (_, i) => ({ value: JSON.stringify(predictionMessage(i)) })) });
    const doomed = spawnServe({ ...envFor(db, topic, group), DRIFTWATCH_FAILPOINT: 'crash-after-insert' });
    const death = await doomed.exited;
    expect(death.signal).toBe('SIGKILL'); // it really died at the failpoint, after storing, before committing
    // The acknowledged batch is there after the kill (an insert is one part, renamed into place whole).
    const storedBeforeCrash = await reading(db, (s) => count(s, 'SELECT count() AS c FROM predictions'));
    expect(storedBeforeCrash).toBeGreaterThan(0);
    expect(await committedOffsets(kafka, group, topic)).toBe(0);

    const survivor = spawnServe(envFor(db, topic, group));
    try {
      await survivor.started;
      if (embedded) {
        await until('all committed', () => committedOffsets(kafka, group, topic), (c) => c === 2000);
      } else {
        await until('distinct predictions', () => reading(db, (s) => count(s, 'SELECT count() AS c FROM predictions FINAL')), (c: number) => c === 2000);
      }
    } finally {
      survivor.child.kill('SIGTERM');
      await survivor.exited;
    }
    // The batch stored before the crash is redelivered (raw rows exceed 2000 at some point before merges),
    // yet every reader's count is exactly the number of distinct predictions.
    await reading(db, async (store) => {
      expect(await count(store, 'SELECT count() AS c FROM predictions FINAL')).toBe(2000);
      expect(await count(store, 'SELECT uniqExact(prediction_id) AS c FROM predictions')).toBe(2000);
      await store.command('OPTIMIZE TABLE predictions FINAL');
      expect(await count(store, 'SELECT count() AS c FROM predictions')).toBe(2000);
    });
  });

  it('SIGTERM drains in-flight batches, commits, and exits 0', async () => {
    const db = await database('drain');
    const topic = uniqueName('pred');
    const group = uniqueName('group');
    const service = spawnServe(envFor(db, topic, group));
    await service.started;
    await producer.send({ topic, messages: Array.from({ length: 3000 }, (_, i) => ({ value: JSON.stringify(predictionMessage(i)) })) });
    if (embedded) await until('some committed', () => committedOffsets(kafka, group, topic), (c) => c > 0);
    else await until('some stored', () => reading(db, (s) => count(s, 'SELECT count() AS c FROM predictions FINAL')), (c) => c > 0);
    service.child.kill('SIGTERM');
    const exit = await service.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(service.logs()).toContain('"service_stopped"');
    const stored = await reading(db, (s) => count(s, 'SELECT count() AS c FROM predictions FINAL'));
    const committed = await committedOffsets(kafka, group, topic);
    // Every committed message is stored (commit only after store); a drained stop leaves nothing stored uncommitted.
    expect(committed).toBe(stored);
  });

  // Only the embedded engine has a data directory one process holds; a server takes any number of clients.
  (embedded ? it : it.skip)('a command that needs the embedded store while serve holds it says so in one line', async () => {
    const db = await database('held');
    const service = spawnServe(envFor(db, uniqueName('pred'), uniqueName('group')));
    try {
      await service.started;
      const bin = resolve(__dirname, '../../bin/driftwatch.js');
      const run = spawnSync(process.execPath, [bin, 'migrate'], { env: { ...process.env, ...envFor(db, 'p', 'g') }, encoding: 'utf8', timeout: 60_000 });
      expect(run.status).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^driftwatch migrate: the embedded ClickHouse data in .* is in use by another process \\(pid ${service.child.pid}\\): stop it`));
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });
});
