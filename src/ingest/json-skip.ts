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
