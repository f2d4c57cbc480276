// driftwatch on a ClickHouse cluster (DRIFTWATCH_CLICKHOUSE_CLUSTER): every table of a migration becomes a replicated
// local table `<name>_local` on each shard and a Distributed table `<name>` over them, both created ON CLUSTER, so
// users, dashboards and every query of driftwatch read and write the names they always did. The transform is
// generic: a later migration gets its cluster form without writing one.
//
// Where rows land: predictions and labels by cityHash64(prediction_id), so a prediction, its redelivered duplicates
// and its labels share a shard — FINAL (applied per shard), the duplicate check and the labels JOIN (each shard joins
// its own local tables, distributed_product_mode = local) give what one server gives. Other tables by a hash of
// their ORDER BY key, so the rows ReplacingMergeTree collapses meet too.
import type { ClickHouseClient } from '@clickhouse/client';
import { InputError } from '../domain/index.js';
import type { Store } from './client.js';
import type { MigrationStatement } from './migrations.js';
import { ident, sqlString } from './sql.js';

export interface ClusterSpec {
  /** the cluster's name in the servers' <remote_servers> */
  name: string;
  /** ZooKeeper path of each replicated table: {database}, {table} filled here, {shard} (and any macro) by the server */
  replicaPath: string;
}

/** Settings of every query on a cluster (client-side: no server profile needs changing). */
export const CLUSTER_SETTINGS = {
  // a JOIN or IN over Distributed tables reads each shard's local tables: labels meet their predictions on their shard
  distributed_product_mode: 'local',
  // an insert returns once every shard holds its rows: the writer's "stored" stays true, a shard down is an error it retries
  insert_distributed_sync: 1,
  // each shard's first live replica for reads and writes: a read sees what this process just wrote
  load_balancing: 'in_order',
} as const;

export const LOCAL_SUFFIX = '_local';

/** Sharding keys that co-locate rows queries combine; tables not named here shard by a hash of their ORDER BY key. */
export const SHARDING_KEYS: Record<string, string> = {
  predictions: 'cityHash64(prediction_id)',
  labels: 'cityHash64(prediction_id)',
};

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const CREATE = new RegExp(
  `^\\s*CREATE TABLE IF NOT EXISTS\\s+(${NAME})\\s*\\(([\\s\\S]*)\\)\\s*ENGINE\\s*=\\s*(${NAME}MergeTree|MergeTree)(?:\\s*\\(([^()]*)\\))?([\\s\\S]*)$`,
);
const ALTER = new RegExp(`^\\s*ALTER TABLE\\s+(${NAME})\\s+([\\s\\S]+)$`);
const DROP = new RegExp(`^\\s*DROP TABLE IF EXISTS\\s+(${NAME})\\s*$`);
const COLUMN_CHANGE = /^\s*(ADD|DROP|MODIFY|COMMENT|CLEAR)\s+COLUMN\b/i;

/** A statement has no cluster form (the transform does not know it): migrate stops rather than guess. */
export class ClusterFormError extends InputError {}

/**
 * One step of a migration on a cluster: a command, a column added where the table lacks it (ON CLUSTER), or the
 * Distributed table made to match the columns of its local table (`distributedOver`: 18.16 refuses ALTER ON CLUSTER
 * of a table that is not replicated on a cluster whose shards are, so it is created again: it holds no rows, inserts
 * being synchronous).
 */
export type ClusterStep = string | { table: string; addColumn: string; definition: string; cluster?: string } | { distributedOver: string };

/** The cluster form of one migration statement, in the order it must run. */
export function clusterForm(statement: MigrationStatement, spec: ClusterSpec, database: string): ClusterStep[] {
  const cluster = ident(spec.name);
  const db = ident(database);
  if (typeof statement !== 'string') {
    const table = ident(statement.table);
    return [{ table: `${table}${LOCAL_SUFFIX}`, addColumn: statement.addColumn, definition: statement.definition, cluster }, { distributedOver: table }];
  }
  const create = CREATE.exec(statement);
  if (create) {
    const [, table, columns, engine, args, rest] = create;
    const local = `${table}${LOCAL_SUFFIX}`;
    const replicated = [sqlString(replicaPath(spec, db, local)), "'{replica}'", ...(args?.trim() ? [args.trim()] : [])].join(', ');
    return [
      `CREATE TABLE IF NOT EXISTS ${db}.${local} ON CLUSTER ${cluster} (${columns}) ENGINE = Replicated${engine}(${replicated})${rest}`,
      `CREATE TABLE IF NOT EXISTS ${db}.${table} ON CLUSTER ${cluster} (${throughDistributed(columns)}) ENGINE = Distributed(${cluster}, ${db}, ${local}, ${shardingKey(table, rest)})`,
    ];
  }
  const alter = ALTER.exec(statement);
  if (alter) {
    const [, table, change] = alter;
    const local = `ALTER TABLE ${db}.${table}${LOCAL_SUFFIX} ON CLUSTER ${cluster} ${change}`;
    // a column exists on both tables; partitions and mutations only on the local one
    return COLUMN_CHANGE.test(change) ? [local, { distributedOver: table }] : [local];
  }
  const drop = DROP.exec(statement);
  if (drop) {
    const table = drop[1];
    return [`DROP TABLE IF EXISTS ${db}.${table} ON CLUSTER ${cluster}`, `DROP TABLE IF EXISTS ${db}.${table}${LOCAL_SUFFIX} ON CLUSTER ${cluster}`];
  }
  throw new ClusterFormError(`no cluster form for this migration statement (CREATE TABLE … MergeTree, ALTER TABLE, DROP TABLE are known): ${statement.trim().slice(0, 120)}`);
}

/**
 * Refuses a database that already holds tables of another layout (a single server's, made without the cluster
 * variable): CREATE … IF NOT EXISTS would skip them silently and leave rows on one server.
 */
export async function checkClusterLayout(store: Store): Promise<void> {
  const others = await store.query<{ name: string; engine: string }>(
    `SELECT name, engine FROM system.tables WHERE database = ${sqlString(store.database)} AND engine != 'Distributed' AND NOT endsWith(name, ${sqlString(LOCAL_SUFFIX)})`,
  );
  if (others.length) {
    throw new InputError(`database ${store.database} holds tables that are not on the cluster (${others.slice(0, 3).map((t) => `${t.name}: ${t.engine}`).join(', ')}): migrate a new database with DRIFTWATCH_CLICKHOUSE_CLUSTER, and copy old rows into it (INSERT … SELECT)`);
  }
}

/** `CREATE DATABASE` on every server of the cluster. */
export function createDatabaseOnCluster(spec: ClusterSpec, database: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${ident(database)} ON CLUSTER ${ident(spec.name)}`;
}

/**
 * A column as the Distributed table declares it. MATERIALIZED becomes ALIAS: ClickHouse 18.16 computes a
 * Distributed table's MATERIALIZED column and forwards it, which every shard refuses (code 44); an ALIAS is never
 * written, each shard's local table computes its MATERIALIZED value, and a read of the name is sent to the shards
 * as the column itself (the stored value is read, not recomputed).
 */
export function throughDistributed(columns: string): string {
  return columns.replace(/\bMATERIALIZED\b/g, 'ALIAS');
}

/** Creates the Distributed table `table` again, ON CLUSTER, when its columns differ from its local table's. */
export async function matchDistributed(store: Store, table: string): Promise<void> {
  if (!store.cluster) throw new InputError('matchDistributed needs a store on a cluster');
  const db = ident(store.database);
  const cluster = ident(store.cluster.name);
  const columns = async (name: string) => (await store.query<{ name: string; type: string; default_kind: string; default_expression: string }>(
    `SELECT name, type, default_kind, default_expression FROM system.columns WHERE database = ${sqlString(db)} AND table = ${sqlString(name)}`,
  )).map((c) => `${ident(c.name)} ${c.type}${c.default_kind ? ` ${c.default_kind} ${c.default_expression}` : ''}`).join(', ');
  const local = `${ident(table)}${LOCAL_SUFFIX}`;
  const wanted = throughDistributed(await columns(local));
  if ((await columns(table)) === wanted) return;
  // the sharding key from the local table (never dropped), so a run cut short between DROP and CREATE can resume;
  // two processes at once end with a CREATE either way (the DDL queue is one order)
  const [shown] = await store.query<{ statement: string }>(`SHOW CREATE TABLE ${db}.${local}`);
  const engine = `ENGINE = Distributed(${cluster}, ${db}, ${local}, ${shardingKey(table, shown?.statement ?? '')})`;
  await store.command(`DROP TABLE IF EXISTS ${db}.${ident(table)} ON CLUSTER ${cluster}`);
  await store.command(`CREATE TABLE IF NOT EXISTS ${db}.${ident(table)} ON CLUSTER ${cluster} (${wanted}) ${engine}`);
}

function replicaPath(spec: ClusterSpec, database: string, table: string): string {
  const path = spec.replicaPath.replaceAll('{database}', database).replaceAll('{table}', table);
  if (!/^\/[A-Za-z0-9_/{}.-]*$/.test(path)) throw new InputError(`invalid replica path "${path.slice(0, 100)}"`);
  return path;
}

function shardingKey(table: string, rest: string): string {
  if (SHARDING_KEYS[table]) return SHARDING_KEYS[table];
  const order = /ORDER BY\s+(?:\(([^()]*)\)|([A-Za-z_][A-Za-z0-9_]*))/.exec(rest);
  if (!order) throw new ClusterFormError(`table ${table}: no ORDER BY to shard by (name a key in SHARDING_KEYS)`);
  return `cityHash64(${(order[1] ?? order[2]).trim()})`;
}

/** Whether every shard of the cluster has a replica that answers (one query through the server the client talks to). */
export async function clusterAnswers(client: ClickHouseClient, spec: ClusterSpec): Promise<boolean> {
  return client.query({ query: `SELECT count() AS n FROM cluster(${ident(spec.name)}, system.one)`, format: 'JSONEachRow' })
    .then((rs) => rs.json()).then(() => true, () => false);
}

export interface ShardState {
  shard: number;
  /** whether at least one replica answers (reads and writes of this shard can go on) */
  up: boolean;
  replicas: Array<{ replica: number; host: string; port: number; up: boolean }>;
}

/** Each shard's replicas and whether they answer, asked through the server this store talks to. */
export async function clusterState(store: Store, timeoutSeconds = 2): Promise<ShardState[]> {
  if (!store.cluster) return [];
  const rows = await store.query<{ shard_num: number; replica_num: number; host_name: string; port: number }>(
    `SELECT shard_num, replica_num, host_name, port FROM system.clusters WHERE cluster = ${sqlString(store.cluster.name)} ORDER BY shard_num, replica_num`,
  );
  const replicas = await Promise.all(rows.map(async (r) => {
    const host = String(r.host_name);
    const address = `${host.includes(':') ? `[${host}]` : host}:${Number(r.port)}`;
    const up = await store.query(
      `SELECT 1 FROM remote(${sqlString(address)}, system.one) SETTINGS connect_timeout = ${timeoutSeconds}, connections_with_failover_max_tries = 1`,
    ).then(() => true, () => false);
    return { shard: Number(r.shard_num), replica: Number(r.replica_num), host, port: Number(r.port), up };
  }));
  const shards = new Map<number, ShardState>();
  for (const r of replicas) {
    const s = shards.get(r.shard) ?? { shard: r.shard, up: false, replicas: [] };
    s.replicas.push({ replica: r.replica, host: r.host, port: r.port, up: r.up });
    s.up ||= r.up;
    shards.set(r.shard, s);
  }
  return [...shards.values()];
}
