// Steps over one JSON value in a message's bytes without building it: for a field ingest ignores (scan.ts), which
// must still be JSON that JSON.parse accepts for the message to be read. Stricter never matters (the message then
// takes the full path); laxer would, so every rule of JSON is kept: escapes, no control characters in strings,
// number grammar, nesting at any depth (an explicit stack), no trailing commas. Bytes above 0x7f in a string are
// accepted, as UTF-8 decoding replaces bad ones rather than fail.

const [QUOTE, BACKSLASH, COMMA, COLON, OPEN, CLOSE, OPEN_LIST, CLOSE_LIST] = [0x22, 0x5c, 0x2c, 0x3a, 0x7b, 0x7d, 0x5b, 0x5d];

/** Whether the containers open around the value being read are objects (1) or arrays (0), innermost last. */
const open: number[] = [];

/** Past JSON's whitespace (space, tab, CR, LF) from `p`. */
export function whitespace(b: Uint8Array, p: number): number {
  let c = b[p];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
  return p;
}

export const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** A JSON string at `p` (a quote): the position past it, or -1. */
function string(b: Uint8Array, p: number): number {
  const end = b.length;
  for (p++; p < end; p++) {
    const c = b[p];
    if (c === QUOTE) return p + 1;
    if (c < 0x20) return -1;
    if (c === BACKSLASH) {
      const e = b[++p];
      if (e === 0x75) {
        if (!(isHex(b[p + 1]) && isHex(b[p + 2]) && isHex(b[p + 3]) && isHex(b[p + 4]))) return -1;
        p += 4;
      } else if (!(e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) return -1;
    }
  }
  return -1;
}

/** A JSON number at `p`: the position past it, or -1. */
function number(b: Uint8Array, p: number): number {
  if (b[p] === 0x2d) p++;
  let c = b[p];
  if (c === 0x30) c = b[++p];
  else if (c > 0x30 && c <= 0x39) while (isDigit(c)) c = b[++p];
  else return -1;
  if (c === 0x2e) {
    if (!isDigit(b[++p])) return -1;
    while (isDigit(b[p])) p++;
    c = b[p];
  }
  if (c === 0x65 || c === 0x45) {
    c = b[++p];
    if (c === 0x2b || c === 0x2d) p++;
    if (!isDigit(b[p])) return -1;
    while (isDigit(b[p])) p++;
  }
  return p;
}

/** `word` (true, false, null) at `p`: the position past it, or -1. */
export function literal(b: Uint8Array, p: number, word: string): number {
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word.charCodeAt(i)) return -1;
  return p + word.length;
}

/** The JSON value at `p` (whitespace before it already passed) stepped over: the position past it, or -1 where
 *  JSON.parse would fail. */
export function skipJson(b: Uint8Array, p: number): number {
  open.length = 0;
  for (;;) {
    // a value
    const c = b[p];
    if (c === OPEN || c === OPEN_LIST) {
      p = whitespace(b, p + 1);
      if (b[p] === (c === OPEN ? CLOSE : CLOSE_LIST)) p++;
      else {
        open.push(c === OPEN ? 1 : 0);
        if (c === OPEN) {
          p = member(b, p);
          if (p < 0) return -1;
        }
        continue;
      }
    } else if (c === QUOTE) p = string(b, p);
    else if (c === 0x74) p = literal(b, p, 'true');
    else if (c === 0x66) p = literal(b, p, 'false');
    else if (c === 0x6e) p = literal(b, p, 'null');
    else p = number(b, p);
    if (p < 0) return -1;
    // what follows it: a comma and the next value, or the closing of its containers
    for (;;) {
      if (open.length === 0) return p;
      p = whitespace(b, p);
      const inObject = open[open.length - 1] === 1;
      const d = b[p];
      if (d === COMMA) {
        p = whitespace(b, p + 1);
        if (inObject) p = member(b, p);
        if (p < 0) return -1;
        break;
      }
      if (d !== (inObject ? CLOSE : CLOSE_LIST)) return -1;
      open.pop();
      p++;
    }
  }
}

/** An object member's name and colon at `p`: the position of its value, or -1. */
function member(b: Uint8Array, p: number): number {
  if (b[p] !== QUOTE) return -1;
  p = whitespace(b, string(b, p));
  if (p < 0 || b[p] !== COLON) return -1;
  return whitespace(b, p + 1);
}

/** The JSON value at `p` when JSON.stringify(JSON.parse(its text)) is that very text once the whitespace between
 *  its tokens is taken out (compactJson), with objects and arrays nested at most `depth` levels: the position past
 *  it, or -1 (when it is not, or any doubt). So a message's metadata can be stored from the bytes it came in.
 *  Strings of printable ASCII without escapes; numbers as String() writes them (no exponent, no -0, no trailing
 *  zero, at most 15 significant digits: such a decimal is the shortest that reads back as its double, and at least
 *  1e-6, where String() would switch to an exponent); object keys that are not array indices (Object.keys would
 *  list those first) nor repeated nor "__proto__". */
export function canonicalJson(b: Uint8Array, p: number, depth: number): number {
  const c = b[p];
  if (c === QUOTE) return canonicalString(b, p);
  if (c === 0x74) return literal(b, p, 'true');
  if (c === 0x66) return literal(b, p, 'false');
  if (c === 0x6e) return literal(b, p, 'null');
  if (c !== OPEN && c !== OPEN_LIST) return canonicalNumber(b, p);
  if (depth === 0) return -1;
  const close = c === OPEN ? CLOSE : CLOSE_LIST;
  p = whitespace(b, p + 1);
  if (b[p] === close) return p + 1;
  const keys = c === OPEN ? new Set<string>() : undefined;
  for (;;) {
    if (keys) {
      const from = p + 1;
      p = canonicalString(b, p);
      if (p < 0 || p - 1 === from || isDigit(b[from])) return -1;
      const key = Buffer.prototype.latin1Slice.call(b, from, p - 1) as string;
      if (key === '__proto__' || keys.has(key)) return -1;
      keys.add(key);
      p = whitespace(b, p);
      if (b[p] !== COLON) return -1;
      p = whitespace(b, p + 1);
    }
    p = canonicalJson(b, p, depth - 1);
    if (p < 0) return -1;
    p = whitespace(b, p);
    const d = b[p++];
    if (d === close) return p;
    if (d !== COMMA) return -1;
    p = whitespace(b, p);
  }
}

/** The text of canonicalJson's value from…to, the whitespace between its tokens taken out (its strings hold no
 *  escapes, so a quote always opens or closes one). */
export function compactJson(b: Uint8Array, from: number, to: number): string {
  const out = Buffer.allocUnsafe(to - from);
  let n = 0;
  let inString = false;
  for (let i = from; i < to; i++) {
    const c = b[i];
    if (c === QUOTE) inString = !inString;
    else if (!inString && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) continue;
    out[n++] = c;
  }
  return out.toString('latin1', 0, n);
}

/** A string of printable ASCII without escapes at `p` (JSON.stringify writes it back as it is): past it, or -1. */
function canonicalString(b: Uint8Array, p: number): number {
  if (b[p] !== QUOTE) return -1;
  const end = b.length;
  for (p++; p < end; p++) {
    const c = b[p];
    if (c === QUOTE) return p + 1;
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return -1;
  }
  return -1;
}

/** A number as String() writes it (see canonicalJson): past it, or -1. */
function canonicalNumber(b: Uint8Array, p: number): number {
  const negative = b[p] === 0x2d;
  if (negative) p++;
  let c = b[p];
  let digits = 0;
  const zero = c === 0x30;
  if (zero) c = b[++p];
  else if (c > 0x30 && c <= 0x39) {
    do {
      digits++;
      c = b[++p];
    } while (isDigit(c));
  } else return -1;
  if (c === 0x2e) {
    c = b[++p];
    let leadingZeros = 0;
    for (; zero && c === 0x30 && digits === 0; c = b[++p]) leadingZeros++;
    if (leadingZeros > 5) return -1;
    let last = -1;
    for (; isDigit(c); c = b[++p]) {
      digits++;
      last = c;
    }
    if (last === -1 || last === 0x30) return -1;
  } else if (zero && negative) return -1;
  if (c === 0x65 || c === 0x45 || digits > 15) return -1;
  return p;
}
