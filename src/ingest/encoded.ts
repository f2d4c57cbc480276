// A message's row written straight into the insert's bytes as it is validated (store/insert-rows.ts): no row
// object, no arrays per row, so nothing of a message but its bytes waits in the backlog (fewer objects for the GC to
// move). The columns go in the order of INSERT_LAYOUTS (store/insert-layout.ts); a unit test holds them to it.
import type { FeatureValue } from '../domain/index.js';
import type { InsertFormat, RowEncoder } from '../store/insert-rows.js';
import { decodeLabel, decodePredictionFields, type DecodeOptions } from './decode.js';
import type { RawMessage } from './messages.js';

/** Rows of one submission, encoded, with the message each came from (for the dead letter of a refused row). */
export interface EncodedRows {
  table: 'predictions' | 'labels';
  format: InsertFormat;
  data: Buffer;
  /** byte just past each row */
  ends: Uint32Array;
  source: string;
  /** the message of each row, in row order */
  messages: RawMessage[];
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

function feature(name: string, v: FeatureValue): void {
  if (typeof v === 'number') {
    if (numCount === numValues.length) {
      const next = new Float64Array(numValues.length * 2);
      next.set(numValues);
      numValues = next;
    }
    numNames[numCount] = name;
    numValues[numCount++] = v;
  } else if (typeof v === 'string') {
    catNames[catCount] = name;
    catValues[catCount++] = v;
  } else missingNames[missingCount++] = name;
}

const NUM_NAMES = 0;
const CAT_NAMES = 1;
const MISSING_NAMES = 2;

/** Validates a prediction message's JSON (as decodePrediction does) and writes its row; returns its event time. */
export function encodePrediction(enc: RowEncoder, json: unknown, options: DecodeOptions, ingestedAtSeconds: number): number {
  numCount = catCount = missingCount = 0;
  const p = decodePredictionFields(json, options, feature);
  return row(enc, p.timestamp, () => {
    enc.string(p.model);
    enc.string(p.modelVersion);
    enc.string(p.predictionId);
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
    enc.string(p.metadata ? JSON.stringify(p.metadata) : '');
    enc.dateTime(ingestedAtSeconds);
  });
}

/** Validates a label message's JSON (decodeLabel) and writes its row; returns its event time. */
export function encodeLabel(enc: RowEncoder, json: unknown, options: DecodeOptions, ingestedAtSeconds: number): number {
  const l = decodeLabel(json, options);
  return row(enc, l.timestamp, () => {
    enc.string(l.model);
    enc.string(l.predictionId);
    enc.nullableFloat(typeof l.label === 'number' ? l.label : null);
    enc.nullableString(typeof l.label === 'string' ? l.label : null);
    enc.dateTime(Math.floor(l.timestamp / 1000));
    enc.uint64(l.timestamp);
    enc.dateTime(ingestedAtSeconds);
  });
}

/** One row by `write`, ended, or dropped if a value cannot be written; returns `timestamp`. */
function row(enc: RowEncoder, timestamp: number, write: () => void): number {
  try {
    write();
    enc.endRow();
  } catch (error) {
    enc.abandonRow();
    throw error;
  }
  return timestamp;
}
