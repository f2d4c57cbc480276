// Turns a batch of raw messages into rows: valid ones to their table, the rest to dead letters with the reason.
// Nothing one message holds can throw past its own dead letter: decoding and row building are caught per message.
import { InputError } from '../domain/index.js';
import { NotEncodable } from '../store/insert-layout.js';
import { rowEncoder, type RowEncoder } from '../store/insert-rows.js';
import { decodeLabel, parseJsonMessage, type DecodeOptions } from './decode.js';
import { encodeLabel, encodePrediction, rowMessages } from './encoded.js';
import { labelRow, predictionRowOf } from './rows.js';
import { DECLINED, scanRow } from './scan.js';
import { deadLetter, withOrigin, type IngestBatch, type Origin } from './writer.js';

export type MessageKind = 'prediction' | 'label';

export interface RawMessage {
  value: Buffer | string | null | undefined;
  /** where it came from, for the dead letter: topic/partition/offset, or the HTTP route and item index */
  topic: string;
  partition: number;
  offset: string;
}

export interface DecodeReport {
  batch: IngestBatch;
  rejected: Array<{ offset: string; code: string; reason: string }>;
  newestEventMs: number;
}

/** Which event times ingest accepts, relative to now: the retention horizon back (older rows would be dropped by
 *  retention at once), a small clock skew ahead. */
export interface AcceptedAge {
  maxAgeMs: number;
  maxFutureMs: number;
}

export function payloadText(value: RawMessage['value']): string {
  return value === null || value === undefined ? '' : typeof value === 'string' ? value : value.toString('utf8');
}

/** One encoder, reused: decodeMessages runs to its end without yielding. */
let encoder: RowEncoder | undefined;

export interface DecodeMessagesOptions extends DecodeOptions {
  age?: AcceptedAge;
  /** Valid rows are written straight into RowBinary insert bytes (batch.encoded) instead of row objects: for a store
   *  that takes them (BatchWriter.takesRowBinary). */
  rowBinary?: boolean;
}

export function decodeMessages(
  kind: MessageKind, source: string, messages: RawMessage[], maxBytes: number, options: DecodeMessagesOptions, nowMs: number,
): DecodeReport {
  const report: DecodeReport = { batch: { predictions: [], labels: [], deadLetters: [] }, rejected: [], newestEventMs: 0 };
  const window = options.age ? { minMs: nowMs - options.age.maxAgeMs, maxMs: nowMs + options.age.maxFutureMs } : options.window;
  const decodeOptions: DecodeOptions = { models: options.models, window };
  const enc = options.rowBinary ? (encoder ??= rowEncoder()) : undefined;
  const encodedMessages: RawMessage[] = [];
  const ingestedAt = Math.floor(nowMs / 1000);
  for (const m of messages) {
    // the common message straight from its bytes (scan.ts); anything else, and every refusal, by the full path
    const scanned = enc ? scanRow(enc, kind, m.value, maxBytes, decodeOptions, ingestedAt) : DECLINED;
    if (scanned !== DECLINED) {
      if (scanned > report.newestEventMs) report.newestEventMs = scanned;
      encodedMessages.push(m);
      continue;
    }
    try {
      const json = parseJsonMessage(m.value, maxBytes);
      if (enc && encodedRow(enc, kind, json, decodeOptions, ingestedAt, report)) {
        encodedMessages.push(m);
        continue;
      }
      const origin: Origin = { source, topic: m.topic, partition: m.partition, offset: m.offset, value: m.value };
      if (kind === 'prediction') {
        const p = predictionRowOf(json, decodeOptions, nowMs);
        report.batch.predictions.push(withOrigin(p.row, origin));
        if (p.timestamp > report.newestEventMs) report.newestEventMs = p.timestamp;
      } else {
        const l = decodeLabel(json, decodeOptions);
        report.batch.labels.push(withOrigin(labelRow(l, nowMs), origin));
        if (l.timestamp > report.newestEventMs) report.newestEventMs = l.timestamp;
      }
    } catch (error) {
      // An InputError names the field; anything else (a bug, an engine limit) still dead-letters this message only.
      const code = error instanceof InputError ? error.code : 'unprocessable';
      const reason = error instanceof InputError ? error.message : `could not be processed: ${(error as Error)?.message ?? String(error)}`;
      report.batch.deadLetters.push(deadLetter(source, m.topic, m.partition, m.offset, reason, payloadText(m.value), nowMs));
      report.rejected.push({ offset: m.offset, code, reason });
    }
  }
  if (enc && encodedMessages.length) {
    const { data, ends } = enc.finish();
    report.batch.encoded = [{ table: kind === 'prediction' ? 'predictions' : 'labels', data, ends, source, messages: rowMessages(encodedMessages) }];
  }
  return report;
}

/** Writes the message's row into `enc`: true if written, false if a value is not encodable (the row then goes as an
 *  object, so the store's JSON path lets ClickHouse judge it); a validation error is thrown as it is. */
function encodedRow(enc: RowEncoder, kind: MessageKind, json: unknown, options: DecodeOptions, ingestedAt: number, report: DecodeReport): boolean {
  try {
    const timestamp = kind === 'prediction' ? encodePrediction(enc, json, options, ingestedAt) : encodeLabel(enc, json, options, ingestedAt);
    if (timestamp > report.newestEventMs) report.newestEventMs = timestamp;
    return true;
  } catch (error) {
    if (error instanceof NotEncodable) return false;
    throw error;
  }
}
