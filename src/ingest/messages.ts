// Turns a batch of raw messages into rows: valid ones to their table, the rest to dead letters with the reason.
// Nothing one message holds can throw past its own dead letter: decoding and row building are caught per message.
import { InputError } from '../domain/index.js';
import { decodeLabel, parseJsonMessage, type DecodeOptions } from './decode.js';
import { labelRow, predictionRowOf } from './rows.js';
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

export function decodeMessages(
  kind: MessageKind, source: string, messages: RawMessage[], maxBytes: number, options: DecodeOptions & { age?: AcceptedAge }, nowMs: number,
): DecodeReport {
  const report: DecodeReport = { batch: { predictions: [], labels: [], deadLetters: [] }, rejected: [], newestEventMs: 0 };
  const window = options.age ? { minMs: nowMs - options.age.maxAgeMs, maxMs: nowMs + options.age.maxFutureMs } : options.window;
  const decodeOptions: DecodeOptions = { models: options.models, window };
  for (const m of messages) {
    const origin: Origin = { source, topic: m.topic, partition: m.partition, offset: m.offset, value: m.value };
    try {
      const json = parseJsonMessage(m.value, maxBytes);
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
  return report;
}
