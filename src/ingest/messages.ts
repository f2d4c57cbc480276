// Turns a batch of raw messages into rows: valid ones to their table, the rest to dead letters with the reason.
import { InputError } from '../domain/index.js';
import { decodeLabel, decodePrediction, parseJsonMessage, type DecodeOptions } from './decode.js';
import { labelRow, predictionRow } from './rows.js';
import { deadLetter, type IngestBatch } from './writer.js';

export type MessageKind = 'prediction' | 'label';

export interface RawMessage {
  value: Buffer | string | null;
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

export function decodeMessages(kind: MessageKind, source: string, messages: RawMessage[], maxBytes: number, options: DecodeOptions, nowMs: number): DecodeReport {
  const report: DecodeReport = { batch: { predictions: [], labels: [], deadLetters: [] }, rejected: [], newestEventMs: 0 };
  for (const m of messages) {
    try {
      const json = parseJsonMessage(m.value, maxBytes);
      if (kind === 'prediction') {
        const p = decodePrediction(json, options);
        report.batch.predictions.push(predictionRow(p, nowMs));
        if (p.timestamp > report.newestEventMs) report.newestEventMs = p.timestamp;
      } else {
        const l = decodeLabel(json, options);
        report.batch.labels.push(labelRow(l, nowMs));
        if (l.timestamp > report.newestEventMs) report.newestEventMs = l.timestamp;
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const payload = m.value === null ? '' : typeof m.value === 'string' ? m.value : m.value.toString('utf8');
      report.batch.deadLetters.push(deadLetter(source, m.topic, m.partition, m.offset, error.message, payload, nowMs));
      report.rejected.push({ offset: m.offset, code: error.code, reason: error.message });
    }
  }
  return report;
}
