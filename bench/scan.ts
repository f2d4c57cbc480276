// JSON parse + validation + RowBinary encoding of one message, the full path (parseJsonMessage, then
// encodePrediction) against ingest's path (src/ingest/scan.ts's byte-level scan, the full path for what it declines),
// on the bench's messages, in the same run, rounds interleaved: parse + validation alone, then with the encoder; with
// metadata; and, for a producer whose messages the scan declines (a name not ASCII in each), what trying costs.
// Prints one JSON object: CPU µs per message (median and fastest round) and the speed-up of the medians.
import { parseJsonMessage } from '../src/ingest/decode.js';
import { encodePrediction } from '../src/ingest/encoded.js';
import { DECLINED, scanRow } from '../src/ingest/scan.js';
import { rowEncoder, type RowEncoder } from '../src/store/insert-rows.js';
import { benchMessage, progress, type MessageShape } from './lib.js';

const MESSAGES = Number(process.env.BENCH_SCAN_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_SCAN_ROUNDS ?? 11);
const MAX_BYTES = 1 << 20;
const INGESTED_AT = 1_764_000_000;
const SHAPES: Record<string, MessageShape> = { '20 features': { numeric: 20 }, '30 features': { numeric: 25, nulls: true, categorical: 5 } };

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const stats = (xs: number[]) => ({ median: +sorted(xs)[Math.floor(xs.length / 2)].toFixed(3), fastest: +sorted(xs)[0].toFixed(3) });

/** CPU µs per message of one round of `each` over the messages (encoding nothing, or RowBinary), the encoder's rows
 *  taken out at the end. */
function round(messages: Buffer[], encode: boolean, each: (enc: RowEncoder, m: Buffer) => void): { us: number; bytes: Buffer } {
  const enc = encode ? rowEncoder() : writesNothing();
  const start = process.cpuUsage();
  for (const m of messages) each(enc, m);
  const bytes = enc.finish().data;
  const used = process.cpuUsage(start);
  return { us: (used.user + used.system) / messages.length, bytes };
}

const fullPath = (enc: RowEncoder, m: Buffer) => void encodePrediction(enc, parseJsonMessage(m, MAX_BYTES), {}, INGESTED_AT);
/** What decodeMessages does: the scan, then the full path for a message it declines. */
const ingestPath = (enc: RowEncoder, m: Buffer) => {
  if (scanRow(enc, 'prediction', m, MAX_BYTES, {}, INGESTED_AT) === DECLINED) fullPath(enc, m);
};

/** An encoder that writes nothing: parse and validation alone. */
function writesNothing(): RowEncoder {
  const none = () => undefined;
  return {
    rows: 0, string: none, ascii: none, dateTime: none, uint64: none, nullableFloat: none, nullableString: none, floats: none, strings: none, endRow: none, abandonRow: none,
    finish: () => ({ data: Buffer.alloc(0), ends: new Uint32Array(0) }),
  };
}

function compare(name: string, messages: Buffer[], encode = true): void {
  const full: number[] = [];
  const ingest: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = round(messages, encode, fullPath);
    const b = round(messages, encode, ingestPath);
    if (!a.bytes.equals(b.bytes)) throw new Error(`${name}: ingest's path wrote other bytes than the full path`);
    // the first round warms both up (JIT) and is not counted
    if (r === 0) continue;
    full.push(a.us);
    ingest.push(b.us);
  }
  const f = stats(full);
  const s = stats(ingest);
  results[name] = { full_path_cpu_us_per_message: f, with_scan_cpu_us_per_message: s, speedup: +(f.median / s.median).toFixed(2) };
  progress(`${name}: ${JSON.stringify(results[name])}`);
}

const results: Record<string, unknown> = {};
for (const [shapeName, shape] of Object.entries(SHAPES)) {
  const messages = Array.from({ length: MESSAGES }, (_, i) => Buffer.from(benchMessage(i, shape)));
  const enc = rowEncoder();
  if (messages.some((m) => scanRow(enc, 'prediction', m, MAX_BYTES, {}, INGESTED_AT) === DECLINED)) throw new Error(`${shapeName}: the scan declined a bench message`);
  compare(`${shapeName}, parse + validation only (an encoder that writes nothing)`, messages, false);
  compare(`${shapeName}, RowBinary`, messages);
}
const withMetadata = (i: number) => `${benchMessage(i, 20).slice(0, -1)},"metadata":{"source":"batch-${i % 7}","run":${i % 100}}}`;
compare('20 features with metadata, RowBinary', Array.from({ length: MESSAGES }, (_, i) => Buffer.from(withMetadata(i))));
// a feature name that is not ASCII: the scan declines every message
compare('20 features, one name not ASCII (declined by the scan), RowBinary', Array.from({ length: MESSAGES }, (_, i) => Buffer.from(benchMessage(i, 20).replace('"f3"', '"f€"'))));
console.log(JSON.stringify({ messages: MESSAGES, rounds: ROUNDS - 1, results }, null, 2));
