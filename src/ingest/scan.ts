// The common message read straight from its bytes into its row, without JSON.parse and the object it builds:
// printable-ASCII strings without escapes, plain numbers, the fields it reads once each (any other stepped over,
// json-skip.ts), metadata only as JSON.stringify would write it (but for whitespace). Anything else
// (or any doubt) is declined, and the message takes the full path (parseJsonMessage, then encodePrediction or
// encodeLabel), so what is refused, and why, stays exactly as there. What is accepted is written byte for byte as
// that path writes it: a unit test holds the two to it on a large corpus.
import { parseTimestamp } from '../domain/time.js';
import type { RowEncoder } from '../store/insert-rows.js';
import { MAX_DEPTH, MAX_FEATURES, MAX_ID, STORE_TIME_RANGE, type DecodeOptions, type PredictionFields } from './decode.js';
import { canonicalJson, compactJson, isDigit, literal, skipJson, whitespace } from './json-skip.js';
import { beginFeatures, missingFeature, numberFeature, textFeature, writeLabel, writePrediction } from './encoded.js';
import type { MessageKind } from './messages.js';

/** What `scanRow` returns for a message it leaves to the full path (event times are never negative). */
export const DECLINED = -1;

const [QUOTE, BACKSLASH, COMMA, COLON, MINUS, PLUS, DOT, ZERO, NINE, OPEN, CLOSE] = [0x22, 0x5c, 0x2c, 0x3a, 0x2d, 0x2b, 0x2e, 0x30, 0x39, 0x7b, 0x7d];
/** 10^k exactly, k ≤ 22: m / 10^k and m · 10^k of an integer m < 2^53 are then the correctly rounded decimal, as
 *  JSON.parse gives it. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** Significant digits up to which the mantissa is an exact integer (< 2^53); longer numbers go through Number(),
 *  V8's same correctly rounded reading as JSON.parse's. */
const EXACT_DIGITS = 15;

// The top-level fields, by their bit in `seen`.
const FIELDS = ['model', 'model_version', 'prediction_id', 'timestamp', 'features', 'prediction', 'label', 'metadata'];
const [MODEL, VERSION, ID, TIMESTAMP, FEATURES, PREDICTION, LABEL, METADATA] = FIELDS.map((_, i) => i);
/** The fields each kind reads (decodePredictionFields, decodeLabel), and those it requires; any other is skipped. */
const PREDICTION_FIELDS = (1 << FIELDS.length) - 1;
const PREDICTION_REQUIRED = (1 << MODEL) | (1 << ID) | (1 << TIMESTAMP) | (1 << FEATURES);
const LABEL_FIELDS = (1 << MODEL) | (1 << ID) | (1 << TIMESTAMP) | (1 << LABEL);
const LABEL_REQUIRED = LABEL_FIELDS;

/** Buffer's own latin1 reader (undeclared in @types/node), the quickest way from ASCII bytes to a string. */
type Bytes = Buffer & { latin1Slice(from: number, to: number): string };

// The last value read, and the message's bytes (positions are passed and returned: locals are faster).
let buf = Buffer.alloc(0) as Bytes;
const NONE = 0; // absent or null
const NUMBER = 1;
const STRING = 2;
let valueKind = NONE;
/** The last number read (a typed array holds it unboxed: a module variable would box each one). */
const number1 = new Float64Array(1);
let str = '';
let strStart = 0;
let strEnd = 0;

/** Strings kept from the last messages, a few per slot, so a repeated one (a model, a version, a category) is not
 *  built again. */
class Recent {
  private readonly kept: string[] = [];
  private readonly next: number[] = [];
  /** `longest`: longer strings are not kept (many long categories would hold much memory) */
  constructor(private readonly perSlot: number, private readonly longest = 64) {}
  /** The string of bytes strStart…strEnd (ASCII): one kept in slot `i` when it is the same. */
  at(i: number): string {
    const b = buf;
    const from = strStart;
    const len = strEnd - from;
    const first = i * this.perSlot;
    for (let k = first; k < first + this.perSlot; k++) {
      const prev = this.kept[k];
      if (prev === undefined) break;
      if (prev.length !== len) continue;
      let j = 0;
      while (j < len && prev.charCodeAt(j) === b[from + j]) j++;
      if (j === len) return prev;
    }
    const s = text(b, from, strEnd);
    if (len > this.longest) return s;
    const k = this.next[i] ?? 0;
    this.next[i] = (k + 1) % this.perSlot;
    return (this.kept[first + k] = s);
  }
}

/** The string of ASCII bytes from…to: a short one char by char (quicker than a call into Buffer's C++). */
function text(b: Bytes, from: number, to: number): string {
  if (to - from > 12) return b.latin1Slice(from, to);
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]);
  return s;
}

const models = new Recent(4);
const versions = new Recent(4);
/** The feature names of the last messages, by position, and whether this message's differ. */
const lastNames: string[] = [];
let namesChanged = false;
const categories = new Recent(16);
const outcomes = new Recent(16);
/** How many of `lastNames` are a name list already found free of repeats; -1 when none is. */
let checkedNames = -1;
const unique = new Set<string>();
/** This message's feature names, in order. */
const listed: string[] = [];

/** A string of printable ASCII without escapes at `p`: its bytes in strStart…strEnd; the position past it, or -1. */
function plainString(b: Bytes, p: number): number {
  if (b[p] !== QUOTE) return -1;
  const start = ++p;
  const end = b.length;
  for (; p < end; p++) {
    const c = b[p];
    if (c === QUOTE) {
      strStart = start;
      strEnd = p;
      return p + 1;
    }
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return -1;
  }
  return -1;
}

/** A JSON number at `p` into number1[0]: the position past it, or -1 if it is not one, or not finite. */
function number(b: Bytes, p: number): number {
  const start = p;
  const negative = b[p] === MINUS;
  if (negative) p++;
  let c = b[p];
  let m = 0;
  let digits = 0;
  if (c === ZERO) {
    c = b[++p];
    if (isDigit(c)) return -1;
  } else if (c > ZERO && c <= NINE) {
    do {
      m = m * 10 + (c - ZERO);
      digits++;
      c = b[++p];
    } while (isDigit(c));
  } else return -1;
  let scale = 0;
  if (c === DOT) {
    c = b[++p];
    if (!isDigit(c)) return -1;
    do {
      if (m !== 0 || c !== ZERO) digits++;
      m = m * 10 + (c - ZERO);
      scale--;
      c = b[++p];
    } while (isDigit(c));
  }
  if (c === 0x65 || c === 0x45) {
    c = b[++p];
    const down = c === MINUS;
    if (down || c === PLUS) c = b[++p];
    if (!isDigit(c)) return -1;
    let e = 0;
    do {
      if (e < 1e6) e = e * 10 + (c - ZERO);
      c = b[++p];
    } while (isDigit(c));
    scale += down ? -e : e;
  }
  let v: number;
  if (m === 0) v = 0;
  else if (digits > EXACT_DIGITS || scale < -22 || scale > 22) v = Math.abs(Number(text(b, start, p)));
  else v = scale < 0 ? m / POW10[-scale] : m * POW10[scale];
  number1[0] = negative ? -v : v;
  return Number.isFinite(v) ? p : -1;
}

/** A feature's or a prediction's value (scalar() in decode.ts): null, a number, or a string (booleans as their
 *  text, a string's bytes in strStart…strEnd for scalarText); the position past it, or -1. */
function scalar(b: Bytes, p: number): number {
  const c = b[p];
  if (c === QUOTE) {
    valueKind = STRING;
    return plainString(b, p);
  }
  if (c === 0x74 || c === 0x66) {
    valueKind = STRING;
    str = c === 0x74 ? 'true' : 'false';
    strStart = -1;
    return literal(b, p, str);
  }
  if (c === 0x6e) {
    valueKind = NONE;
    return literal(b, p, 'null');
  }
  valueKind = NUMBER;
  return number(b, p);
}

/** The text of the string scalar() just read: a boolean's, or its bytes (kept in `recent`'s slot `i`). */
const scalarText = (recent: Recent, i: number) => (strStart < 0 ? str : recent.at(i));

/** After a member, at a "," or the closing "}": `more` tells which; the position past it (and whitespace), or -1. */
let more = false;
function nextMember(b: Bytes, p: number): number {
  p = (b[p] <= 0x20 ? whitespace(b, p) : p);
  const c = b[p];
  more = c === COMMA;
  return more ? (b[p + 1] <= 0x20 ? whitespace(b, p + 1) : p + 1) : c === CLOSE ? p + 1 : -1;
}

/** A member's name and its colon, the name's bytes in strStart…strEnd: the position of its value, or -1. */
function memberName(b: Bytes, p: number): number {
  p = plainString(b, p);
  if (p < 0) return -1;
  p = (b[p] <= 0x20 ? whitespace(b, p) : p);
  return b[p] === COLON ? (b[p + 1] <= 0x20 ? whitespace(b, p + 1) : p + 1) : -1;
}

/** Which of FIELDS the name just read is; -1 for any other. Told apart by length and first letter, then compared. */
function fieldOf(b: Bytes): number {
  const from = strStart;
  const len = strEnd - from;
  const first = b[from];
  let f: number;
  if (len === 5) f = first === 0x6d ? MODEL : LABEL;
  else if (len === 13) f = first === 0x6d ? VERSION : ID;
  else if (len === 9) f = TIMESTAMP;
  else if (len === 8) f = first === 0x66 ? FEATURES : METADATA;
  else if (len === 10) f = PREDICTION;
  else return -1;
  const name = FIELDS[f];
  for (let j = 0; j < len; j++) if (name.charCodeAt(j) !== b[from + j]) return -1;
  return f;
}

/** The features object at `p`, each feature to `feature` (encoded.ts) in the order Object.keys would list them:
 *  names that could be array indices (a leading digit) or repeat are declined, as they would be listed otherwise.
 *  The position past it, or -1. */
function features(b: Bytes, p: number): number {
  if (b[p] !== OPEN) return -1;
  p = (b[p + 1] <= 0x20 ? whitespace(b, p + 1) : p + 1);
  // a list that is the one checked last (same names, same slots) needs no new check for repeats
  const checked = checkedNames;
  checkedNames = -1;
  namesChanged = false;
  let n = 0;
  let c = b[p];
  if (c === CLOSE) p++;
  else {
    do {
      if (n === MAX_FEATURES) return -1;
      const name = featureName(b, p, n);
      if (name === undefined) return -1;
      listed[n] = name;
      p = strEnd + 1;
      p = b[p] <= 0x20 ? whitespace(b, p) : p;
      if (b[p] !== COLON) return -1;
      p = b[p + 1] <= 0x20 ? whitespace(b, p + 1) : p + 1;
      p = scalar(b, p);
      if (p < 0) return -1;
      if (valueKind === NUMBER) numberFeature(name, number1[0]);
      else if (valueKind === STRING) textFeature(name, scalarText(categories, n));
      else missingFeature(name);
      n++;
      p = b[p] <= 0x20 ? whitespace(b, p) : p;
      c = b[p++];
      if (c === COMMA) p = b[p] <= 0x20 ? whitespace(b, p) : p;
      else if (c !== CLOSE) return -1;
    } while (c === COMMA);
  }
  if (namesChanged || n !== checked) {
    unique.clear();
    for (let i = 0; i < n; i++) unique.add(listed[i]);
    if (unique.size !== n) return -1;
  }
  checkedNames = n;
  return p;
}

/** The feature name at `p` (its bytes in strStart…strEnd): the last message's name in slot `n` when the bytes
 *  are the same, else built and checked (printable ASCII, 1…MAX_ID long, no leading digit: what checkFeatureName
 *  accepts, and no array index); undefined when it is not such a name. */
function featureName(b: Bytes, p: number, n: number): string | undefined {
  if (b[p] !== QUOTE) return undefined;
  const from = p + 1;
  const prev = lastNames[n];
  if (prev !== undefined) {
    const len = prev.length;
    let j = 0;
    while (j < len && b[from + j] === prev.charCodeAt(j)) j++;
    if (j === len && b[from + len] === QUOTE) {
      strStart = from;
      strEnd = from + len;
      return prev;
    }
  }
  if (plainString(b, p) < 0) return undefined;
  const len = strEnd - strStart;
  if (len === 0 || len > MAX_ID || isDigit(b[strStart])) return undefined;
  namesChanged = true;
  return (lastNames[n] = text(b, strStart, strEnd));
}

/** An id or version (requiredString in decode.ts, numbers allowed) into `str`: the position past it, or -1. */
function idText(b: Bytes, p: number, recent?: Recent): number {
  if (b[p] === QUOTE) {
    p = plainString(b, p);
    if (p < 0 || strEnd === strStart || strEnd - strStart > MAX_ID) return -1;
    str = recent ? recent.at(0) : text(b, strStart, strEnd);
    return p;
  }
  p = number(b, p);
  if (p >= 0) str = String(number1[0]);
  return p;
}

/** The message's metadata as stored (its JSON text), '' for none. */
let metadata = '';
/** A prediction's id as its bytes idFrom…idTo of the message; idFrom −1 when it is in fields.predictionId. */
let idFrom = -1;
let idTo = -1;
const fields: PredictionFields = { model: '', modelVersion: '', predictionId: '', timestamp: 0, prediction: null, label: null, metadata: null };

/** Reads the message in `buf` into `fields` (features to `feature`); false to decline it. */
function message(kind: MessageKind, options: DecodeOptions): boolean {
  const b = buf;
  let p = (b[0] <= 0x20 ? whitespace(b, 0) : 0);
  if (b[p] !== OPEN) return false;
  p = (b[p + 1] <= 0x20 ? whitespace(b, p + 1) : p + 1);
  const read = kind === 'label' ? LABEL_FIELDS : PREDICTION_FIELDS;
  let seen = 0;
  let time: number | string = -1;
  metadata = '';
  idFrom = -1;
  fields.modelVersion = '';
  fields.prediction = fields.label = null;
  do {
    p = memberName(b, p);
    if (p < 0) return false;
    const f = fieldOf(b);
    if (f < 0 || !(read & (1 << f))) p = skipJson(b, p); // a field the full path ignores (still JSON)
    else {
      if (seen & (1 << f)) return false;
      seen |= 1 << f;
      if (f === MODEL) {
        p = plainString(b, p);
        if (p < 0 || strEnd === strStart || strEnd - strStart > MAX_ID) return false;
        fields.model = models.at(0);
      } else if (f === ID) {
        if (kind === 'prediction' && b[p] === QUOTE) {
          // a prediction's id is written from its bytes (writePrediction's idBytes): no string is built
          p = plainString(b, p);
          if (p < 0 || strEnd === strStart || strEnd - strStart > MAX_ID) return false;
          idFrom = strStart;
          idTo = strEnd;
        } else {
          p = idText(b, p);
          fields.predictionId = str;
        }
      } else if (f === VERSION) {
        if (b[p] === 0x6e) p = literal(b, p, 'null');
        else {
          p = idText(b, p, versions);
          fields.modelVersion = str;
        }
      } else if (f === TIMESTAMP) {
        if (b[p] === QUOTE) {
          p = plainString(b, p);
          if (p >= 0) time = text(b, strStart, strEnd);
        } else {
          p = number(b, p);
          time = number1[0];
        }
      } else if (f === FEATURES) p = features(b, p);
      else if (f === METADATA) {
        // stored as JSON.stringify writes it, so only text that is already that (null: none)
        const from = p;
        p = b[p] === OPEN ? canonicalJson(b, p, MAX_DEPTH) : literal(b, p, 'null');
        metadata = p >= 0 && b[from] === OPEN ? compactJson(b, from, p) : '';
      }
      else {
        p = scalar(b, p);
        const v = valueKind === NUMBER ? number1[0] : valueKind === STRING ? scalarText(outcomes, f) : null;
        if (f === PREDICTION) fields.prediction = v;
        else fields.label = v;
      }
    }
    if (p < 0) return false;
    p = nextMember(b, p);
    if (p < 0) return false;
  } while (more);
  if ((b[p] <= 0x20 ? whitespace(b, p) : p) !== b.length) return false;
  if (kind === 'label' ? (seen & LABEL_REQUIRED) !== LABEL_REQUIRED || fields.label === null : (seen & PREDICTION_REQUIRED) !== PREDICTION_REQUIRED) return false;
  if (options.models && options.models.size > 0 && !options.models.has(fields.model)) return false;
  const ts = parseTimestamp(time);
  if (ts === undefined) return false;
  const lo = Math.max(STORE_TIME_RANGE.minMs, options.window?.minMs ?? -Infinity);
  const hi = Math.min(STORE_TIME_RANGE.maxMs, options.window?.maxMs ?? Infinity);
  if (!(ts >= lo && ts <= hi)) return false;
  fields.timestamp = ts;
  return true;
}

/** After this many messages of a kind declined in a row, only one in this many is tried until one is read: a
 *  producer whose messages the scan never reads (metadata in each, non-ASCII names) pays for almost no scans. */
export const DECLINED_RUN = 64;
const declinedRun = { prediction: 0, label: 0 };

/** Writes the row of a common, valid message straight from its bytes and returns its event time; DECLINED (and
 *  nothing written) for anything else, which the full path then reads. */
export function scanRow(enc: RowEncoder, kind: MessageKind, raw: Buffer | string | null | undefined, maxBytes: number, options: DecodeOptions, ingestedAtSeconds: number): number {
  const run = declinedRun[kind]++;
  if (run >= DECLINED_RUN && run % DECLINED_RUN !== 0) return DECLINED;
  const ts = scanned(enc, kind, raw, maxBytes, options, ingestedAtSeconds);
  if (ts !== DECLINED) declinedRun[kind] = 0;
  return ts;
}

function scanned(enc: RowEncoder, kind: MessageKind, raw: Buffer | string | null | undefined, maxBytes: number, options: DecodeOptions, ingestedAtSeconds: number): number {
  if (raw === null || raw === undefined) return DECLINED;
  // text is read as its UTF-8 bytes: one that is plain ASCII, the only kind accepted, has the very same characters
  buf = (typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw) as Bytes;
  if (buf.length > maxBytes) return DECLINED;
  try {
    beginFeatures();
    if (!message(kind, options)) return DECLINED;
    if (kind === 'label') return writeLabel(enc, { model: fields.model, predictionId: fields.predictionId, label: fields.label!, timestamp: fields.timestamp }, ingestedAtSeconds);
    return writePrediction(enc, fields, ingestedAtSeconds, metadata, idFrom >= 0 ? buf : undefined, idFrom, idTo);
  } catch {
    // a value the encoder will not write (its row is dropped): the full path decides what becomes of it
    return DECLINED;
  }
}
