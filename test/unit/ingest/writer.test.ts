// The group-commit writer against a scripted store: data errors are split down to the rows at fault, which become
// dead letters with their message's origin; only transient errors are retried, and nothing is retried forever.
import { describe, expect, it } from 'vitest';
import { defaultMaxBacklogRows } from '../../../src/ingest/kafka.js';
import { decodeMessages } from '../../../src/ingest/messages.js';
import { BatchWriter } from '../../../src/ingest/writer.js';
import { StoreError, kindOfCode, toStoreError, type Store } from '../../../src/store/index.js';
import { INSERT_LAYOUTS } from '../../../src/store/insert-layout.js';
import { readRowBinary } from '../store/bytes.js';

const NOW = Date.UTC(2026, 11, 1, 12);

/** A store that refuses rows matching `refuse` (ClickHouse error `code`) and records what it stored. */
function scriptedStore(refuse: (row: Record<string, unknown>) => boolean, code = 25, up = true) {
  const stored: Record<string, Array<Record<string, unknown>>> = { predictions: [], labels: [], dead_letters: [] };
  let inserts = 0;
  const store: Store & { stored: typeof stored; inserts: () => number; failNext: Error[] } = {
    database: 'x', engine: 'server', stored, inserts: () => inserts, failNext: [],
    async insert(table, rows) {
      inserts += 1;
      const next = store.failNext.shift();
      if (next) throw next;
      if (rows.some(refuse)) throw toStoreError(new Error(`Code: ${code}, e.displayText() = DB::Exception: Cannot parse escape sequence: while reading row`), `insert into ${table}`);
      stored[table].push(...rows);
    },
    query: async () => [], command: async () => undefined, ping: async () => up, close: async () => undefined,
  };
  return store;
}

const messages = (n: number, bad: Set<number>) => Array.from({ length: n }, (_, i) => ({
  value: JSON.stringify({ model: 'fraud', prediction_id: bad.has(i) ? `bad-${i}` : `p-${i}`, timestamp: NOW, features: { x: i } }),
  topic: 'predictions', partition: 2, offset: String(100 + i),
}));

describe('BatchWriter', () => {
  it('classifies ClickHouse errors by code', () => {
    for (const code of [6, 25, 26, 27, 38, 41, 53, 69, 70, 72, 117, 130, 131]) expect(kindOfCode(code)).toBe('data');
    for (const code of [47, 60, 62, 81, 516]) expect(kindOfCode(code)).toBe('refused');
    for (const code of [159, 202, 209, 210, 241, 252]) expect(kindOfCode(code)).toBe('transient');
    expect(toStoreError(new Error('Code: 25, e.displayText() = DB::Exception: x'), 'insert').retryable).toBe(false);
    expect(toStoreError(new Error('connect ECONNREFUSED 127.0.0.1:8123'), 'insert')).toMatchObject({ retryable: true, kind: 'transient' });
  });

  it('splits a refused batch down to the rows at fault and dead-letters them with their Kafka origin', async () => {
    const store = scriptedStore((r) => String(r.prediction_id).startsWith('bad-'));
    const writer = new BatchWriter(store, { batchSize: 10_000, maxWaitMs: 1, now: () => NOW });
    const report = decodeMessages('prediction', 'kafka', messages(64, new Set([5, 40, 41])), 1e6, {}, NOW);
    const result = await writer.submit(report.batch);
    await writer.close();
    expect(store.stored.predictions.map((r) => r.prediction_id)).toHaveLength(61);
    expect(store.stored.dead_letters).toEqual([5, 40, 41].map((i) => expect.objectContaining({
      source: 'kafka', topic: 'predictions', partition: 2, offset: String(100 + i),
      reason: 'ClickHouse refused the row: insert into predictions: ClickHouse error 25: DB::Exception: Cannot parse escape sequence: while reading row',
      payload: expect.stringContaining(`"bad-${i}"`),
    })));
    expect(result.refused.map((r) => r.origin.offset)).toEqual(['105', '140', '141']);
    expect(store.inserts()).toBeLessThan(40); // halving, not one insert per row
  });

  it('fills every insert to the batch size under the default backlog, a batch size above 50 000 rows included', async () => {
    expect([defaultMaxBacklogRows(1), defaultMaxBacklogRows(20_000), defaultMaxBacklogRows(60_000)]).toEqual([50_000, 50_000, 150_000]);
    const store = scriptedStore(() => false);
    const sizes: number[] = [];
    const insert = store.insert.bind(store);
    store.insert = async (table, rows) => {
      sizes.push(rows.length);
      await new Promise((r) => setTimeout(r, 5));
      return insert(table, rows);
    };
    const writer = new BatchWriter(store, { batchSize: 60_000, maxWaitMs: 60_000, now: () => NOW });
    const maxBacklog = defaultMaxBacklogRows(writer.batchSize);
    // KafkaIngest's fetch loop: submit each fetched batch, wait while the backlog is at its limit
    const chunk = messages(6_000, new Set());
    const stored: Array<Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) {
      stored.push(writer.submit(decodeMessages('prediction', 'kafka', chunk, 1e6, {}, NOW).batch));
      if (writer.backlog >= maxBacklog) await writer.backlogBelow(maxBacklog);
    }
    await writer.close(); // writes what is pending
    await Promise.all(stored);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(120_000);
    expect(sizes).toEqual([60_000, 60_000]); // a fixed limit of 50 000 cut them to 54 000 and the rest
  });

  it('retries only transient errors, and gives up on one that persists while ClickHouse answers', async () => {
    const store = scriptedStore((r) => r.prediction_id === 'bad-3');
    const timeout = () => toStoreError(new Error('Code: 159, e.displayText() = DB::Exception: Timeout exceeded'), 'insert into predictions');
    const writer = new BatchWriter(store, { batchSize: 10_000, maxWaitMs: 1, sleep: async () => undefined, maxAttemptsWhileUp: 3, now: () => NOW });
    store.failNext.push(timeout());
    await writer.submit(decodeMessages('prediction', 'kafka', messages(8, new Set([3])), 1e6, {}, NOW).batch);
    expect(store.stored.predictions).toHaveLength(7);
    // Always "timed out" while the server answers pings: after 3 attempts the batch is split, and the rows that
    // still fail alone are dead-lettered — the pipeline moves on.
    const stubborn = scriptedStore(() => false);
    const insert = stubborn.insert;
    stubborn.insert = async (table, rows) => {
      if (table === 'predictions') throw timeout();
      return insert(table, rows);
    };
    const w2 = new BatchWriter(stubborn, { batchSize: 10_000, maxWaitMs: 1, sleep: async () => undefined, maxAttemptsWhileUp: 3, now: () => NOW });
    await w2.submit(decodeMessages('prediction', 'kafka', messages(2, new Set()), 1e6, {}, NOW).batch);
    expect(stubborn.stored.dead_letters.map((d) => [d.offset, d.reason])).toEqual([
      ['100', expect.stringMatching(/^ClickHouse refused the row: .*error 159: DB::Exception: Timeout exceeded/)],
      ['101', expect.stringMatching(/error 159/)],
    ]);
  });

  it('does not retry a statement ClickHouse refuses whatever the rows, and tells the submitter', async () => {
    const store = scriptedStore(() => true, 60);
    const writer = new BatchWriter(store, { batchSize: 10_000, maxWaitMs: 1, sleep: async () => undefined, now: () => NOW });
    await expect(writer.submit(decodeMessages('prediction', 'kafka', messages(4, new Set()), 1e6, {}, NOW).batch)).rejects.toThrow(/ClickHouse refuses these writes.*error 60/);
    expect(store.inserts()).toBe(1);
  });

  it('stops retrying a ClickHouse that is down once the drain deadline set by retryFor passes', async () => {
    let clock = NOW;
    const down = scriptedStore(() => false, 25, false);
    down.insert = async () => {
      throw toStoreError(new Error('connect ECONNREFUSED'), 'insert');
    };
    const writer = new BatchWriter(down, { batchSize: 1, maxWaitMs: 1, retryMinMs: 1000, retryMaxMs: 1000, sleep: async (ms) => void (clock += ms), now: () => clock });
    const pending = writer.submit(decodeMessages('prediction', 'kafka', messages(1, new Set()), 1e6, {}, NOW).batch);
    writer.retryFor(10_000);
    await expect(pending).rejects.toThrow(/unavailable at shutdown/);
    expect(clock - NOW).toBeLessThanOrEqual(10_000);
  });

  it('a row without an origin (submitted directly) is still dead-lettered, as source store', async () => {
    const store = scriptedStore((r) => r.prediction_id === 'x');
    const writer = new BatchWriter(store, { batchSize: 10_000, maxWaitMs: 1, now: () => NOW });
    const row = { model: 'm', prediction_id: 'x' } as never;
    await writer.submit({ predictions: [row], labels: [], deadLetters: [] });
    expect(store.stored.dead_letters[0]).toMatchObject({ source: 'store', topic: 'predictions', partition: -1, offset: 'x' });
    expect(new StoreError('m', 'c', false).kind).toBe('data');
  });

  it('backlogBelow: goes on as soon as a write ends and brings the backlog under the limit, not once the caller\'s rows are stored', async () => {
    // a store whose inserts wait to be let through, one at a time
    const store = scriptedStore(() => false);
    const release: Array<() => void> = [];
    const insert = store.insert.bind(store);
    store.insert = async (table, rows) => {
      await new Promise<void>((r) => release.push(r));
      return insert(table, rows);
    };
    const writer = new BatchWriter(store, { batchSize: 3, maxWaitMs: 60_000, now: () => NOW });
    const rows = (from: number, n: number) => decodeMessages('prediction', 'kafka', messages(n, new Set()).map((m, i) => ({ ...m, offset: String(from + i) })), 1e6, {}, NOW).batch;
    const first = writer.submit(rows(0, 3)); // a full batch: written at once
    const second = writer.submit(rows(3, 3)); // queued behind it
    const third = writer.submit(rows(6, 2)); // pending: under the batch size, the timer is a minute off
    expect(writer.backlog).toBe(8);
    let wentOn = false;
    const below = writer.backlogBelow(6).then(() => (wentOn = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(wentOn).toBe(false);
    release.shift()!(); // the first write ends: 5 rows left, under 6, while the second is still being written
    await first;
    await below;
    expect(wentOn).toBe(true);
    expect(writer.backlog).toBe(5);
    await expect(writer.backlogBelow(6)).resolves.toBeUndefined(); // already under: at once
    // nothing being written and the rest pending: it is written now rather than when the timer fires
    release.shift()!();
    await second;
    expect(writer.backlog).toBe(2);
    const drained = writer.backlogBelow(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(release).toHaveLength(1);
    release.shift()!();
    await drained;
    await third;
    expect(store.stored.predictions).toHaveLength(8);
    await writer.close();
  });
});

/** scriptedStore taking encoded rows (RowBinary, read back by the table's layout): refuses a part holding a row
 *  `refuse` picks, records each row stored as its id. */
function encodedStore(refuse: (id: string) => boolean) {
  const store = scriptedStore(() => false);
  const ids: string[] = [];
  const parts: number[] = [];
  Object.assign(store, {
    async insertEncoded(table: string, chunk: Buffer[]) {
      const next = store.failNext.shift();
      if (next) throw next;
      const rows = readRowBinary(INSERT_LAYOUTS[table], Buffer.concat(chunk)).map((r) => String(r.prediction_id));
      if (rows.some(refuse)) throw toStoreError(new Error('Code: 27, e.displayText() = DB::Exception: Cannot parse input'), `insert into ${table}`);
      parts.push(chunk.length);
      ids.push(...rows);
    },
  });
  return { store, ids, parts };
}

describe('BatchWriter with encoded rows', () => {
  it('halves encoded rows across submissions down to the refused ones, dead-lettered with their message', async () => {
    const { store, ids, parts } = encodedStore((id) => id.startsWith('bad-'));
    const writer = new BatchWriter(store, { batchSize: 10_000, maxWaitMs: 5, now: () => NOW });
    expect(writer.takesRowBinary).toBe(true);
    const all = messages(64, new Set([5, 40, 41]));
    const first = decodeMessages('prediction', 'kafka', all.slice(0, 30), 1e6, { rowBinary: writer.takesRowBinary }, NOW);
    const second = decodeMessages('prediction', 'kafka', [...all.slice(30), { value: '{', topic: 'predictions', partition: 2, offset: '999' }], 1e6, { rowBinary: writer.takesRowBinary }, NOW);
    expect(first.batch.predictions).toEqual([]);
    const [a, b] = await Promise.all([writer.submit(first.batch), writer.submit(second.batch)]);
    await writer.close();
    expect(ids.sort()).toEqual(all.map((_, i) => `p-${i}`).filter((id) => !['p-5', 'p-40', 'p-41'].includes(id)).sort());
    expect(parts.some((n) => n > 1)).toBe(true); // a chunk spanning both submissions went as one insert of two parts
    expect(store.stored.dead_letters.map((d) => [d.offset, d.source, d.topic, d.partition, d.reason])).toEqual([
      ['999', 'kafka', 'predictions', 2, expect.stringMatching(/^not JSON: /)],
      ...[5, 40, 41].map((i) => [String(100 + i), 'kafka', 'predictions', 2, 'ClickHouse refused the row: insert into predictions: ClickHouse error 27: DB::Exception: Cannot parse input']),
    ]);
    expect(store.stored.dead_letters[1].payload).toBe(all[5].value);
    expect(a.refused.map((r) => r.origin.offset)).toEqual(['105']);
    expect(b.refused.map((r) => r.origin.offset)).toEqual(['140', '141']);
  });

  it('retries a transient failure without storing a row twice, and tells the submitters of a refused statement', async () => {
    const { store, ids } = encodedStore(() => false);
    const writer = new BatchWriter(store, { batchSize: 10_000, maxWaitMs: 1, sleep: async () => undefined, now: () => NOW });
    store.failNext.push(toStoreError(new Error('connect ECONNREFUSED 127.0.0.1:8123'), 'insert'));
    await writer.submit(decodeMessages('prediction', 'kafka', messages(8, new Set()), 1e6, { rowBinary: writer.takesRowBinary }, NOW).batch);
    expect(ids).toEqual(messages(8, new Set()).map((_, i) => `p-${i}`));
    store.failNext.push(toStoreError(new Error('Code: 60, e.displayText() = DB::Exception: Table does not exist'), 'insert'));
    await expect(writer.submit(decodeMessages('prediction', 'kafka', messages(2, new Set()), 1e6, { rowBinary: writer.takesRowBinary }, NOW).batch)).rejects.toThrow(/refuses these writes/);
    expect(ids).toHaveLength(8);
  });
});
