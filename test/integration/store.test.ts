import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { totalmem } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultEmbeddedMemoryBytes } from '../../src/store/embedded.js';
import { decodePrediction } from '../../src/ingest/decode.js';
import { predictionRow } from '../../src/ingest/rows.js';
import { createStore, migrate, sqlString, applyRetention, MIGRATIONS, type Store } from '../../src/store/index.js';
import { clickhouseUrl, engine, uniqueName } from '../support/services.js';

describe('store on a real ClickHouse', () => {
  let store: Store;
  let admin: Store;
  beforeAll(async () => {
    admin = createStore({ url: clickhouseUrl(), database: 'default' });
    store = createStore({ url: clickhouseUrl(), database: uniqueName('store') });
  });
  afterAll(async () => {
    await store.close();
    await admin.close();
  });

  it('migrates once, records versions, and is idempotent', async () => {
    const first = await migrate(admin, store, new Date());
    const versions = MIGRATIONS.map((m) => m.version);
    expect(first.applied.map((m) => m.version)).toEqual(versions);
    const second = await migrate(admin, store, new Date());
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(versions);
    const tables = (await store.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = ${sqlString(store.database)} ORDER BY name`)).map((r) => r.name);
    expect(tables).toEqual(['alert_events', 'baselines', 'dead_letters', 'drift_results', 'evaluations', 'gpu_samples', 'labels', 'nccl_collectives', 'predictions', 'schema_migrations', 'shared_state']);
  });

  it('several migrators at once always succeed and end with one schema', async () => {
    const columns = async (s: Store) => (await s.query<{ t: string; c: string }>(
      `SELECT table AS t, name AS c FROM system.columns WHERE database = ${sqlString(s.database)} ORDER BY t, c`)).map((r) => `${r.t}.${r.c}`);
    const expected = await columns(store);
    // in-process: 5 clients race on one fresh database, 6 rounds (embedded: they queue, migrations.ts)
    for (let round = 0; round < 6; round++) {
      const database = uniqueName('race');
      const stores = Array.from({ length: 5 }, () => createStore({ url: clickhouseUrl(), database }));
      try {
        await Promise.all(stores.map((s) => migrate(admin, s, new Date())));
        expect(await columns(stores[0])).toEqual(expected);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    }
    // as an operator runs it: 3 `driftwatch migrate` processes at once (a server's: an embedded engine has one process)
    if (engine() === 'embedded') return;
    const bin = resolve(__dirname, '../../bin/driftwatch.js');
    const database = uniqueName('race_cli');
    const env = { ...process.env, DRIFTWATCH_CLICKHOUSE_URL: clickhouseUrl(), DRIFTWATCH_CLICKHOUSE_DATABASE: database };
    await Promise.all([0, 1, 2].map(() => promisify(execFile)(process.execPath, [bin, 'migrate'], { env })));
    const migrated = createStore({ url: clickhouseUrl(), database });
    try {
      expect(await columns(migrated)).toEqual(expected);
    } finally {
      await migrated.close();
    }
  });

  it('adds the name layout to a table that already holds predictions: old rows get it on read, equal to new rows', async () => {
    const older = createStore({ url: clickhouseUrl(), database: uniqueName('layout') });
    try {
      await migrate(admin, older, new Date(), MIGRATIONS.filter((m) => m.version < 5));
      const row = (id: string, names: string[]) => predictionRow(decodePrediction({ model: 'm', prediction_id: id, timestamp: 0, features: Object.fromEntries(names.map((n) => [n, 1])) }), 0);
      await older.insert('predictions', [row('old-ab', ['a', 'b']), row('old-ba', ['b', 'a'])] as unknown as Record<string, unknown>[]);
      const again = await migrate(admin, older, new Date(), MIGRATIONS.filter((m) => m.version <= 5));
      expect(again.applied.map((m) => m.version)).toEqual([5]);
      await older.insert('predictions', [row('new-ab', ['a', 'b'])] as unknown as Record<string, unknown>[]);
      const rows = await older.query<{ prediction_id: string; h: string }>('SELECT prediction_id, toString(name_layout) AS h FROM predictions ORDER BY prediction_id');
      const h = Object.fromEntries(rows.map((r) => [r.prediction_id, r.h]));
      expect(h['old-ab']).toBe(h['new-ab']);
      expect(h['old-ba']).not.toBe(h['old-ab']);
      // the column step is safe to repeat even when the migration was not recorded (a crash between the two)
      const replay = MIGRATIONS.filter((m) => m.version === 5).map((m) => ({ ...m, version: 99 }));
      await expect(migrate(admin, older, new Date(), replay)).resolves.toMatchObject({ applied: [{ version: 99 }] });
    } finally {
      await older.close();
    }
  });

  it('round-trips hostile strings through the escaping function', async () => {
    const nasty = "a'b\\c\nd\0e'); DROP TABLE predictions; --\u{1F600}";
    const [row] = await store.query<{ s: string }>(`SELECT ${sqlString(nasty)} AS s`);
    expect(row.s).toBe(nasty);
  });

  it('keeps the server error code and says whether a retry can help', async () => {
    await expect(store.query('SELECT no_such_column FROM predictions')).rejects.toMatchObject({ code: 'clickhouse_47', retryable: false });
    const down = createStore({ url: 'http://127.0.0.1:1', database: 'x', requestTimeoutMs: 2000 });
    await expect(down.query('SELECT 1')).rejects.toMatchObject({ code: 'clickhouse_unavailable', retryable: true });
  });

  it('returns 64-bit integers as exact strings on every version (26 would send lossy JSON numbers)', async () => {
    const [row] = await store.query<{ big: unknown; small: unknown }>('SELECT toUInt64(18446744073709551615) AS big, toInt64(-9007199254740993) AS small');
    expect(row).toEqual({ big: '18446744073709551615', small: '-9007199254740993' });
  });

  it('honours the timeout: a statement running past it fails in time, as retryable', async () => {
    const hasty = createStore({ url: clickhouseUrl(), database: store.database, requestTimeoutMs: 1000 });
    const began = Date.now();
    try {
      await expect(hasty.query('SELECT count() AS c FROM system.numbers WHERE sipHash64(number) = 0')).rejects.toMatchObject({ retryable: true });
      expect(Date.now() - began).toBeLessThan(4000);
    } finally {
      await hasty.close();
    }
  });

  (engine() === 'embedded' ? it : it.skip)('caps the embedded engine\'s memory (it would take up to 90 % of RAM)', async () => {
    const dir = clickhouseUrl(); // this process's engine: opened by the suite with the default cap
    const [row] = await store.query<{ value: string }>("SELECT value FROM system.server_settings WHERE name = 'max_server_memory_usage'");
    expect(dir.startsWith('embedded:')).toBe(true);
    expect(Number(row.value)).toBe(defaultEmbeddedMemoryBytes());
    expect(Number(row.value)).toBeLessThan(totalmem() * 0.9);
  });

  it('drops expired partitions and keeps recent ones', async () => {
    const now = Date.UTC(2026, 10, 24);
    const day = 86_400_000;
    const row = (ms: number) => ({ received_at: Math.floor(ms / 1000), source: 'test', topic: 't', partition: 0, offset: '0', reason: 'r', payload: '' });
    await store.insert('dead_letters', [row(now - 40 * day), row(now - 31 * day), row(now - 2 * day), row(now)]);
    const dropped = await applyRetention(store, 30, now);
    expect(dropped.filter((d) => d.table === 'dead_letters')).toHaveLength(2);
    const [{ c }] = await store.query<{ c: string }>('SELECT count() AS c FROM dead_letters');
    expect(Number(c)).toBe(2);
  });
});
