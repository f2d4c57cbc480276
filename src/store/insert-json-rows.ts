// JSONCompactEachRow rows written byte by byte into one buffer (the embedded engine's raw insert format): plain
// ASCII text is copied as it is, anything else goes through JSON.stringify; numbers as text that reads back as the
// same double, -0 kept. insert-rows.ts's RowEncoder for the embedded engine.
import { NotEncodable } from './insert-layout.js';
import { Output } from './insert-rowbinary.js';

// [ ] , " \ and the row's newline
const [OPEN, CLOSE, COMMA, QUOTE, BACKSLASH, NEWLINE] = [0x5b, 0x5d, 0x2c, 0x22, 0x5c, 0x0a];
const POW10 = [1, 10, 100, 1000, 10000];

export class JsonBytes {
  readonly out = new Output(1 << 16);
  private first = true;
  rowStart = 0;

  /** The separator before the next column (the row's "[" before the first). */
  column(): void {
    this.out.room(1);
    this.out.buf[this.out.pos++] = this.first ? OPEN : COMMA;
    this.first = false;
  }

  byte(b: number): void {
    this.out.room(1);
    this.out.buf[this.out.pos++] = b;
  }

  /** Text known to be ASCII. */
  ascii(s: string): void {
    const out = this.out;
    const n = s.length;
    out.room(n);
    const buf = out.buf;
    let p = out.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    out.pos = p;
  }

  string(s: string): void {
    const out = this.out;
    const n = s.length;
    out.room(n + 2);
    const buf = out.buf;
    let p = out.pos;
    buf[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return this.escaped(s);
      buf[p++] = c;
    }
    buf[p++] = QUOTE;
    out.pos = p;
  }

  private escaped(s: string): void {
    const text = JSON.stringify(s);
    const bytes = Buffer.byteLength(text, 'utf8');
    this.out.room(bytes);
    this.out.pos += this.out.buf.write(text, this.out.pos, bytes, 'utf8');
  }

  /** A finite number as text that reads back as the same double: a value with at most four decimals (the common
   *  case: integers, money, rounded scores) is written from its integer digits, exactly — m / 10^k is correctly
   *  rounded, as is the engine's reading of the decimal m·10^-k, so both are the double nearest that decimal;
   *  anything else as JavaScript writes it (String: 5× slower). -0 stays -0. */
  number(v: number): void {
    if (!Number.isFinite(v)) throw new NotEncodable(`not a finite number: ${v}`);
    if (v === 0) return this.ascii(1 / v < 0 ? '-0' : '0');
    for (let k = 0; k < POW10.length; k++) {
      const m = Math.round(v * POW10[k]);
      if (m / POW10[k] === v && Math.abs(m) <= Number.MAX_SAFE_INTEGER) return this.decimal(m, k);
    }
    this.ascii(String(v));
  }

  /** The decimal m·10^-k (m a non-zero safe integer). */
  private decimal(m: number, k: number): void {
    const out = this.out;
    out.room(24);
    const buf = out.buf;
    if (m < 0) {
      buf[out.pos++] = 0x2d; // -
      m = -m;
    }
    let digits = 1;
    for (let x = m; x >= 10; x = Math.floor(x / 10)) digits++;
    const width = Math.max(digits, k + 1); // at least one digit before the point
    const end = out.pos + width + (k > 0 ? 1 : 0);
    let p = end;
    for (let i = 0; i < width; i++) {
      if (k > 0 && i === k) buf[--p] = 0x2e; // .
      buf[--p] = 0x30 + (m % 10);
      m = Math.floor(m / 10);
    }
    out.pos = end;
  }

  endRow(): number {
    this.out.room(2);
    this.out.buf[this.out.pos++] = CLOSE;
    this.out.buf[this.out.pos++] = NEWLINE;
    this.first = true;
    this.rowStart = this.out.pos;
    return this.out.pos;
  }

  abandonRow(): void {
    this.out.pos = this.rowStart;
    this.first = true;
  }

  take(): Buffer {
    this.first = true;
    this.rowStart = 0;
    return this.out.take();
  }

  /** An array's "[", ",", "]". */
  open(): void {
    this.byte(OPEN);
  }
  comma(): void {
    this.byte(COMMA);
  }
  close(): void {
    this.byte(CLOSE);
  }
}
