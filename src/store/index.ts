// ClickHouse storage: client, SQL literals, migrations, retention, and the writers/readers of each table.
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { loadConfig } from '../config/index.js';
import { createStore, type Store } from './client.js';

export { createStore, embeddedPath, type Store, type StoreEngine, type StoreOptions } from './client.js';
export { EmbeddedUnavailableError } from './embedded.js';
export { StoreError, toStoreError, kindOfCode, type StoreErrorKind } from './errors.js';
export { ident, sqlString, sqlValue, sqlFloat, sqlDateTime } from './sql.js';
export { migrate, MIGRATIONS, type MigrationReport } from './migrations.js';
export { applyRetention, expiredPartitions } from './retention.js';
export { clusterForm, clusterState, type ClusterSpec, type ShardState } from './cluster.js';

export function storeFromConfig(config: Config, database = config.clickhouse.database): Store {
  return createStore({
    url: storeLocation(config),
    database,
    user: config.clickhouse.user,
    password: config.clickhouse.password,
    requestTimeoutMs: config.clickhouse.requestTimeoutMs,
    ...(config.clickhouse.cluster ? { cluster: { name: config.clickhouse.cluster, replicaPath: config.clickhouse.replicaPath } } : {}),
    ...(config.clickhouse.embeddedMemoryMb > 0 ? { memoryLimitBytes: config.clickhouse.embeddedMemoryMb * 2 ** 20 } : {}),
  });
}

/** The configured URL, with plain `embedded` placed under the data directory. */
export function storeLocation(config: Config): string {
  return config.clickhouse.url === 'embedded' ? `embedded:${join(config.dataDir, 'clickhouse')}` : config.clickhouse.url;
}

/** The store an operator configured through DRIFTWATCH_* variables. */
export function openStore(env: NodeJS.ProcessEnv, configFile?: string): Store {
  return storeFromConfig(loadConfig(env, configFile));
}
