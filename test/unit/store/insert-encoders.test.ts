// The binary insert encoder against bytes written out by hand from ClickHouse's RowBinary definition (strings:
// LEB128 length + UTF-8; DateTime UInt32 LE; UInt64 LE; Nullable: 1 = null, 0 then the value; arrays: LEB128
// count, then items).
import { describe, expect, it } from 'vitest';
import { INSERT_LAYOUTS, NotEncodable, type TableLayout } from '../../../src/store/insert-layout.js';
import { encodeRowBinary } from '../../../src/store/insert-rowbinary.js';
import { f64, readRowBinary, str, u32 } from './bytes.js';

describe('RowBinary', () => {
  const layout: TableLayout = [['s', 'String'], ['t', 'DateTime'], ['u', 'UInt64'], ['i', 'Int32'], ['a', 'Array(Float64)'], ['n', 'Nullable(String)'], ['m', 'Nullable(Float64)']];

  it('writes each type as ClickHouse reads it', () => {
    const rows = [
      { s: 'héllo', t: 1_764_000_000, u: 2 ** 32 + 5, i: -1, a: [0.1 + 0.2, -0], n: null, m: 1.5 },
      { s: '', t: 0, u: 0, i: 7, a: [], n: 'x', m: null },
    ];
    const expected = [
      ...str('héllo'), ...u32(1_764_000_000), 5, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 2, ...f64(0.1 + 0.2), ...f64(-0), 1, 0, ...f64(1.5),
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0x78, 1,
    ];
    expect([...encodeRowBinary(layout, rows)]).toEqual(expected);
    // the tests' reader (bytes.ts) reads the same bytes back as the rows, and refuses a row cut short
    expect(readRowBinary(layout, Buffer.from(expected))).toEqual(rows);
    expect(() => readRowBinary(layout, Buffer.from(expected.slice(0, -1)))).toThrow(/RowBinary ends/);
  });

  it('writes multi-byte lengths for long and non-ASCII strings, growing its buffer as it goes', () => {
    const long = `${'a'.repeat(127)}🎉${'b'.repeat(20_000)}`;
    const rows = Array.from({ length: 8 }, () => ({ s: long, t: 1, u: 1, i: 1, a: [], n: 'ñ'.repeat(100), m: null }));
    const one = [...str(long), ...u32(1), 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, ...str('ñ'.repeat(100)), 1];
    const got = encodeRowBinary(layout, rows, 16);
    expect(got.length).toBe(one.length * rows.length);
    expect(got.equals(Buffer.from(rows.flatMap(() => one)))).toBe(true);
  });

  it('writes a repeated string array (feature names row after row) the same as a new one', () => {
    const names: TableLayout = [['names', 'Array(String)'], ['other', 'Array(String)']];
    const a = ['f0', 'f1', 'país'];
    const rows = [{ names: a, other: [] }, { names: [...a], other: ['x'] }, { names: a, other: [] }, { names: ['f0'], other: ['x'] }, { names: [], other: [] }, { names: a, other: [] }];
    const arr = (xs: string[]) => [xs.length, ...xs.flatMap(str)];
    expect([...encodeRowBinary(names, rows)]).toEqual(rows.flatMap((r) => [...arr(r.names), ...arr(r.other)]));
  });

  it('refuses what it would not write faithfully', () => {
    const ok = { s: 'x', t: 1, u: 1, i: 1, a: [], n: null, m: null };
    for (const bad of [{ s: 'a\ud800' }, { s: 5 }, { t: -1 }, { t: 2 ** 32 }, { u: 2 ** 53 }, { i: 2 ** 31 }, { a: ['1'] }, { a: null }, { m: '1' }]) {
      expect(() => encodeRowBinary(layout, [{ ...ok, ...bad }]), JSON.stringify(bad)).toThrow(NotEncodable);
    }
  });

  it('has a layout for each table ingest writes, with no MATERIALIZED column', () => {
    expect(Object.keys(INSERT_LAYOUTS)).toEqual(['predictions', 'labels', 'dead_letters']);
    expect(INSERT_LAYOUTS.predictions.map(([c]) => c)).not.toContain('name_layout');
  });
});
