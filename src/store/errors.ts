// What a ClickHouse failure means for the caller, decided by the server's error code:
//   transient — the server is down, busy or timed out: try again later;
//   data      — the server refused the rows themselves (a value it cannot parse or hold): retrying cannot help,
//               but other rows can still be stored, so a writer splits the batch to find the refused ones;
//   refused   — the server refuses the statement whatever the rows (no such table/column, no access): retrying
//               cannot help and no row is at fault.
import { DriftwatchError } from '../domain/index.js';

export type StoreErrorKind = 'transient' | 'data' | 'refused';

/** A ClickHouse failure: `retryable` is false when the server rejected the data itself (retrying cannot help). */
export class StoreError extends DriftwatchError {
  constructor(message: string, code: string, readonly retryable: boolean, readonly kind: StoreErrorKind = retryable ? 'transient' : 'data') {
    super(message, code);
  }
}

// Overload, timeouts, lost connections, replicas and keeper: the same statement may succeed later.
const TRANSIENT = new Set([
  3, 32, 33, // UNEXPECTED_END_OF_FILE, ATTEMPT_TO_READ_AFTER_EOF, CANNOT_READ_ALL_DATA: the request was cut short
  159, 160, 164, // TIMEOUT_EXCEEDED, TOO_SLOW, READONLY (a replica in read-only mode)
  202, 203, 209, 210, // TOO_MANY_SIMULTANEOUS_QUERIES, NO_FREE_CONNECTION, SOCKET_TIMEOUT, NETWORK_ERROR
  225, 236, 241, 242, 252, // NO_ZOOKEEPER, ABORTED, MEMORY_LIMIT_EXCEEDED, TABLE_IS_READ_ONLY, TOO_MANY_PARTS
  285, 286, 319, 394, 425, 439, 999, // replicas/quorum, UNKNOWN_STATUS_OF_INSERT, QUERY_WAS_CANCELLED, SYSTEM_ERROR, CANNOT_SCHEDULE_TASK, KEEPER_EXCEPTION
  279, // ALL_CONNECTION_TRIES_FAILED: every replica of a cluster's shard is down (a Distributed insert or read)
]);

// The statement is refused whatever the rows: schema missing or different, the SQL itself wrong, credentials or grants.
const REFUSED = new Set([
  16, 47, 60, 62, 81, // NO_SUCH_COLUMN_IN_TABLE, UNKNOWN_IDENTIFIER, UNKNOWN_TABLE, SYNTAX_ERROR, UNKNOWN_DATABASE
  48, 206, // NOT_IMPLEMENTED, ALIAS_REQUIRED (a JOIN subquery without a name on 20+)
  44, // ILLEGAL_COLUMN: e.g. a MATERIALIZED column written through a Distributed table (18.16) — every insert would fail alike
  192, 193, 194, 195, 497, 516, // UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, IP_ADDRESS_NOT_ALLOWED, ACCESS_DENIED, AUTHENTICATION_FAILED
]);

// Every other code means the server read the request and refused what it holds — for an insert, the rows: e.g.
// 6 CANNOT_PARSE_TEXT, 25 CANNOT_PARSE_ESCAPE_SEQUENCE (a lone surrogate), 26 CANNOT_PARSE_QUOTED_STRING,
// 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED, 38 CANNOT_PARSE_DATE, 41 CANNOT_PARSE_DATETIME, 53 TYPE_MISMATCH,
// 69 ARGUMENT_OUT_OF_BOUND, 70 CANNOT_CONVERT_TYPE, 72 CANNOT_PARSE_NUMBER, 117 INCORRECT_DATA,
// 130 CANNOT_READ_ARRAY_FROM_TEXT, 131 TOO_LARGE_STRING_SIZE.
export function kindOfCode(code: number): StoreErrorKind {
  if (TRANSIENT.has(code)) return 'transient';
  if (REFUSED.has(code)) return 'refused';
  return 'data';
}

export function toStoreError(error: unknown, what: string): StoreError {
  if (error instanceof StoreError) return error;
  const e = error as { message?: string; code?: string };
  const message = e?.message ?? String(error);
  // clickhouse-js fills `code` for current servers; 18.16 only says "Code: 47, e.displayText() = …".
  const code = e?.code && /^\d+$/.test(e.code) ? e.code : /^Code: (\d+)/.exec(message)?.[1];
  if (code) {
    const text = message.replace(/^Code: \d+, e\.displayText\(\) = /, '').replace(/, e\.what\(\) = .*$/s, '');
    const kind = kindOfCode(Number(code));
    return new StoreError(`${what}: ClickHouse error ${code}: ${text.split('\n')[0]}`, `clickhouse_${code}`, kind === 'transient', kind);
  }
  // Connection refused, timeouts, sockets closed: the server may come back.
  return new StoreError(`${what}: ${message.split('\n')[0]}`, 'clickhouse_unavailable', true, 'transient');
}
