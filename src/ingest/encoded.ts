// A message's row written straight into the insert's bytes as it is validated (store/insert-rows.ts): no row
// object, no arrays per row, so nothing of a message but its bytes waits in the backlog (fewer objects for the GC to
// move). The columns go in the order of INSERT_LAYOUTS (store/insert-layout.ts); a unit test holds them to it.
import type { FeatureValue, LabelEvent } from '../domain/index.js';
import type { RowEncoder } from '../store/insert-rows.js';
import { decodeLabel, decodePredictionFields, type DecodeOptions, type PredictionFields } from './decode.js';
import type { RawMessage } from './messages.js';
import type { Origin } from './writer.js';

/** Rows of one submission, in RowBinary, with the message each came from (for the dead letter of a refused row). */
export interface EncodedRows {
  table: 'predictions' | 'labels';
  data: Buffer;
  /** byte just past each row */
  ends: Uint32Array;
  source: string;
  /** the message of each row, in row order (originOf) */
  messages: RowMessages;
}

/** The messages of a submission's rows without an object per message: their payloads copied into one buffer (so
 *  the fetch responses they were sliced from can go), their offsets as numbers where they are (Kafka's), the topic
 *  and partition once when all share them (a Kafka batch, an HTTP request); otherwise the messages as they are. */
export type RowMessages =
  | { topic: string; partition: number; offsets: Float64Array | string[]; payloads: Buffer; payloadEnds: Uint32Array }
  | { each: RawMessage[] };

const NUMERIC_OFFSET = /^(0|[1-9]\d{0,14})$/;

export function rowMessages(messages: RawMessage[]): RowMessages {
  // plain loops and TypedArray.set: this runs for every message ingested (bench:ingest's CPU profile)
  const n = messages.length;
  const first = messages[0];
  if (!first) return { each: messages };
  let total = 0;
  let numeric = true;
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    const v = m.value;
    if (m.topic !== first.topic || m.partition !== first.partition || v === null || v === undefined) return { each: messages };
    total += typeof v === 'string' ? Buffer.byteLength(v) : v.length;
    if (numeric && !NUMERIC_OFFSET.test(m.offset)) numeric = false;
  }
  const payloads = Buffer.allocUnsafeSlow(total);
  const payloadEnds = new Uint32Array(n);
  const offsets = numeric ? new Float64Array(n) : new Array<string>(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    const v = m.value!;
    if (typeof v === 'string') pos += payloads.write(v, pos, 'utf8');
    else {
      payloads.set(v, pos);
      pos += v.length;
    }
    payloadEnds[i] = pos;
    offsets[i] = numeric ? Number(m.offset) : m.offset;
  }
  return { topic: first.topic, partition: first.partition, payloads, payloadEnds, offsets };
}

/** Where row `i` came from. */
export function originOf(rows: EncodedRows, i: number): Origin {
  const m = rows.messages;
  if ('each' in m) return { source: rows.source, ...m.each[i] };
  const value = m.payloads.subarray(i === 0 ? 0 : m.payloadEnds[i - 1], m.payloadEnds[i]);
  return { source: rows.source, topic: m.topic, partition: m.partition, offset: String(m.offsets[i]), value };
}

// One message's features, sorted by kind; reused from message to message (at most MAX_FEATURES each).
const numNames: string[] = [];
let numValues = new Float64Array(64);
let numCount = 0;
const catNames: string[] = [];
const catValues: string[] = [];
let catCount = 0;
const missingNames: string[] = [];
let missingCount = 0;

/** Starts a message's features afresh (before the first `feature`). */
export function beginFeatures(): void {
  numCount = catCount = missingCount = 0;
}

/** One validated feature of the message being encoded, in the order its object lists them. */
export function feature(name: string, v: FeatureValue): void {
  if (typeof v === 'number') numberFeature(name, v);
  else if (typeof v === 'string') textFeature(name, v);
  else missingFeature(name);
}

export function numberFeature(name: string, v: number): void {
  if (numCount === numValues.length) {
    const next = new Float64Array(numValues.length * 2);
    next.set(numValues);
    numValues = next;
  }
  numNames[numCount] = name;
  numValues[numCount++] = v;
}

export function textFeature(name: string, v: string): void {
  catNames[catCount] = name;
  catValues[catCount++] = v;
}

export function missingFeature(name: string): void {
  missingNames[missingCount++] = name;
}

const NUM_NAMES = 0;
const CAT_NAMES = 1;
const MISSING_NAMES = 2;

/** Validates a prediction message's JSON (as decodePrediction does) and writes its row; returns its event time. */
export function encodePrediction(enc: RowEncoder, json: unknown, options: DecodeOptions, ingestedAtSeconds: number): number {
  beginFeatures();
  return writePrediction(enc, decodePredictionFields(json, options, feature), ingestedAtSeconds);
}

/** Writes the row of a validated prediction whose features went to `feature` since `beginFeatures`; returns its
 *  event time. `metadataJson`: its metadata's JSON text when known already (else written from p.metadata);
 *  `idBytes`: its id as plain-ASCII bytes idFrom…idTo, written as they are (else p.predictionId). */
export function writePrediction(enc: RowEncoder, p: PredictionFields, ingestedAtSeconds: number, metadataJson?: string, idBytes?: Uint8Array, idFrom = 0, idTo = 0): number {
  // no closure per row: this runs for every message (bench:ingest's CPU profile)
  try {
    enc.string(p.model);
    enc.string(p.modelVersion);
    if (idBytes) enc.ascii(idBytes, idFrom, idTo);
    else enc.string(p.predictionId);
    enc.dateTime(Math.floor(p.timestamp / 1000));
    enc.uint64(p.timestamp);
    enc.strings(numNames, numCount, NUM_NAMES);
    enc.floats(numValues, numCount);
    enc.strings(catNames, catCount, CAT_NAMES);
    enc.strings(catValues, catCount);
    enc.strings(missingNames, missingCount, MISSING_NAMES);
    enc.nullableFloat(typeof p.prediction === 'number' ? p.prediction : null);
    enc.nullableString(typeof p.prediction === 'string' ? p.prediction : null);
    enc.nullableFloat(typeof p.label === 'number' ? p.label : null);
    enc.nullableString(typeof p.label === 'string' ? p.label : null);
    enc.string(metadataJson ?? (p.metadata ? JSON.stringify(p.metadata) : ''));
    enc.dateTime(ingestedAtSeconds);
    enc.endRow();
  } catch (error) {
    enc.abandonRow(); // a value it cannot write: the row is dropped
    throw error;
  }
  return p.timestamp;
}

/** Validates a label message's JSON (decodeLabel) and writes its row; returns its event time. */
export function encodeLabel(enc: RowEncoder, json: unknown, options: DecodeOptions, ingestedAtSeconds: number): number {
  return writeLabel(enc, decodeLabel(json, options), ingestedAtSeconds);
}

/** Writes the row of a validated label; returns its event time. */
export function writeLabel(enc: RowEncoder, l: LabelEvent, ingestedAtSeconds: number): number {
  try {
    enc.string(l.model);
    enc.string(l.predictionId);
    enc.nullableFloat(typeof l.label === 'number' ? l.label : null);
    enc.nullableString(typeof l.label === 'string' ? l.label : null);
    enc.dateTime(Math.floor(l.timestamp / 1000));
    enc.uint64(l.timestamp);
    enc.dateTime(ingestedAtSeconds);
    enc.endRow();
  } catch (error) {
    enc.abandonRow();
    throw error;
  }
  return l.timestamp;
}
