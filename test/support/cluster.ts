// A loopback ClickHouse cluster for one test file (src/local/cluster.ts: ZooKeeper + 2 shards × 2 replicas of
// Debian's clickhouse-server 18.16, ~2 s to start) and stores that talk to it as driftwatch does with
// DRIFTWATCH_CLICKHOUSE_CLUSTER set.
import { DEFAULTS } from '../../src/config/index.js';
import type { LocalCluster } from '../../src/local/cluster.js';
import { createStore, migrate, type Store } from '../../src/store/index.js';
import { uniqueName } from './services.js';

export const REPLICA_PATH = DEFAULTS.clickhouse.replicaPath;

/** A store on `database` through one of the cluster's servers (default: shard 1, replica 1). */
export function clusterStore(cluster: LocalCluster, database: string, url = cluster.node(1, 1).url): Store {
  return createStore({ url, database, cluster: { name: cluster.name, replicaPath: REPLICA_PATH }, requestTimeoutMs: 60_000 });
}

/** A database of its own on the cluster, migrated as `driftwatch migrate` does. */
export async function freshClusterStore(cluster: LocalCluster, prefix = 'cluster'): Promise<Store> {
  const database = uniqueName(prefix);
  const admin = clusterStore(cluster, 'default');
  const store = clusterStore(cluster, database);
  await migrate(admin, store, new Date());
  await admin.close();
  return store;
}

/** Rows of `sql` on each server, by "shard.replica" (what a local table holds there). */
export async function perNode(cluster: LocalCluster, database: string, sql: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of cluster.nodes.filter((x) => x.running)) {
    const store = createStore({ url: n.url, database });
    out[`${n.shard}.${n.replica}`] = JSON.stringify(await store.query(sql));
    await store.close();
  }
  return out;
}

/** Waits until every running replica has fetched what the others wrote (SYSTEM SYNC REPLICA). */
export async function syncReplicas(cluster: LocalCluster, database: string, tables: string[]): Promise<void> {
  for (const n of cluster.nodes.filter((x) => x.running)) {
    const store = createStore({ url: n.url, database, requestTimeoutMs: 120_000 });
    for (const t of tables) await store.command(`SYSTEM SYNC REPLICA ${database}.${t}_local`);
    await store.close();
  }
}
