// ClickHouse access for everything else: insert rows, run queries, run DDL. Errors keep the server's code.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { toStoreError } from './errors.js';
import { ident } from './sql.js';

export { StoreError, toStoreError } from './errors.js';

export interface Store {
  readonly database: string;
  insert(table: string, rows: Record<string, unknown>[]): Promise<void>;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  command(sql: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoreOptions {
  url: string;
  database: string;
  user?: string;
  password?: string;
  requestTimeoutMs?: number;
}

export function createStore(options: StoreOptions): Store {
  const database = ident(options.database);
  const client: ClickHouseClient = createClient({
    url: options.url,
    username: options.user ?? 'default',
    password: options.password ?? '',
    database,
    request_timeout: options.requestTimeoutMs ?? 30_000,
    compression: { request: false, response: false },
    clickhouse_settings: {},
    // Errors surface as StoreError to the caller, who decides whether to log (secrets never reach logs).
    log: { level: ClickHouseLogLevel.OFF },
  });
  return {
    database,
    async insert(table, rows) {
      if (rows.length === 0) return;
      try {
        await client.insert({ table: ident(table), values: rows, format: 'JSONEachRow' });
      } catch (error) {
        throw toStoreError(error, `insert into ${table}`);
      }
    },
    async query<T>(sql: string): Promise<T[]> {
      try {
        const rs = await client.query({ query: sql, format: 'JSONEachRow' });
        return (await rs.json()) as T[];
      } catch (error) {
        throw toStoreError(error, 'query');
      }
    },
    async command(sql) {
      try {
        await client.command({ query: sql });
      } catch (error) {
        throw toStoreError(error, 'command');
      }
    },
    async ping() {
      const r = await client.ping();
      return r.success;
    },
    close: () => client.close(),
  };
}
