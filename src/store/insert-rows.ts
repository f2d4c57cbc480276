// Rows written column by column straight into an insert's RowBinary bytes, with no row object in between: ingest
// encodes each message as it is validated, and only the bytes (plus where each row ends, so a refused chunk can still
// be halved down to its bad row) wait in the backlog. Both engines take them (the embedded one through a spool file,
// embedded.ts); the caller writes the columns in its table's layout order.
import { endianness } from 'node:os';
import { Output } from './insert-rowbinary.js';

/** A Float64Array holds the platform's byte order; RowBinary is little-endian. */
const LITTLE_ENDIAN = endianness() === 'LE';

/** Rows back to back; `ends[i]` is the byte just past row i. */
export interface EncodedChunk {
  data: Buffer;
  ends: Uint32Array;
}

export interface RowEncoder {
  string(s: string): void;
  /** A String of plain-ASCII bytes `from`…`to` of `bytes`, as `string` writes their text (no string built). */
  ascii(bytes: Uint8Array, from: number, to: number): void;
  dateTime(seconds: number): void;
  uint64(v: number): void;
  nullableFloat(v: number | null): void;
  nullableString(v: string | null): void;
  /** Array(Float64) of the first `n` values. */
  floats(values: Float64Array, n: number): void;
  /** Array(String) of the first `n` values; with a `slot`, a run of rows repeating the same strings there (a
   *  model's feature names) reuses the bytes written for the first. */
  strings(values: readonly string[], n: number, slot?: number): void;
  endRow(): void;
  /** Drops the row begun since the last endRow (a value it could not write). */
  abandonRow(): void;
  readonly rows: number;
  /** The rows written since the last finish, copied out; the encoder starts afresh. */
  finish(): EncodedChunk;
}

/** Row ends, growing. */
class Ends {
  private ends = new Uint32Array(1024);
  count = 0;
  push(end: number): void {
    if (this.count === this.ends.length) {
      const next = new Uint32Array(this.ends.length * 2);
      next.set(this.ends);
      this.ends = next;
    }
    this.ends[this.count++] = end;
  }
  take(): Uint32Array {
    const out = this.ends.slice(0, this.count);
    this.count = 0;
    return out;
  }
}

/** The strings last written in each slot and where their bytes are in the output: a run of rows with the same name
 *  list copies them from there (no copy kept: the rows' bytes stay in the output until it is taken). */
class Repeats {
  private readonly last: string[][] = [];
  /** strings in each slot's list; −1 (or unset) once its bytes are gone */
  private readonly counts: number[] = [];
  private readonly from: number[] = [];
  private readonly to: number[] = [];
  /** Copies the bytes written for this slot's list when it equals `values`; false if it does not. */
  copied(out: Output, slot: number | undefined, values: readonly string[], n: number): boolean {
    if (slot === undefined || this.counts[slot] !== n) return false;
    const last = this.last[slot];
    for (let i = 0; i < n; i++) if (last[i] !== values[i]) return false;
    const from = this.from[slot];
    const length = this.to[slot] - from;
    out.room(length); // a larger buffer keeps the bytes at the same offsets
    out.buf.copyWithin(out.pos, from, from + length);
    out.pos += length;
    return true;
  }
  /** Keeps `values` and where the bytes written for them since `start` are. */
  remember(out: Output, slot: number | undefined, values: readonly string[], n: number, start: number): void {
    if (slot === undefined) return;
    const last = (this.last[slot] ??= []);
    for (let i = 0; i < n; i++) last[i] = values[i];
    this.counts[slot] = n;
    this.from[slot] = start;
    this.to[slot] = out.pos;
  }
  /** The output was taken or a row dropped: the bytes remembered may be gone. */
  forget(): void {
    this.counts.length = 0;
  }
}

class RowBinaryEncoder implements RowEncoder {
  private readonly out = new Output(1 << 16);
  private readonly ends = new Ends();
  private readonly repeats = new Repeats();
  private rowStart = 0;

  get rows(): number {
    return this.ends.count;
  }
  string(s: string): void {
    this.out.string(s);
  }
  ascii(bytes: Uint8Array, from: number, to: number): void {
    const out = this.out;
    const n = to - from;
    out.varint(n);
    out.room(n);
    const buf = out.buf;
    let p = out.pos;
    for (let i = from; i < to; i++) buf[p++] = bytes[i];
    out.pos = p;
  }
  dateTime(seconds: number): void {
    this.out.uint32(seconds);
  }
  uint64(v: number): void {
    this.out.uint64(v);
  }
  nullableFloat(v: number | null): void {
    const out = this.out;
    out.room(9);
    out.buf[out.pos++] = v === null ? 1 : 0;
    if (v !== null) out.pos = out.buf.writeDoubleLE(v, out.pos);
  }
  nullableString(v: string | null): void {
    const out = this.out;
    out.room(1);
    out.buf[out.pos++] = v === null ? 1 : 0;
    if (v !== null) out.string(v);
  }
  floats(values: Float64Array, n: number): void {
    const out = this.out;
    out.varint(n);
    if (!LITTLE_ENDIAN) {
      for (let i = 0; i < n; i++) out.float64(values[i]);
      return;
    }
    out.room(n * 8);
    out.buf.set(new Uint8Array(values.buffer, values.byteOffset, n * 8), out.pos);
    out.pos += n * 8;
  }
  strings(values: readonly string[], n: number, slot?: number): void {
    const out = this.out;
    if (this.repeats.copied(out, slot, values, n)) return;
    const start = out.pos;
    out.varint(n);
    for (let i = 0; i < n; i++) out.string(values[i]);
    this.repeats.remember(out, slot, values, n, start);
  }
  endRow(): void {
    this.ends.push(this.out.pos);
    this.rowStart = this.out.pos;
  }
  abandonRow(): void {
    this.out.pos = this.rowStart;
    this.repeats.forget();
  }
  finish(): EncodedChunk {
    this.rowStart = 0;
    this.repeats.forget();
    return { data: this.out.take(), ends: this.ends.take() };
  }
}

export function rowEncoder(): RowEncoder {
  return new RowBinaryEncoder();
}
