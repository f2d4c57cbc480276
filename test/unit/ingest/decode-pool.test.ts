// Decoding in worker threads (decode-pool.ts) gives exactly what decoding on the main thread gives: the same insert
// bytes, dead letters, rejections and event times, and rows that go as objects keep their origin for a dead letter.
import { afterAll, describe, expect, it } from 'vitest';
import { decodePool, defaultDecodeThreads } from '../../../src/ingest/decode-pool.js';
import { decodeMessages, type RawMessage } from '../../../src/ingest/messages.js';
import { ORIGIN } from '../../../src/ingest/writer.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const AGE = { maxAgeMs: 90 * 86_400_000, maxFutureMs: 3_600_000 };
const good = (i: number) => ({ model: 'fraud', prediction_id: `p-${i}`, timestamp: NOW - i * 1000, features: { amount: i / 7, country: i % 2 ? 'DE' : 'FR', gap: null }, prediction: 0.5, metadata: i % 5 ? undefined : { k: [i] } });
const messages: RawMessage[] = [
  ...Array.from({ length: 50 }, (_, i) => JSON.stringify(good(i))),
  '{"model":"fraud"', // not JSON
  JSON.stringify({ ...good(60), timestamp: NOW + 86_400_000 }), // in the future
  JSON.stringify({ ...good(61), model: 'other' }), // not an accepted model
  JSON.stringify({ ...good(62), features: { 'é😀': '😀' } }),
  null,
  JSON.stringify({ ...good(63), prediction_id: 'sur-\ud800' }),
].map((value, i) => ({ value: value === null ? null : Buffer.from(value), topic: 'predictions', partition: 3, offset: String(1000 + i) }));
const options = { age: AGE, models: new Set(['fraud']) };

const pool = decodePool(2);
afterAll(() => pool.close());

/** A report as plain data (Buffers as hex, origins spelled out), to compare across threads. */
function plain(report: ReturnType<typeof decodeMessages>) {
  const rows = (list: object[]) => list.map((r) => ({ ...r, origin: (r as { [ORIGIN]?: { value: unknown } })[ORIGIN] && { ...(r as { [ORIGIN]: object })[ORIGIN], value: String((r as { [ORIGIN]: { value: unknown } })[ORIGIN].value) } }));
  return {
    predictions: rows(report.batch.predictions), labels: rows(report.batch.labels), deadLetters: report.batch.deadLetters,
    encoded: (report.batch.encoded ?? []).map((e) => ({ ...e, data: e.data.toString('hex'), isBuffer: Buffer.isBuffer(e.data), messages: 'payloads' in e.messages ? { ...e.messages, payloads: e.messages.payloads.toString('hex'), isBuffer: Buffer.isBuffer(e.messages.payloads) } : e.messages })),
    rejected: report.rejected, newestEventMs: report.newestEventMs,
  };
}

describe('decoding in worker threads', () => {
  it('encodes the same insert bytes and refuses the same messages with the same reasons as the main thread', async () => {
    const here = decodeMessages('prediction', 'kafka', messages, 1e6, { ...options, rowBinary: true }, NOW);
    const there = await pool.decode('prediction', 'kafka', messages, 1e6, { ...options, rowBinary: true }, NOW);
    expect(here.batch.encoded?.[0].ends.length).toBe(51);
    expect(here.rejected.map((r) => r.code)).toEqual(['not_json', 'timestamp_out_of_range', 'unknown_model', 'empty', 'bad_unicode']);
    expect(plain(there)).toEqual(plain(here));
    expect(plain(there).encoded[0]).toMatchObject({ isBuffer: true, messages: { isBuffer: true } });
  });

  it('rows that go as objects come back with their origin (topic, partition, offset, payload)', async () => {
    const here = decodeMessages('prediction', 'kafka', messages, 1e6, options, NOW);
    const there = await pool.decode('prediction', 'kafka', messages, 1e6, options, NOW);
    expect(there.batch.predictions).toHaveLength(51);
    expect(plain(there)).toEqual(plain(here));
    const origin = (there.batch.predictions[3] as { [ORIGIN]?: { offset: string; value: unknown } })[ORIGIN];
    expect(origin?.offset).toBe('1003');
    expect(Buffer.isBuffer(origin?.value)).toBe(true);
  });

  it('many batches at once, spread over the threads, each answered with its own report', async () => {
    const batches = Array.from({ length: 12 }, (_, b) => messages.slice(b, b + 20).map((m) => ({ ...m, partition: b })));
    const reports = await Promise.all(batches.map((batch) => pool.decode('prediction', 'kafka', batch, 1e6, { ...options, rowBinary: true }, NOW)));
    reports.forEach((r, b) => expect(plain(r)).toEqual(plain(decodeMessages('prediction', 'kafka', batches[b], 1e6, { ...options, rowBinary: true }, NOW))));
  });

  it('a closed pool starts new threads for the next batch', async () => {
    await pool.close();
    const again = await pool.decode('prediction', 'kafka', messages.slice(0, 3), 1e6, options, NOW);
    expect(again.batch.predictions).toHaveLength(3);
  });

  it('a thread that dies fails its batch with the reason, and the next batch gets a new thread', async () => {
    const dying = decodePool(1);
    process.env.DRIFTWATCH_FAILPOINT = 'decode-worker-exit'; // read by the thread when it starts
    try {
      await expect(dying.decode('prediction', 'kafka', messages.slice(0, 3), 1e6, options, NOW)).rejects.toThrow(/decode worker exited with code 3/);
    } finally {
      delete process.env.DRIFTWATCH_FAILPOINT;
    }
    expect((await dying.decode('prediction', 'kafka', messages.slice(0, 3), 1e6, options, NOW)).batch.predictions).toHaveLength(3);
    await dying.close();
  });

  it('takes no threads up to 2 cores, then one per core beyond the second, at most 4', () => {
    expect([1, 2, 3, 4, 8, 64].map(defaultDecodeThreads)).toEqual([0, 0, 1, 2, 4, 4]);
  });
});
