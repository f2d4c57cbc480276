// ClickHouse access for everything else: insert rows, run queries, run DDL. Errors keep the server's code.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { DriftwatchError } from '../domain/index.js';
import { defaultEmbeddedMemoryBytes, embeddedConnection } from './embedded.js';
import { ident } from './sql.js';

export interface Store {
  readonly database: string;
  /** `server` (HTTP) or `embedded` (ClickHouse inside this process). */
  readonly engine: StoreEngine;
  insert(table: string, rows: Record<string, unknown>[]): Promise<void>;
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
}

/** `embedded:PATH` → PATH; anything else is a server URL. */
export function embeddedPath(url: string): string | undefined {
  return url.startsWith('embedded:') ? url.slice('embedded:'.length) : undefined;
}

/** A ClickHouse failure: `retryable` is false when the server rejected the data itself (retrying cannot help). */
export class StoreError extends DriftwatchError {
  constructor(message: string, code: string, readonly retryable: boolean) {
    super(message, code);
  }
}

// ClickHouse error codes meaning "your data/SQL is wrong", not "try later".
const NOT_RETRYABLE = new Set(['6', '26', '27', '38', '41', '47', '53', '60', '62', '69', '70', '72', '81', '117', '130', '131', '158', '206', '48']);

export function toStoreError(error: unknown, what: string): StoreError {
  if (error instanceof StoreError) return error;
  const e = error as { message?: string; code?: string };
  const message = e?.message ?? String(error);
  // clickhouse-js fills `code` for current servers; 18.16 only says "Code: 47, e.displayText() = …".
  const code = e?.code && /^\d+$/.test(e.code) ? e.code : /^Code: (\d+)/.exec(message)?.[1];
  if (code) {
    const text = message.replace(/^Code: \d+, e\.displayText\(\) = /, '').replace(/, e\.what\(\) = .*$/s, '');
    return new StoreError(`${what}: ClickHouse error ${code}: ${text.split('\n')[0]}`, `clickhouse_${code}`, !NOT_RETRYABLE.has(code));
  }
  // Connection refused, timeouts, sockets closed: the server may come back.
  return new StoreError(`${what}: ${message.split('\n')[0]}`, 'clickhouse_unavailable', true);
}

export function createStore(options: StoreOptions): Store {
  const database = ident(options.database);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const path = embeddedPath(options.url);
  const client: ClickHouseClient = createClient({
    // The client validates `url` even when the embedded connection replaces HTTP.
    url: path === undefined ? options.url : 'http://embedded.invalid',
    username: options.user ?? 'default',
    password: options.password ?? '',
    database,
    request_timeout: timeoutMs,
    compression: { request: false, response: false },
    // 64-bit integers as strings on every version (18.16's default; 24+ sends numbers that lose precision past 2^53).
    clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    // Errors surface as StoreError to the caller, who decides whether to log (secrets never reach logs).
    log: { level: ClickHouseLogLevel.OFF },
    ...(path === undefined ? {} : {
      connection: embeddedConnection({ path, database, timeoutMs, memoryLimitBytes: options.memoryLimitBytes ?? defaultEmbeddedMemoryBytes() }),
    }),
  });
  return {
    database,
    engine: path === undefined ? 'server' : 'embedded',
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
