// Faults of a real ClickHouse cluster (ZooKeeper + 2 shards × 2 replicas of 18.16 on loopback, src/local/cluster.ts)
// under driftwatch's own writer: a replica killed (SIGKILL) during ingest loses and doubles nothing and reads go on;
// a whole shard down makes ingest wait with the batch held, then resume without loss; ping and the shard state
// (/readyz) say which shard and replica is down. Server project only: a cluster of ClickHouse 26 cannot run here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter } from '../../src/ingest/writer.js';
import type { LabelRow, PredictionRow } from '../../src/ingest/rows.js';
import type { LocalCluster } from '../../src/local/cluster.js';
import { clusterState, type Store } from '../../src/store/index.js';
import { freshClusterStore, perNode, startWarmCluster, syncReplicas } from '../support/cluster.js';
import { engine } from '../support/services.js';

const T0 = Date.UTC(2026, 3, 1, 9);

function batch(from: number, n: number): { predictions: PredictionRow[]; labels: LabelRow[]; deadLetters: [] } {
  const predictions = Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const ts = T0 + i * 100;
    return {
      model: 'm', model_version: '1', prediction_id: `f-${i}`, ts: Math.floor(ts / 1000), ts_ms: ts,
      num_names: ['x'], num_values: [i % 97], cat_names: [], cat_values: [], missing_names: [],
      prediction_num: (i % 10) / 10, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000),
    } as PredictionRow;
  });
  const labels = predictions.filter((_, k) => k % 4 === 0).map((p) => ({
    model: 'm', prediction_id: p.prediction_id, label_num: 1, label_str: null, ts: p.ts, ts_ms: p.ts_ms, ingested_at: p.ts,
  }) as LabelRow);
  return { predictions, labels, deadLetters: [] };
}

async function counts(store: Store): Promise<{ rows: number; distinct: number; labels: number; dead: number }> {
  const [p] = await store.query<{ rows: string; distinct: string }>('SELECT count() AS rows, uniqExact(prediction_id) AS distinct FROM predictions FINAL');
  const [l] = await store.query<{ n: string }>('SELECT count() AS n FROM labels FINAL');
  const [d] = await store.query<{ n: string }>('SELECT count() AS n FROM dead_letters');
  return { rows: Number(p.rows), distinct: Number(p.distinct), labels: Number(l.n), dead: Number(d.n) };
}

(engine() === 'server' ? describe : describe.skip)('a ClickHouse cluster under faults (2 shards × 2 replicas of 18.16)', () => {
  let cluster: LocalCluster;
  let store: Store;
  let writer: BatchWriter;
  beforeAll(async () => {
    cluster = await startWarmCluster();
    store = await freshClusterStore(cluster, 'faults');
    writer = new BatchWriter(store, { batchSize: 400, maxWaitMs: 20, retryMinMs: 50, retryMaxMs: 500 });
  });
  afterAll(async () => {
    await writer?.close(1000).catch(() => undefined);
    await store?.close();
    await cluster?.stop();
  });

  it('a replica killed during ingest: every row stored once, reads go on, the replica catches up when back', async () => {
    const submitted: Array<Promise<unknown>> = [];
    for (let b = 0; b < 12; b++) {
      submitted.push(writer.submit(batch(b * 400, 400)));
      if (b === 4) await cluster.node(2, 1).kill(); // the replica shard 2's writes go to (in_order), writes in flight
    }
    const results = await Promise.all(submitted);
    expect(results.every((r) => (r as { refused: unknown[] }).refused.length === 0)).toBe(true);
    // reads go on through the other replica; rows only the killed one had fetched wait for it (replication is
    // asynchronous unless the servers' profile sets insert_quorum), and nothing is counted twice
    const during = await counts(store);
    expect(during.rows).toBeGreaterThan(2400);
    expect(during.rows).toBeLessThanOrEqual(4800);
    expect(during.distinct).toBe(during.rows);
    expect((await clusterState(store)).map((s) => [s.shard, s.up, s.replicas.map((r) => r.up)])).toEqual([[1, true, [true, true]], [2, true, [false, true]]]);
    expect(await store.ping()).toBe(true);

    await cluster.node(2, 1).start();
    await syncReplicas(cluster, store.database, ['predictions', 'labels']);
    expect(await counts(store)).toEqual({ rows: 4800, distinct: 4800, labels: 1200, dead: 0 });
    const shards = await perNode(cluster, store.database, 'SELECT count() AS n, uniqExact(prediction_id) AS u FROM predictions_local FINAL');
    expect(shards['2.1']).toBe(shards['2.2']);
    expect(shards['1.1']).toBe(shards['1.2']);
  });

  it('a whole shard down: ingest waits holding its batch, /readyz says which shard, and it resumes without loss', async () => {
    await cluster.node(2, 1).kill();
    await cluster.node(2, 2).kill();
    expect(await store.ping()).toBe(false);
    expect((await clusterState(store)).map((s) => [s.shard, s.up, s.replicas.map((r) => r.up)])).toEqual([[1, true, [true, true]], [2, false, [false, false]]]);

    let stored = false;
    const waiting = writer.submit(batch(10_000, 400)).then((r) => ((stored = true), r));
    await new Promise((r) => setTimeout(r, 3000));
    expect(stored).toBe(false);
    expect(writer.backlog).toBe(500); // the batch held, nothing more: the submitter waits
    await Promise.all([cluster.node(2, 1).start(), cluster.node(2, 2).start()]);
    expect((await waiting).refused).toEqual([]);
    await syncReplicas(cluster, store.database, ['predictions', 'labels']);
    expect(await counts(store)).toEqual({ rows: 5200, distinct: 5200, labels: 1300, dead: 0 });
    expect((await clusterState(store)).every((s) => s.up)).toBe(true);
  });
});
