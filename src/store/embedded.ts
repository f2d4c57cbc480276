// ClickHouse embedded in this process (npm `chdb`, the real ClickHouse 26 engine): a pool of engine connections
// behind @clickhouse/client's Connection contract, so the store runs the same SQL on a server and in-process.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { ClickHouseClientConfigOptions } from '@clickhouse/client';
import { DriftwatchError } from '../domain/index.js';
import { sqlString } from './sql.js';

// the client's own Connection type (its bundled copy of client-common; chdb's differs in nominal detail only)
type Connection = NonNullable<ClickHouseClientConfigOptions['connection']>;

export interface EmbeddedOptions {
  /** Data directory of the engine; one process at a time may open it. */
  path: string;
  database: string;
  /** Cap on the engine's memory inside this process (max_server_memory_usage). */
  memoryLimitBytes: number;
  /** Every statement is cancelled by the engine after this long, and answered as a timeout after it. */
  timeoutMs: number;
  /** Concurrent statements: one engine connection runs one statement at a time. */
  poolSize?: number;
}

/** The default memory cap: a quarter of this machine's RAM, at least 1 GiB (the engine would take up to 90 %). */
export function defaultEmbeddedMemoryBytes(): number {
  return Math.max(2 ** 30, Math.floor(totalmem() / 4));
}

export class EmbeddedUnavailableError extends DriftwatchError {
  constructor(message: string) {
    super(message, 'embedded_unavailable');
  }
}

interface ChdbModule {
  Session: new (path: string, opts?: { connectionArgs?: string[] }) => { close(): void };
}
interface ChdbConnectionModule {
  createChdbConnection(options: { path: string }): Connection;
}

const require = createRequire(import.meta.url);

/** The engine's allocator (its jemalloc reads JE_MALLOC_CONF once, as the library loads) hands freed pages back to
 *  the system after 250 ms instead of 10 s, so the memory of past inserts does not linger in RSS (bench:ingest); a
 *  JE_MALLOC_CONF set by the user wins. */
export const ENGINE_MALLOC_CONF = 'dirty_decay_ms:250,muzzy_decay_ms:0';

function loadChdb(): { chdb: ChdbModule; connection: ChdbConnectionModule } {
  process.env.JE_MALLOC_CONF ??= ENGINE_MALLOC_CONF;
  try {
    return { chdb: require('chdb') as ChdbModule, connection: require('chdb/connection') as ChdbConnectionModule };
  } catch (error) {
    const platform = `${process.platform}-${process.arch}`;
    throw new EmbeddedUnavailableError(
      `the embedded ClickHouse (npm chdb) has no build for ${platform} or is not installed ` +
      `(${(error as Error).message.split('\n')[0]}); set DRIFTWATCH_CLICKHOUSE_URL=http://HOST:8123 to use a ClickHouse server`,
    );
  }
}

function inUse(path: string, pid?: number): EmbeddedUnavailableError {
  return new EmbeddedUnavailableError(
    `the embedded ClickHouse data in ${path} is in use by another process${pid ? ` (pid ${pid})` : ''}: ` +
    `stop it (e.g. the running "driftwatch serve") or run this command with DRIFTWATCH_CLICKHOUSE_URL pointing at a ClickHouse server`,
  );
}

/** One-line advice when the engine cannot open the directory ("Cannot lock file" when another process holds it). */
function openError(error: unknown, path: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/Cannot lock file|Code: 76/.test(message)) return inUse(path, holderOf(path));
  if (/only one active data directory|Cannot open a session/.test(message)) {
    return new EmbeddedUnavailableError(`this process already has an embedded ClickHouse open at another path; cannot also open ${path}`);
  }
  return new EmbeddedUnavailableError(`cannot open the embedded ClickHouse in ${path}: ${message.split('\n')[0]}`);
}

/** The process the engine's status file names as holding the directory, if that process is alive (not this one). */
function holderOf(path: string): number | undefined {
  let pid: number;
  try {
    pid = Number(/PID:\s*(\d+)/.exec(readFileSync(join(path, 'status'), 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
  if (!pid || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0); // a file left by a killed process names a dead pid (the engine's lock died with it)
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

// The engine's server settings are fixed by the first connection to a directory in a process; later ones join it.
const anchors = new Map<string, { refs: number; session: { close(): void } }>();

function acquireAnchor(chdb: ChdbModule, path: string, memoryLimitBytes: number): void {
  const held = anchors.get(path);
  if (held) {
    held.refs += 1;
    return;
  }
  // asked first: the engine would print its own lock error on stderr before failing
  const holder = holderOf(path);
  if (holder) throw inUse(path, holder);
  rmSync(spoolOf(path), { recursive: true, force: true });
  mkdirSync(spoolOf(path), { recursive: true });
  try {
    const session = new chdb.Session(path, { connectionArgs: [`--max_server_memory_usage=${memoryLimitBytes}`] });
    anchors.set(path, { refs: 1, session });
  } catch (error) {
    throw openError(error, path);
  }
}

function releaseAnchor(path: string): void {
  const held = anchors.get(path);
  if (!held || --held.refs > 0) return;
  anchors.delete(path);
  held.session.close();
}

type Params = { query: string; clickhouse_settings?: Record<string, unknown> } & Record<string, unknown>;

export interface EmbeddedConnection extends Connection {
  /** RowBinary rows (`parts` back to back) of `columns` typed as `types` into `table`: written to a spool file the
   *  engine reads with file() (chdb's raw insert takes only text formats, whose parsing cost 3× as much). */
  insertRowBinary(table: string, columns: readonly string[], types: readonly string[], parts: Buffer[]): Promise<void>;
}

/** Where RowBinary inserts wait for the engine to read them: inside its data directory, emptied when this process
 *  first opens it (a crash leaves files whose rows were never acknowledged: they come again from their source). */
const spoolOf = (path: string) => join(path, 'insert-spool');
let spooled = 0;

/** A Connection over a pool of chdb connections; each statement runs in the store's database, with its timeout. */
export function embeddedConnection(options: EmbeddedOptions): EmbeddedConnection {
  const { chdb, connection } = loadChdb();
  const path = resolve(options.path);
  mkdirSync(path, { recursive: true });
  acquireAnchor(chdb, path, options.memoryLimitBytes);
  const spool = spoolOf(path);
  const size = Math.max(1, options.poolSize ?? 4);
  const idle: Connection[] = [];
  const all: Connection[] = [];
  const waiting: Array<(c: Connection) => void> = [];
  let closed = false;

  const acquire = async (): Promise<Connection> => {
    if (closed) throw new Error('embedded ClickHouse store is closed');
    const free = idle.pop();
    if (free) return free;
    if (all.length < size) {
      try {
        const c = connection.createChdbConnection({ path });
        all.push(c);
        return c;
      } catch (error) {
        throw openError(error, path);
      }
    }
    return new Promise((r) => waiting.push(r));
  };
  const release = (c: Connection): void => {
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };
  const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
  const use = `USE \`${options.database}\`; `;

  // The engine cancels the statement at max_execution_time; the timer answers even if it cannot (the connection
  // stays out of the pool until the statement really ends).
  async function run<R>(params: Params, call: (c: Connection, p: Params) => Promise<R>): Promise<R> {
    const c = await acquire();
    const p: Params = {
      ...params,
      query: use + params.query,
      clickhouse_settings: { ...params.clickhouse_settings, max_execution_time: seconds },
    };
    const work = call(c, p).finally(() => release(c));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Timeout error: the embedded ClickHouse did not answer within ${options.timeoutMs} ms`)), options.timeoutMs + 1_000);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined);
    }
  }

  return {
    ping: async () => {
      try {
        return await run({ query: 'SELECT 1' }, (c) => c.ping({ select: true } as never));
      } catch (error) {
        return { success: false, error: error as Error };
      }
    },
    query: (params: object) => run(params as Params, (c, p) => c.query(p as never)),
    exec: (params: object) => run(params as Params, (c, p) => c.exec(p as never)),
    command: (params: object) => run(params as Params, (c, p) => c.command(p as never)),
    insert: (params: object) => run(params as Params, (c, p) => c.insert(p as never)),
    insertRowBinary: async (table, columns, types, parts) => {
      const file = join(spool, `${process.pid}-${++spooled}.rowbinary`);
      const handle = await open(file, 'wx');
      try {
        await handle.writev(parts);
      } finally {
        await handle.close();
      }
      const structure = columns.map((c, i) => `${c} ${types[i]}`).join(', ');
      try {
        // optimize_on_insert = 0: the block is not deduplicated on insert (readers collapse duplicates with FINAL, as
        // on 18.16, which has no such step); that step cost the engine about 3 µs a row of the 5–8 it took
        await run({ query: `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM file(${sqlString(file)}, 'RowBinary', ${sqlString(structure)}) SETTINGS optimize_on_insert = 0` }, (c, p) => c.command(p as never));
      } finally {
        await unlink(file).catch(() => undefined);
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all(all.map((c) => c.close().catch(() => undefined)));
      releaseAnchor(path);
    },
  };
}
