// The one place values become SQL literals. ClickHouse 18.16 has no query parameters, so every value in a
// query goes through sqlValue/sqlString and every identifier through ident.
import { InputError } from '../domain/index.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function ident(name: string): string {
  if (!IDENT.test(name)) throw new InputError(`invalid identifier "${name.slice(0, 64)}": use letters, digits and _`);
  return name;
}

/** A quoted ClickHouse string literal: backslash and quote escaped, control bytes written as escapes. */
export function sqlString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (code === 0) out += '\\0';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

export type SqlLiteral = string | number | bigint | boolean | null | SqlLiteral[];

export function sqlValue(value: SqlLiteral): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return sqlString(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    return Number.isInteger(value) ? value.toString() : value.toPrecision(17);
  }
  if (Array.isArray(value)) return `[${value.map(sqlValue).join(', ')}]`;
  throw new InputError(`cannot write ${typeof value} as SQL`);
}

/** A Float64 literal whatever the value (sqlValue writes an integral number as an integer type). */
export function sqlFloat(v: number): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (!Number.isFinite(v)) throw new InputError(`not a finite number: ${v}`);
  return v.toPrecision(17);
}

/** `DateTime` literal from epoch ms, independent of the server's time zone. */
export function sqlDateTime(ms: number): string {
  return `toDateTime(${Math.floor(ms / 1000)})`;
}
