// An in-memory table of feature columns as read from a training or current file: numeric columns as
// Float64Array (NaN = missing), categorical columns as strings (null = missing).
import { InputError, type FeatureKind } from '../domain/index.js';

/** `mismatched`: values of another type (text in a numeric column, an object in a categorical one), read as missing when counted. */
export type Column =
  | { kind: 'numeric'; values: Float64Array; mismatched?: number }
  | { kind: 'categorical'; values: (string | null)[]; mismatched?: number };

export interface Table {
  /** Where the rows came from, for messages. */
  source: string;
  rows: number;
  /** In first-seen order. */
  columns: Map<string, Column>;
  /** Every column name the file has, including those not read (ReadOptions.columns). */
  names?: string[];
}

/** Words that mean "no value" in a CSV cell (an empty cell is missing too). */
const MISSING_WORDS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none']);

export function isMissingText(text: string): boolean {
  // Fast path for the common case: a long cell without surrounding blanks is a value.
  if (text.length > 4 && text.charCodeAt(0) > 32 && text.charCodeAt(text.length - 1) > 32) return false;
  const trimmed = text.trim();
  return trimmed.length <= 4 && MISSING_WORDS.has(trimmed.toLowerCase());
}

/** Collects one column while reading; its kind is fixed by the caller or by its first non-missing value. */
export class ColumnBuilder {
  kind: FeatureKind | undefined;
  private numbers = new Float64Array(1024);
  private strings: (string | null)[] = [];
  length = 0;
  /** values of another type than the column's, counted instead of refused (countMismatches) */
  mismatched = 0;

  constructor(
    readonly name: string,
    kind: FeatureKind | undefined,
    rowsBefore: number,
    private readonly countMismatches = false,
  ) {
    this.kind = kind;
    for (let i = 0; i < rowsBefore; i++) this.pushMissing();
  }

  pushMissing(): void {
    if (this.kind === 'categorical') this.strings.push(null);
    else this.store(NaN);
    this.length++;
  }

  /** A text cell (CSV): numeric columns must parse as finite numbers. */
  pushText(text: string, where: () => string): void {
    if (isMissingText(text)) return this.pushMissing();
    if (this.kind === undefined) this.decide(Number.isFinite(Number(text)) ? 'numeric' : 'categorical');
    if (this.kind === 'categorical') this.strings.push(text);
    else {
      const value = Number(text);
      if (!Number.isFinite(value)) return this.mismatch(() => this.notNumeric(JSON.stringify(text), where));
      this.store(value);
    }
    this.length++;
  }

  /** A JSON value (JSONL): numbers are numeric, strings categorical, null missing. */
  pushJson(value: unknown, where: () => string): void {
    if (value === null || value === undefined) return this.pushMissing();
    if (this.kind === undefined) this.decide(typeof value === 'number' ? 'numeric' : 'categorical');
    if (this.kind === 'categorical') {
      if (typeof value === 'object') {
        return this.mismatch(() => new InputError(`${where()}: column "${this.name}" holds ${JSON.stringify(value).slice(0, 40)}; expected a string, number, boolean or null`));
      }
      this.strings.push(String(value));
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value)) return this.mismatch(() => this.notNumeric(JSON.stringify(value).slice(0, 40), where));
      this.store(value);
    }
    this.length++;
  }

  build(): Column {
    const mismatched = this.countMismatches ? { mismatched: this.mismatched } : {};
    if (this.kind === 'categorical') return { kind: 'categorical', values: this.strings, ...mismatched };
    return { kind: 'numeric', values: this.numbers.slice(0, this.length), ...mismatched };
  }

  /** A value of another type: counted and read as missing, or refused. */
  private mismatch(refusal: () => InputError): void {
    if (!this.countMismatches) throw refusal();
    this.mismatched++;
    this.pushMissing();
  }

  private decide(kind: FeatureKind): void {
    this.kind = kind;
    // Rows before the first value were all missing; as strings they become null.
    if (kind === 'categorical') this.strings = new Array<string | null>(this.length).fill(null);
  }

  /** A value already parsed as a finite number, in a column that is numeric or not yet decided. */
  pushNumber(value: number): void {
    if (this.kind === undefined) this.kind = 'numeric';
    this.store(value);
    this.length++;
  }

  private store(value: number): void {
    if (this.length === this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    this.numbers[this.length] = value;
  }

  private notNumeric(shown: string, where: () => string): InputError {
    return new InputError(
      `${where()}: column "${this.name}" is numeric but holds ${shown}; fix the value or list the column in --categorical`,
      'not_numeric',
    );
  }
}
