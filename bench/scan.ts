// JSON parse + validation + encoding of one message, the full path (parseJsonMessage, then encodePrediction) against
// the byte-level scan (src/ingest/scan.ts), on the bench's messages, in the same run, rounds interleaved; both
// encoders. Prints one JSON object: CPU µs per message, the median of the rounds, and the speed-up.
import { parseJsonMessage } from '../src/ingest/decode.js';
import { encodePrediction } from '../src/ingest/encoded.js';
import { DECLINED, scanRow } from '../src/ingest/scan.js';
import { rowEncoder, type InsertFormat } from '../src/store/insert-rows.js';
import { benchMessage, progress, type MessageShape } from './lib.js';

const MESSAGES = Number(process.env.BENCH_SCAN_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_SCAN_ROUNDS ?? 9);
const MAX_BYTES = 1 << 20;
const INGESTED_AT = 1_764_000_000;
const SHAPES: Record<string, MessageShape> = { '20 features': { numeric: 20 }, '30 features': { numeric: 25, nulls: true, categorical: 5 } };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU µs per message of one round of `each` over the messages, the encoder's rows taken out at the end. */
function round(messages: Buffer[], format: InsertFormat, each: (enc: ReturnType<typeof rowEncoder>, m: Buffer) => void): { us: number; bytes: Buffer } {
  const enc = rowEncoder(format);
  const start = process.cpuUsage();
  for (const m of messages) each(enc, m);
  const bytes = enc.finish().data;
  const used = process.cpuUsage(start);
  return { us: (used.user + used.system) / messages.length, bytes };
}

const fullPath = (enc: ReturnType<typeof rowEncoder>, m: Buffer) => void encodePrediction(enc, parseJsonMessage(m, MAX_BYTES), {}, INGESTED_AT);
const scanned = (enc: ReturnType<typeof rowEncoder>, m: Buffer) => {
  if (scanRow(enc, 'prediction', m, MAX_BYTES, {}, INGESTED_AT) === DECLINED) throw new Error('a bench message was declined by the scan');
};

const results: Record<string, unknown> = {};
for (const [shapeName, shape] of Object.entries(SHAPES)) {
  const messages = Array.from({ length: MESSAGES }, (_, i) => Buffer.from(benchMessage(i, shape)));
  for (const format of ['RowBinary', 'JSONCompactEachRow'] as InsertFormat[]) {
    const full: number[] = [];
    const scan: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const a = round(messages, format, fullPath);
      const b = round(messages, format, scanned);
      if (!a.bytes.equals(b.bytes)) throw new Error(`${shapeName} ${format}: the scan wrote other bytes than the full path`);
      // the first round warms both up (JIT) and is not counted
      if (r === 0) continue;
      full.push(a.us);
      scan.push(b.us);
    }
    const key = `${shapeName}, ${format}`;
    results[key] = {
      full_path_cpu_us_per_message: +median(full).toFixed(3),
      scan_cpu_us_per_message: +median(scan).toFixed(3),
      speedup: +(median(full) / median(scan)).toFixed(2),
    };
    progress(`${key}: ${JSON.stringify(results[key])}`);
  }
}
console.log(JSON.stringify({ messages: MESSAGES, rounds: ROUNDS - 1, results }, null, 2));
