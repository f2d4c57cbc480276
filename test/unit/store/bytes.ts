// RowBinary's primitive encodings written out by hand (little-endian numbers, LEB128 length + UTF-8 strings), for
// the tests that check encoders byte for byte, and a reader of RowBinary rows.
import type { ColumnType, TableLayout } from '../../../src/store/insert-layout.js';

export const f64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...b];
};
export const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return [...b];
};
export const str = (s: string) => {
  const bytes = [...Buffer.from(s, 'utf8')];
  const len: number[] = [];
  let n = bytes.length;
  do {
    len.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return [...len, ...bytes];
};

/** RowBinary rows read back by `layout` (a reader written from the format's definition, not from the encoders):
 *  UInt64 as a number, Nullable null as null; throws when the bytes end mid-row. */
export function readRowBinary(layout: TableLayout, data: Buffer): Array<Record<string, unknown>> {
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > data.length) throw new Error(`RowBinary ends at byte ${data.length}, a value needs ${pos + n}`);
    pos += n;
    return pos - n;
  };
  const varint = () => {
    let n = 0;
    for (let shift = 1; ; shift *= 128) {
      const b = data[need(1)];
      n += (b & 0x7f) * shift;
      if (b < 0x80) return n;
    }
  };
  const string = () => {
    const n = varint();
    return data.toString('utf8', need(n), pos);
  };
  const float = () => data.readDoubleLE(need(8));
  const nullable = (read: () => unknown) => (data[need(1)] === 1 ? null : read());
  const array = (read: () => unknown) => Array.from({ length: varint() }, read);
  const readers: Record<ColumnType, () => unknown> = {
    String: string, DateTime: () => data.readUInt32LE(need(4)), UInt64: () => data.readUInt32LE(need(8)) + data.readUInt32LE(pos - 4) * 2 ** 32,
    Int32: () => data.readInt32LE(need(4)), Float64: float, 'Array(String)': () => array(string), 'Array(Float64)': () => array(float),
    'Nullable(Float64)': () => nullable(float), 'Nullable(String)': () => nullable(string),
  };
  const rows: Array<Record<string, unknown>> = [];
  while (pos < data.length) rows.push(Object.fromEntries(layout.map(([column, type]) => [column, readers[type]()])));
  return rows;
}
