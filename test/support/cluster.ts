// A loopback ClickHouse cluster for one test file (src/local/cluster.ts: ZooKeeper + 2 shards × 2 replicas of
// Debian's clickhouse-server 18.16, ~2 s to start) and stores that talk to it as driftwatch does with
// DRIFTWATCH_CLICKHOUSE_CLUSTER set.
import { DEFAULTS } from '../../src/config/index.js';
import { startCluster, type LocalCluster } from '../../src/local/cluster.js';
import { createStore, migrate, type Store } from '../../src/store/index.js';
import { uniqueName } from './services.js';

export const REPLICA_PATH = DEFAULTS.clickhouse.replicaPath;

/**
 * A started cluster whose servers have each created replicated tables once. ClickHouse 18.16 can crash (SIGSEGV in
 * zkutil::ZooKeeper::createImpl) on the first ON CLUSTER CREATEs after it starts, seen on CI and here about one start
 * in fifteen under load, never later: a throw-away migration takes that first step, and a server that dies in it is
 * restarted (up to three times; the starter prints each crash with its error log).
 */
export async function startWarmCluster(): Promise<LocalCluster> {
  const cluster = await startCluster();
  try {
    for (let attempt = 1; ; attempt++) {
      const admin = clusterStore(cluster, 'default');
      const store = clusterStore(cluster, uniqueName('warmup'));
      try {
        await migrate(admin, store, new Date());
        return cluster;
      } catch (error) {
        await new Promise((r) => setTimeout(r, 1000)); // the exit event may trail the refused connection
        if (attempt === 3 || cluster.nodes.every((n) => n.running)) throw error;
        await Promise.all(cluster.nodes.filter((n) => !n.running).map((n) => n.start()));
      } finally {
        await Promise.all([admin.close(), store.close()]);
      }
    }
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

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

/**
 * Runs `body`; when it failed because a server of the cluster died under it (ClickHouse 18.16 has crashed on CI under
 * load; the starter prints the crash and its error log on stderr), restarts the dead servers and runs it once more.
 * A failure without a crash fails at once, and so does a second failure.
 */
export async function onceMoreIfCrashed<T>(cluster: LocalCluster, body: () => Promise<T>): Promise<T> {
  const before = cluster.crashes().length;
  try {
    return await body();
  } catch (error) {
    await new Promise((r) => setTimeout(r, 1000)); // the exit event may trail the refused connection
    const crashes = cluster.crashes().slice(before);
    if (crashes.length === 0) throw error;
    if (crashes.some((c) => c.process === 'ZooKeeper')) throw error;
    process.stderr.write(`cluster test: ${crashes.map((c) => `${c.process} (${c.exit})`).join(', ')} died during the test (${String(error)}); restarted, running it once more\n`);
    await Promise.all(cluster.nodes.filter((n) => !n.running).map((n) => n.start()));
    return body();
  }
}
