// Retention by dropping whole partitions older than the cut-off (ClickHouse 18.16 has no TTL); on a cluster, from
// every shard's local tables, ON CLUSTER (the Distributed table holds no data).
import type { Store } from './client.js';
import { RETAINED_TABLES } from './migrations.js';
import { ident, sqlString } from './sql.js';
import { LOCAL_SUFFIX } from './cluster.js';

/** Partition ids (YYYYMMDD or YYYYMM) strictly older than the cut-off day. */
export function expiredPartitions(partitions: string[], granularity: 'day' | 'month', cutoffMs: number): string[] {
  const d = new Date(cutoffMs);
  const day = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  const month = Math.floor(day / 100);
  return partitions.filter((p) => /^\d+$/.test(p) && Number(p) < (granularity === 'day' ? day : month));
}

export async function applyRetention(store: Store, retentionDays: number, nowMs: number): Promise<Array<{ table: string; partition: string }>> {
  const cutoff = nowMs - retentionDays * 86_400_000;
  const dropped: Array<{ table: string; partition: string }> = [];
  for (const [table, granularity] of Object.entries(RETAINED_TABLES)) {
    const { parts, local, onCluster } = where(store, table);
    const rows = await store.query<{ partition: string }>(
      `SELECT DISTINCT partition FROM ${parts} WHERE database = ${sqlString(store.database)} AND table = ${sqlString(local)} AND active`,
    );
    for (const partition of expiredPartitions(rows.map((r) => String(r.partition).replace(/'/g, '')), granularity, cutoff)) {
      await store.command(`ALTER TABLE ${ident(store.database)}.${ident(local)}${onCluster} DROP PARTITION ${Number(partition)}`);
      dropped.push({ table, partition });
    }
  }
  return dropped;
}

/** Where a table's data lives: on a cluster, every shard's local table (its parts listed across the cluster). */
function where(store: Store, table: string): { parts: string; local: string; onCluster: string } {
  if (!store.cluster) return { parts: 'system.parts', local: table, onCluster: '' };
  const cluster = ident(store.cluster.name);
  return { parts: `cluster(${cluster}, system.parts)`, local: `${table}${LOCAL_SUFFIX}`, onCluster: ` ON CLUSTER ${cluster}` };
}
