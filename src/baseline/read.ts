// Reads a training or current file into a Table, streaming it line by line: CSV with a header row, or JSON
// Lines (flat rows, or DESIGN.md prediction messages whose features, prediction and label become columns).
// Every bad value is reported with its file and line.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError, type FeatureKind } from '../domain/index.js';
import { parseCsvLine } from './csv.js';
import { ColumnBuilder, type Table } from './table.js';

export type FileFormat = 'csv' | 'jsonl';

export interface ReadOptions {
  /** Kinds decided elsewhere (--categorical, or the reference's kinds when reading the current file). */
  kinds?: ReadonlyMap<string, FeatureKind>;
  /** Only these columns are kept (others are skipped without parsing); all when absent. */
  columns?: ReadonlySet<string>;
  /**
   * Values whose type differs from a column's kind given in `kinds` (text in a numeric column): counted per column
   * and read as missing, instead of refused (the current file of `driftwatch drift`, whose type mismatches are a finding).
   */
  countTypeMismatches?: boolean;
}

export function formatOf(path: string): FileFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  throw new InputError(`${path}: unknown file type; use .csv, .jsonl or .ndjson`);
}

/**
 * Calls onLine(text, start, end) for each line of a file (line ends stripped), reading 1 MiB chunks; lines are
 * handed over as ranges of the chunk so that a million-row file does not cost a million strings and awaits.
 */
async function eachLine(path: string, onLine: (text: string, start: number, end: number) => void): Promise<void> {
  let rest = '';
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest.length > 0 ? rest + chunk : chunk;
    let start = 0;
    for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
      onLine(text, start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) onLine(rest, 0, rest.endsWith('\r') ? rest.length - 1 : rest.length);
}

/**
 * A plain decimal ([-+]digits[.digits], at most 15 digits) parsed from text[start, end) without making a string;
 * NaN for anything else, which then takes the general path. mantissa / 10^k with both exact is correctly rounded,
 * so the result equals Number() of the same text.
 */
export function parsePlainDecimal(text: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) fraction = 0;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const value = fraction > 0 ? mantissa / POWERS_OF_TEN[fraction] : mantissa;
  return negative ? -value : value;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

async function checkFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError(`${path}: not a file`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'missing_file');
  }
}

class TableBuilder {
  readonly builders = new Map<string, ColumnBuilder>();
  readonly names = new Set<string>();
  rows = 0;

  constructor(private readonly options: ReadOptions) {}

  column(name: string): ColumnBuilder | undefined {
    let builder = this.builders.get(name);
    if (!builder) {
      this.names.add(name);
      if (this.options.columns && !this.options.columns.has(name)) return undefined;
      const kind = this.options.kinds?.get(name);
      builder = new ColumnBuilder(name, kind, this.rows, kind !== undefined && this.options.countTypeMismatches === true);
      this.builders.set(name, builder);
    }
    return builder;
  }

  /** Pads columns a row did not mention. */
  endRow(): void {
    this.rows++;
    for (const builder of this.builders.values()) if (builder.length < this.rows) builder.pushMissing();
  }

  build(source: string): Table {
    const columns = new Map([...this.builders].map(([name, b]) => [name, b.build()]));
    return { source, rows: this.rows, columns, names: [...this.names] };
  }
}

async function readCsv(path: string, options: ReadOptions): Promise<Table> {
  const table = new TableBuilder(options);
  let header: (ColumnBuilder | undefined)[] | undefined;
  let lineNo = 0;
  let nextQuote = -1;
  let quoteText = '';
  const where = () => `${path}:${lineNo}`;
  const readHeader = (line: string) => {
    const names = splitLine(line, where).map((c) => c.trim());
    const seen = new Set<string>();
    for (const name of names) {
      if (name.length === 0) throw new InputError(`${where()}: empty column name in the header row`);
      if (seen.has(name)) throw new InputError(`${where()}: column "${name}" appears twice in the header row`);
      seen.add(name);
    }
    header = names.map((name) => table.column(name));
  };
  await eachLine(path, (text, start, end) => {
    lineNo++;
    if (start === end || (text.charCodeAt(start) <= 32 && text.slice(start, end).trim().length === 0)) return;
    if (!header) return readHeader(text.slice(start, end));
    // Where the next quote is, cached per chunk: lines without quotes take the fast path below.
    if (quoteText !== text || (nextQuote >= 0 && nextQuote < start)) {
      quoteText = text;
      nextQuote = text.indexOf('"', start);
    }
    if (nextQuote >= 0 && nextQuote < end) {
      const cells = splitLine(text.slice(start, end), where);
      if (cells.length !== header.length) throw wrongCells(cells.length, header.length, where);
      for (let i = 0; i < cells.length; i++) header[i]?.pushText(cells[i], where);
    } else {
      let cell = 0;
      let a = start;
      for (;;) {
        let b = text.indexOf(',', a);
        if (b < 0 || b > end) b = end;
        if (cell >= header.length) throw wrongCells(countCells(text, start, end), header.length, where);
        const builder = header[cell];
        if (builder) {
          const value = builder.kind === 'categorical' ? NaN : parsePlainDecimal(text, a, b);
          if (value === value) builder.pushNumber(value);
          else builder.pushText(text.slice(a, b), where);
        }
        cell++;
        if (b === end) break;
        a = b + 1;
      }
      if (cell !== header.length) throw wrongCells(cell, header.length, where);
    }
    table.rows++;
  });
  if (!header) throw new InputError(`${path}: empty file (expected a header row)`, 'empty');
  return table.build(path);
}

function splitLine(line: string, where: () => string): string[] {
  try {
    return parseCsvLine(line);
  } catch (error) {
    throw new InputError(`${where()}: ${(error as Error).message}`);
  }
}

function countCells(text: string, start: number, end: number): number {
  let n = 1;
  for (let i = text.indexOf(',', start); i >= 0 && i < end; i = text.indexOf(',', i + 1)) n++;
  return n;
}

function wrongCells(cells: number, columns: number, where: () => string): InputError {
  return new InputError(`${where()}: ${cells} cells but the header has ${columns} columns`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function readJsonl(path: string, options: ReadOptions): Promise<Table> {
  const table = new TableBuilder(options);
  let lineNo = 0;
  const where = () => `${path}:${lineNo}`;
  await eachLine(path, (text, start, end) => {
    lineNo++;
    const line = text.slice(start, end);
    if (line.trim().length === 0) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new InputError(`${where()}: not JSON (${(error as Error).message})`);
    }
    if (!isObject(row)) throw new InputError(`${where()}: each line must be a JSON object`);
    // A prediction message (DESIGN.md): its features are the columns, plus its prediction and label.
    const fields = isObject(row.features)
      ? { ...row.features, ...(row.prediction !== undefined ? { prediction: row.prediction } : {}), ...(row.label !== undefined ? { label: row.label } : {}) }
      : row;
    for (const [name, value] of Object.entries(fields)) table.column(name)?.pushJson(value, where);
    table.endRow();
  });
  return table.build(path);
}

/** Reads a whole CSV or JSONL file into columns. */
export async function readTable(path: string, options: ReadOptions = {}): Promise<Table> {
  await checkFile(path);
  return formatOf(path) === 'csv' ? readCsv(path, options) : readJsonl(path, options);
}
