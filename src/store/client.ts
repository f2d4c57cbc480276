// ClickHouse access for everything else: insert rows, run queries, run DDL. Errors keep the server's code.
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { toStoreError } from './errors.js';
import { defaultEmbeddedMemoryBytes, embeddedConnection } from './embedded.js';
import { INSERT_LAYOUTS, NotEncodable } from './insert-layout.js';
import { encodeRowBinary } from './insert-rowbinary.js';
import { ident } from './sql.js';
import { CLUSTER_SETTINGS, clusterAnswers, type ClusterSpec } from './cluster.js';

export { StoreError, toStoreError } from './errors.js';

export interface Store {
  readonly database: string;
  /** `server` (HTTP) or `embedded` (ClickHouse inside this process). */
  readonly engine: StoreEngine;
  /** Set when the tables live on a ClickHouse cluster (src/store/cluster.ts): its name and replica path. */
  readonly cluster?: ClusterSpec;
  insert(table: string, rows: Record<string, unknown>[]): Promise<void>;
  /** Rows of an ingest table (INSERT_LAYOUTS) already encoded as RowBinary (store/insert-rows.ts), back to back
   *  across `parts`. */
  insertEncoded?(table: string, parts: Buffer[]): Promise<void>;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  command(sql: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type StoreEngine = 'server' | 'embedded';

export interface StoreOptions {
  /** `http(s)://…` for a server, `embedded:PATH` for ClickHouse inside this process. */
  url: string;
  database: string;
  user?: string;
  password?: string;
  requestTimeoutMs?: number;
  /** Embedded only: the engine's memory cap (default a quarter of RAM). */
  memoryLimitBytes?: number;
  /** Server only: the tables are on this cluster (DRIFTWATCH_CLICKHOUSE_CLUSTER). */
  cluster?: ClusterSpec;
}

/** `embedded:PATH` → PATH; anything else is a server URL. */
export function embeddedPath(url: string): string | undefined {
  return url.startsWith('embedded:') ? url.slice('embedded:'.length) : undefined;
}

export function createStore(options: StoreOptions): Store {
  const database = ident(options.database);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const path = embeddedPath(options.url);
  const embedded = path === undefined ? undefined
    : embeddedConnection({ path, database, timeoutMs, memoryLimitBytes: options.memoryLimitBytes ?? defaultEmbeddedMemoryBytes() });
  const client: ClickHouseClient = createClient({
    // The client validates `url` even when the embedded connection replaces HTTP.
    url: path === undefined ? options.url : 'http://embedded.invalid',
    username: options.user ?? 'default',
    password: options.password ?? '',
    database,
    request_timeout: timeoutMs,
    compression: { request: false, response: false },
    // 64-bit integers as strings on every version (18.16's default; 24+ sends numbers that lose precision past 2^53).
    clickhouse_settings: { output_format_json_quote_64bit_integers: 1, ...(options.cluster ? CLUSTER_SETTINGS : {}) },
    // Errors surface as StoreError to the caller, who decides whether to log (secrets never reach logs).
    log: { level: ClickHouseLogLevel.OFF },
    ...(embedded === undefined ? {} : { connection: embedded }),
  });

  /** The ingest tables' rows as RowBinary with an explicit column list; false when a value is not encodable (the
   *  caller sends JSON). */
  async function insertEncoded(table: string, rows: Record<string, unknown>[]): Promise<boolean> {
    const layout = INSERT_LAYOUTS[table];
    if (!layout) return false;
    try {
      await send(table, [encodeRowBinary(layout, rows)]);
      return true;
    } catch (error) {
      if (error instanceof NotEncodable) return false;
      throw error;
    }
  }

  /** RowBinary rows of an ingest table into it, by the table's explicit column list. */
  async function send(table: string, parts: Buffer[]): Promise<void> {
    const columns = INSERT_LAYOUTS[table].map(([name]) => name);
    if (embedded) {
      await embedded.insertRowBinary(table, columns, INSERT_LAYOUTS[table].map(([, type]) => type), parts);
      return;
    }
    const result = await client.exec({ query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT RowBinary`, values: Readable.from(parts) });
    result.stream.resume();
    await new Promise<void>((resolve, reject) => result.stream.once('end', resolve).once('error', reject));
  }

  return {
    database,
    engine: path === undefined ? 'server' : 'embedded',
    ...(options.cluster ? { cluster: options.cluster } : {}),
    async insert(table, rows) {
      if (rows.length === 0) return;
      try {
        if (await insertEncoded(ident(table), rows)) return;
        await client.insert({ table: ident(table), values: rows, format: 'JSONEachRow' });
      } catch (error) {
        throw toStoreError(error, `insert into ${table}`);
      }
    },
    async insertEncoded(table, parts) {
      if (parts.length === 0) return;
      const name = ident(table);
      if (!INSERT_LAYOUTS[name]) throw new Error(`no encoded insert into ${table}`);
      try {
        await send(name, parts);
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
      if (!r.success || !options.cluster) return r.success;
      // on a cluster, up means every shard has a replica that answers: a shard down is an outage writers wait out
      return clusterAnswers(client, options.cluster);
    },
    close: () => client.close(),
  };
}
