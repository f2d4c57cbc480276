// The file reader: CSV quoting and missing cells, JSONL flat rows and prediction messages, kinds, and errors
// that name the file and line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../../src/baseline/index.js';
import { parsePlainDecimal } from '../../../src/baseline/read.js';
import { SeededRandom } from '../../../src/stats/index.js';
import { parseCsvLine } from '../../../src/baseline/csv.js';
import { InputError } from '../../../src/domain/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'dw-read-'));
function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe('parseCsvLine', () => {
  it('splits plain and quoted cells', () => {
    expect(parseCsvLine('a,b,c')).toEqual(['a', 'b', 'c']);
    expect(parseCsvLine('"a,b",c')).toEqual(['a,b', 'c']);
    expect(parseCsvLine('x,"say ""hi""",')).toEqual(['x', 'say "hi"', '']);
    expect(parseCsvLine('"",1')).toEqual(['', '1']);
  });
  it('rejects an unclosed quote', () => {
    expect(() => parseCsvLine('"abc,1')).toThrow(/unclosed quote/);
  });
});

describe('parsePlainDecimal', () => {
  const parse = (t: string) => parsePlainDecimal(`x${t}y`, 1, t.length + 1);
  it('equals Number() on plain decimals, bit for bit', () => {
    const rng = new SeededRandom(3);
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + rng.int(15);
      let text = '';
      for (let d = 0; d < digits; d++) text += String(rng.int(10));
      const dot = rng.int(digits + 1);
      if (dot < digits) text = `${text.slice(0, dot)}.${text.slice(dot)}`;
      if (rng.next() < 0.3) text = `-${text}`;
      expect(Object.is(parse(text), Number(text))).toBe(true);
    }
    expect(Object.is(parse('-0'), -0)).toBe(true);
    expect(parse('+2.5')).toBe(2.5);
    expect(parse('7.')).toBe(7);
  });
  it('leaves everything else to the general path (NaN)', () => {
    for (const t of ['', '-', '.', '1e5', '1.2.3', ' 1', 'NA', '1234567890123456', '0x10', 'Infinity']) expect(parse(t)).toBeNaN();
  });
});

describe('readTable', () => {
  it('reads CSV: numeric unless non-numeric or listed, missing words and CRLF', async () => {
    const path = write('a.csv', 'x,city,code\r\n1.5,Berlin,7\r\nNA,"Paris, FR",8\r\n,null,\r\n2e3,Rome,9\r\n');
    const table = await readTable(path, { kinds: new Map([['code', 'categorical']]) });
    expect(table.rows).toBe(4);
    const x = table.columns.get('x')!;
    expect(x.kind).toBe('numeric');
    expect(Array.from(x.values as Float64Array)).toEqual([1.5, NaN, NaN, 2000]);
    expect(table.columns.get('city')).toEqual({ kind: 'categorical', values: ['Berlin', 'Paris, FR', null, 'Rome'] });
    expect(table.columns.get('code')).toEqual({ kind: 'categorical', values: ['7', '8', null, '9'] });
  });

  it('decides the kind from the first present value, so leading missing cells do not matter', async () => {
    const table = await readTable(write('b.csv', 'c\n\n""\nred\n'));
    expect(table.columns.get('c')).toEqual({ kind: 'categorical', values: [null, 'red'] });
  });

  it('names the line of a non-numeric value in a numeric column', async () => {
    const path = write('c.csv', 'a,b\n1,2\n3,4\n5,oops\n');
    await expect(readTable(path)).rejects.toThrow(new InputError(`${path}:4: column "b" is numeric but holds "oops"; fix the value or list the column in --categorical`, 'not_numeric'));
  });

  it('names the line of a row with the wrong number of cells', async () => {
    const path = write('d.csv', 'a,b\n1,2\n3\n');
    await expect(readTable(path)).rejects.toThrow(`${path}:3: 1 cells but the header has 2 columns`);
    const more = write('d2.csv', 'a,b\n1,2,3\n');
    await expect(readTable(more)).rejects.toThrow(`${more}:2: 3 cells but the header has 2 columns`);
    const quoted = write('d3.csv', 'a,b\n"1",2,"3"\n');
    await expect(readTable(quoted)).rejects.toThrow(`${quoted}:2: 3 cells but the header has 2 columns`);
  });

  it('rejects duplicate header names, empty files, unknown extensions and missing files', async () => {
    await expect(readTable(write('e.csv', 'a,a\n1,2\n'))).rejects.toThrow(/column "a" appears twice/);
    await expect(readTable(write('f.csv', ''))).rejects.toThrow(/empty file/);
    await expect(readTable(write('g.txt', 'a\n1\n'))).rejects.toThrow(/unknown file type/);
    await expect(readTable(join(tmp, 'missing.csv'))).rejects.toThrow(/cannot read \(ENOENT\)/);
  });

  it('reads only the requested columns', async () => {
    const table = await readTable(write('h.csv', 'a,b\n1,x\n2,y\n'), { columns: new Set(['a']) });
    expect([...table.columns.keys()]).toEqual(['a']);
    expect(table.rows).toBe(2);
  });

  it('reads JSONL flat rows; columns missing from a row are missing values', async () => {
    const path = write('i.jsonl', '{"a": 1, "b": "u"}\n\n{"a": null}\n{"a": 2.5, "b": "v", "c": true}\n');
    const table = await readTable(path);
    expect(table.rows).toBe(3);
    expect(Array.from(table.columns.get('a')!.values as Float64Array)).toEqual([1, NaN, 2.5]);
    expect(table.columns.get('b')).toEqual({ kind: 'categorical', values: ['u', null, 'v'] });
    expect(table.columns.get('c')).toEqual({ kind: 'categorical', values: [null, null, 'true'] });
  });

  it('reads JSONL prediction messages: features, prediction and label become columns', async () => {
    const msg = (amount: number | null, country: string, prediction: number, label?: number) =>
      JSON.stringify({ model: 'fraud', prediction_id: 'p', timestamp: 1, features: { amount, country }, prediction, ...(label === undefined ? {} : { label }) });
    const table = await readTable(write('j.jsonl', [msg(10, 'DE', 0.9, 1), msg(null, 'FR', 0.2)].join('\n')));
    expect([...table.columns.keys()]).toEqual(['amount', 'country', 'prediction', 'label']);
    expect(Array.from(table.columns.get('label')!.values as Float64Array)).toEqual([1, NaN]);
    expect(Array.from(table.columns.get('amount')!.values as Float64Array)).toEqual([10, NaN]);
  });

  it('names the JSONL line of a string in a numeric column and of bad JSON', async () => {
    const p1 = write('k.jsonl', '{"a": 1}\n{"a": "1"}\n');
    await expect(readTable(p1)).rejects.toThrow(`${p1}:2: column "a" is numeric but holds "1"`);
    const p2 = write('l.jsonl', '{"a": 1}\n{"a": \n');
    await expect(readTable(p2)).rejects.toThrow(new RegExp(`${p2.replace(/[.]/g, '\\.')}:2: not JSON`));
    const p3 = write('m.jsonl', '[1, 2]\n');
    await expect(readTable(p3)).rejects.toThrow(/:1: each line must be a JSON object/);
  });

  it('streams files larger than one read chunk without splitting lines wrongly', async () => {
    const rows = Array.from({ length: 120_000 }, (_, i) => `${i},${i % 7}`);
    const table = await readTable(write('n.csv', `i,k\n${rows.join('\n')}\n`));
    expect(table.rows).toBe(120_000);
    const i = table.columns.get('i')!.values as Float64Array;
    expect(i[0]).toBe(0);
    expect(i[119_999]).toBe(119_999);
    let sum = 0;
    for (const v of i) sum += v;
    expect(sum).toBe((119_999 * 120_000) / 2);
  });
});

describe('type mismatches against given kinds (the current file of driftwatch drift)', () => {
  const kinds = new Map([['n', 'numeric' as const], ['c', 'categorical' as const]]);
  it('counts text in a numeric column and objects in a categorical one, read as missing, rows kept aligned', async () => {
    const csv = await readTable(write('mm.csv', 'n,c\n1,a\noops,b\n,c\n2.5,d\n'), { kinds, countTypeMismatches: true });
    const n = csv.columns.get('n')!;
    expect(n.kind).toBe('numeric');
    expect(Array.from(n.values as Float64Array)).toEqual([1, NaN, NaN, 2.5]);
    expect(n.mismatched).toBe(1);
    expect(csv.columns.get('c')!.mismatched).toBe(0);
    const jsonl = await readTable(write('mm.jsonl', '{"n": 1, "c": "a"}\n{"n": "x", "c": {"k": 1}}\n{"n": true, "c": 7}\n'), { kinds, countTypeMismatches: true });
    expect(jsonl.columns.get('n')!.mismatched).toBe(2);
    expect(jsonl.columns.get('c')!.mismatched).toBe(1);
    // a number in a categorical column is read as its text, as before
    expect(jsonl.columns.get('c')!.values).toEqual(['a', null, '7']);
  });
  it('still refuses them without the option, naming the line', async () => {
    await expect(readTable(write('mm2.csv', 'n\n1\noops\n'), { kinds })).rejects.toThrow(/mm2\.csv:3: column "n" is numeric but holds "oops"/);
  });
});
