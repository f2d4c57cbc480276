// Rows into ClickHouse's RowBinary format (every version since 1.1, 18.16 included): numbers go as their IEEE
// bytes, so a Float64 is stored bit for bit (18.16's text parser can be off in the last digit) and the server
// parses nothing. Strings are length-prefixed UTF-8; DateTime is UInt32 seconds; Nullable a 0/1 byte first.
import { endianness } from 'node:os';
import { NotEncodable, type ColumnType, type TableLayout } from './insert-layout.js';

/** String.prototype.isWellFormed (Node 20; not yet in the TypeScript lib this project targets). */
type WellFormed = { isWellFormed(): boolean };

let scratch = new Float64Array(256);
/** A Float64Array holds the platform's byte order; RowBinary is little-endian. */
const LITTLE_ENDIAN = endianness() === 'LE';

/** A growing byte buffer with RowBinary's primitive writers. */
export class Output {
  buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** The bytes written so far, copied out (the buffer itself is reused), and a fresh start. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    return out;
  }

  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(n: number): void {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  string(s: unknown): void {
    if (typeof s !== 'string') throw new NotEncodable(`not a string: ${typeof s}`);
    const n = s.length;
    if (n < 128) {
      // ASCII (the common case: names, ids) is copied byte by byte; anything else goes through Buffer's UTF-8 writer.
      this.room(n + 1);
      const buf = this.buf;
      let p = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = p;
        return;
      }
    }
    if (!(s as unknown as WellFormed).isWellFormed()) throw new NotEncodable('a string holds a lone surrogate');
    const bytes = Buffer.byteLength(s, 'utf8');
    this.varint(bytes);
    this.room(bytes);
    this.pos += this.buf.write(s, this.pos, bytes, 'utf8');
  }

  float64(v: unknown): void {
    if (typeof v !== 'number') throw new NotEncodable(`not a number: ${typeof v}`);
    this.room(8);
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }

  uint32(v: unknown): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new NotEncodable(`not a UInt32: ${String(v)}`);
    this.room(4);
    this.pos = this.buf.writeUInt32LE(v, this.pos);
  }

  int32(v: unknown): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new NotEncodable(`not an Int32: ${String(v)}`);
    this.room(4);
    this.pos = this.buf.writeInt32LE(v, this.pos);
  }

  /** UInt64 from a safe integer (epoch milliseconds), as two little-endian halves. */
  uint64(v: unknown): void {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new NotEncodable(`not a UInt64 below 2^53: ${String(v)}`);
    this.room(8);
    this.buf.writeUInt32LE(v % 0x100000000, this.pos);
    this.buf.writeUInt32LE(Math.floor(v / 0x100000000), this.pos + 4);
    this.pos += 8;
  }

  /** Array(Float64): the values through a scratch Float64Array, copied in with one memcpy. */
  float64s(v: unknown): void {
    if (!Array.isArray(v)) throw new NotEncodable(`not an array: ${typeof v}`);
    if (!LITTLE_ENDIAN) return this.array(v, (x) => this.float64(x));
    const n = v.length;
    if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
    for (let i = 0; i < n; i++) {
      const x: unknown = v[i];
      if (typeof x !== 'number') throw new NotEncodable(`not a number: ${typeof x}`);
      scratch[i] = x;
    }
    this.varint(n);
    this.room(n * 8);
    this.buf.set(new Uint8Array(scratch.buffer, 0, n * 8), this.pos);
    this.pos += n * 8;
  }

  array(v: unknown, item: (x: unknown) => void): void {
    if (!Array.isArray(v)) throw new NotEncodable(`not an array: ${typeof v}`);
    this.varint(v.length);
    for (let i = 0; i < v.length; i++) item(v[i]);
  }

  nullable(v: unknown, item: (x: unknown) => void): void {
    this.room(1);
    if (v === null || v === undefined) {
      this.buf[this.pos++] = 1;
      return;
    }
    this.buf[this.pos++] = 0;
    item(v);
  }
}

/** Array(String) that repeats the previous row's value (a model's feature names, row after row) copies the bytes
 *  written for it then instead of encoding every string again. */
function repeatingStrings(out: Output, string: (v: unknown) => void): (v: unknown) => void {
  let last: unknown[] = [];
  let lastBytes = Buffer.alloc(1); // an empty array: count 0
  return (v) => {
    if (Array.isArray(v) && v.length === last.length && v.every((x, i) => x === last[i])) {
      out.room(lastBytes.length);
      out.pos += lastBytes.copy(out.buf, out.pos);
      return;
    }
    const start = out.pos;
    out.array(v, string);
    last = v as unknown[];
    lastBytes = Buffer.from(out.buf.subarray(start, out.pos));
  };
}

function writerOf(out: Output, type: ColumnType): (v: unknown) => void {
  const string = (v: unknown) => out.string(v);
  const float64 = (v: unknown) => out.float64(v);
  switch (type) {
    case 'String': return string;
    case 'Float64': return float64;
    case 'DateTime': return (v) => out.uint32(v);
    case 'UInt64': return (v) => out.uint64(v);
    case 'Int32': return (v) => out.int32(v);
    case 'Array(String)': return repeatingStrings(out, string);
    case 'Array(Float64)': return (v) => out.float64s(v);
    case 'Nullable(Float64)': return (v) => out.nullable(v, float64);
    case 'Nullable(String)': return (v) => out.nullable(v, string);
  }
}

/** `rows` (objects keyed by column) in RowBinary for `INSERT INTO t (columns of layout) FORMAT RowBinary`;
 *  throws NotEncodable for a value it would not write faithfully. */
export function encodeRowBinary(layout: TableLayout, rows: ReadonlyArray<Record<string, unknown>>, sizeHint = 256): Buffer {
  const out = new Output(Math.max(4096, rows.length * sizeHint));
  const columns = layout.map(([name]) => name);
  const writers = layout.map(([, type]) => writerOf(out, type));
  for (const row of rows) {
    for (let c = 0; c < columns.length; c++) writers[c](row[columns[c]]);
  }
  return out.buf.subarray(0, out.pos);
}
