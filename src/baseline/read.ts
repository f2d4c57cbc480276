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
}

export function formatOf(path: string): FileFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  throw new InputError(`${path}: unknown file type; use .csv, .jsonl or .ndjson`);
}

/** Yields the lines of a file without its line ends, reading 1 MiB chunks. */
async function* lines(path: string): AsyncGenerator<string> {
  let rest = '';
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest.length > 0 ? rest + chunk : chunk;
    let start = 0;
    for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
      yield text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

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
  rows = 0;

  constructor(private readonly options: ReadOptions) {}

  column(name: string): ColumnBuilder | undefined {
    let builder = this.builders.get(name);
    if (!builder) {
      if (this.options.columns && !this.options.columns.has(name)) return undefined;
      builder = new ColumnBuilder(name, this.options.kinds?.get(name), this.rows);
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
    return { source, rows: this.rows, columns };
  }
}

async function readCsv(path: string, options: ReadOptions): Promise<Table> {
  const table = new TableBuilder(options);
  let header: (ColumnBuilder | undefined)[] | undefined;
  let lineNo = 0;
  for await (const line of lines(path)) {
    lineNo++;
    if (line.trim().length === 0) continue;
    let cells: string[];
    try {
      cells = parseCsvLine(line);
    } catch (error) {
      throw new InputError(`${path}:${lineNo}: ${(error as Error).message}`);
    }
    if (!header) {
      const names = cells.map((c) => c.trim());
      const seen = new Set<string>();
      for (const name of names) {
        if (name.length === 0) throw new InputError(`${path}:${lineNo}: empty column name in the header row`);
        if (seen.has(name)) throw new InputError(`${path}:${lineNo}: column "${name}" appears twice in the header row`);
        seen.add(name);
      }
      header = names.map((name) => table.column(name));
      continue;
    }
    if (cells.length !== header.length) {
      throw new InputError(`${path}:${lineNo}: ${cells.length} cells but the header has ${header.length} columns`);
    }
    const where = () => `${path}:${lineNo}`;
    for (let i = 0; i < cells.length; i++) header[i]?.pushText(cells[i], where);
    table.rows++;
  }
  if (!header) throw new InputError(`${path}: empty file (expected a header row)`, 'empty');
  return table.build(path);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function readJsonl(path: string, options: ReadOptions): Promise<Table> {
  const table = new TableBuilder(options);
  let lineNo = 0;
  for await (const line of lines(path)) {
    lineNo++;
    if (line.trim().length === 0) continue;
    const where = () => `${path}:${lineNo}`;
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
  }
  return table.build(path);
}

/** Reads a whole CSV or JSONL file into columns. */
export async function readTable(path: string, options: ReadOptions = {}): Promise<Table> {
  await checkFile(path);
  return formatOf(path) === 'csv' ? readCsv(path, options) : readJsonl(path, options);
}
