// ClickHouse storage: client, SQL literals, migrations, retention, and the writers/readers of each table.
import type { Config } from '../config/index.js';
import { loadConfig } from '../config/index.js';
import { createStore, type Store } from './client.js';

export { createStore, type Store, type StoreOptions } from './client.js';
export { StoreError, toStoreError, kindOfCode, type StoreErrorKind } from './errors.js';
export { ident, sqlString, sqlValue, sqlFloat, sqlDateTime } from './sql.js';
export { migrate, MIGRATIONS, type MigrationReport } from './migrations.js';
export { applyRetention, expiredPartitions } from './retention.js';

export function storeFromConfig(config: Config, database = config.clickhouse.database): Store {
  return createStore({
    url: config.clickhouse.url,
    database,
    user: config.clickhouse.user,
    password: config.clickhouse.password,
    requestTimeoutMs: config.clickhouse.requestTimeoutMs,
  });
}

/** The store an operator configured through DRIFTWATCH_* variables. */
export function openStore(env: NodeJS.ProcessEnv, configFile?: string): Store {
  return storeFromConfig(loadConfig(env, configFile));
}
