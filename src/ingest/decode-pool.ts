// Decoding spread over worker threads: a Kafka batch's payloads go to a worker as one transferred buffer, the
// worker runs decodeMessages on them (the very same validation and encoding as on the main thread) and sends back
// the insert bytes, the dead letters and the few rows that take the JSON path. The main thread keeps fetching,
// inserting and committing. With no threads (the default), decoding stays on the main thread: on 2 cores shared with
// ClickHouse and the broker, one thread made ingest 18–24 % slower (bench:ingest A/B), the copies costing 3–6 µs a
// message more CPU.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { decodeMessages, type DecodeMessagesOptions, type DecodeReport, type MessageKind, type RawMessage } from './messages.js';
import { ORIGIN, withOrigin, type Origin } from './writer.js';
import type { RowMessages } from './encoded.js';

export interface MessageDecoder {
  /** What decodeMessages gives for these messages (all of one topic and partition when `threads` > 0). */
  decode(kind: MessageKind, source: string, messages: RawMessage[], maxBytes: number, options: DecodeMessagesOptions, nowMs: number): Promise<DecodeReport>;
  readonly threads: number;
  close(): Promise<void>;
}

/** The default number of decode threads: none up to 2 cores, then one per core beyond the second, at most 4. */
export function defaultDecodeThreads(cores = availableParallelism()): number {
  return Math.max(0, Math.min(4, cores - 2));
}

/** A batch as it travels to a worker: payloads back to back in one buffer (null payloads: length −1). */
export interface DecodeRequest {
  id: number;
  kind: MessageKind;
  source: string;
  topic: string;
  partition: number;
  offsets: string[];
  payloads: Uint8Array;
  lengths: Int32Array;
  maxBytes: number;
  options: Omit<DecodeMessagesOptions, 'models'> & { models?: string[] };
  nowMs: number;
}

/** A worker's answer: the report with every Buffer as a plain byte array, and the origins of the rows that go as
 *  objects beside them (an origin rides on its row under a symbol, which does not cross threads). */
export type DecodeAnswer = { id: number; report: DecodeReport; origins: { predictions: Origin[]; labels: Origin[] } } | { id: number; error: string };

export function inlineDecoder(): MessageDecoder {
  return {
    threads: 0,
    decode: async (kind, source, messages, maxBytes, options, nowMs) => decodeMessages(kind, source, messages, maxBytes, options, nowMs),
    close: async () => undefined,
  };
}

/** Builds the request for one batch (the payloads copied once into a buffer the worker then owns). */
export function decodeRequest(id: number, kind: MessageKind, source: string, messages: RawMessage[], maxBytes: number, options: DecodeMessagesOptions, nowMs: number): { request: DecodeRequest; transfer: ArrayBuffer[] } {
  const lengths = new Int32Array(messages.length);
  let total = 0;
  messages.forEach((m, i) => {
    const v = m.value;
    lengths[i] = v === null || v === undefined ? -1 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
    if (lengths[i] > 0) total += lengths[i];
  });
  const payloads = new Uint8Array(total);
  let pos = 0;
  messages.forEach((m, i) => {
    const v = m.value;
    if (lengths[i] <= 0 || v === null || v === undefined) return;
    if (typeof v === 'string') Buffer.from(payloads.buffer, pos, lengths[i]).write(v, 'utf8');
    else payloads.set(v, pos);
    pos += lengths[i];
  });
  const { models, ...rest } = options;
  const request: DecodeRequest = {
    id, kind, source, topic: messages[0]?.topic ?? '', partition: messages[0]?.partition ?? 0, offsets: messages.map((m) => m.offset),
    payloads, lengths, maxBytes, options: { ...rest, ...(models ? { models: [...models] } : {}) }, nowMs,
  };
  return { request, transfer: [payloads.buffer as ArrayBuffer, lengths.buffer as ArrayBuffer] };
}

/** The messages of a request, their payloads as Buffers over its buffer (no copy). */
export function requestMessages(r: DecodeRequest): RawMessage[] {
  const messages: RawMessage[] = new Array(r.offsets.length);
  let pos = 0;
  for (let i = 0; i < r.offsets.length; i++) {
    const n = r.lengths[i];
    messages[i] = { topic: r.topic, partition: r.partition, offset: r.offsets[i], value: n < 0 ? null : Buffer.from(r.payloads.buffer, r.payloads.byteOffset + pos, n) };
    if (n > 0) pos += n;
  }
  return messages;
}

/** Worker side: decodes a request and prepares the answer (byte arrays copied out of reused scratch buffers). */
export function answer(r: DecodeRequest): { answer: DecodeAnswer; transfer: ArrayBuffer[] } {
  const { models, ...rest } = r.options;
  const report = decodeMessages(r.kind, r.source, requestMessages(r), r.maxBytes, { ...rest, ...(models ? { models: new Set(models) } : {}) }, r.nowMs);
  const transfer: ArrayBuffer[] = [];
  // bytes that are a whole buffer of their own (Output.take, rowMessages) travel as they are; a view of a larger
  // buffer is copied first, or the whole buffer would be cloned with it
  const own = (b: Uint8Array): Uint8Array => {
    const whole = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
    const out = whole ? b : Uint8Array.from(b);
    transfer.push(out.buffer as ArrayBuffer);
    return out;
  };
  for (const e of report.batch.encoded ?? []) {
    e.data = own(e.data) as Buffer;
    if ('payloads' in e.messages) e.messages.payloads = own(e.messages.payloads) as Buffer;
  }
  const originFrom = (row: object) => (row as { [ORIGIN]?: Origin })[ORIGIN]!;
  const origins = { predictions: report.batch.predictions.map(originFrom), labels: report.batch.labels.map(originFrom) };
  return { answer: { id: r.id, report, origins }, transfer };
}

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Main-thread side: the report back with Buffers and origins in place. */
export function rehydrate(a: Extract<DecodeAnswer, { report: DecodeReport }>): DecodeReport {
  const { report, origins } = a;
  for (const e of report.batch.encoded ?? []) {
    e.data = asBuffer(e.data);
    const m: RowMessages = e.messages;
    if ('payloads' in m) m.payloads = asBuffer(m.payloads);
    else for (const each of m.each) if (each.value instanceof Uint8Array) each.value = asBuffer(each.value);
  }
  const tag = <T extends object>(rows: T[], from: Origin[]) => rows.forEach((row, i) => {
    const o = from[i];
    if (o) withOrigin(row, { ...o, value: o.value instanceof Uint8Array ? asBuffer(o.value) : o.value });
  });
  tag(report.batch.predictions, origins.predictions);
  tag(report.batch.labels, origins.labels);
  return report;
}

/** `threads` workers, each batch to the one with the fewest batches in hand; a worker that dies fails its batches
 *  (they are fetched again from the last commit, like any batch not stored) and is replaced on the next batch. */
export function decodePool(threads: number): MessageDecoder {
  if (threads <= 0) return inlineDecoder();
  const boot = new URL('./decode-worker-boot.mjs', import.meta.url);
  const entry = new URL(import.meta.url.endsWith('.ts') ? './decode-worker.ts' : './decode-worker.js', import.meta.url).href;
  interface Slot { worker: Worker; waiting: Map<number, { resolve(r: DecodeReport): void; reject(e: Error): void }> }
  const slots: Array<Slot | undefined> = new Array(threads).fill(undefined);
  let nextId = 0;

  const spawn = (k: number): Slot => {
    const worker = new Worker(boot, { workerData: { entry, tsx: entry.endsWith('.ts') } });
    worker.unref();
    const slot: Slot = { worker, waiting: new Map() };
    const fail = (error: Error) => {
      if (slots[k] === slot) slots[k] = undefined;
      for (const w of slot.waiting.values()) w.reject(error);
      slot.waiting.clear();
    };
    worker.on('message', (a: DecodeAnswer) => {
      const w = slot.waiting.get(a.id);
      if (!w) return;
      slot.waiting.delete(a.id);
      if ('error' in a) w.reject(new Error(`decode worker: ${a.error}`));
      else w.resolve(rehydrate(a));
    });
    worker.on('error', (error) => fail(new Error(`decode worker failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`decode worker exited with code ${code}`)));
    slots[k] = slot;
    return slot;
  };

  return {
    threads,
    decode(kind, source, messages, maxBytes, options, nowMs) {
      if (messages.length === 0) return Promise.resolve(decodeMessages(kind, source, messages, maxBytes, options, nowMs));
      let k = 0;
      for (let i = 1; i < threads; i++) if ((slots[i]?.waiting.size ?? 0) < (slots[k]?.waiting.size ?? 0)) k = i;
      const slot = slots[k] ?? spawn(k);
      const id = ++nextId;
      const { request, transfer } = decodeRequest(id, kind, source, messages, maxBytes, options, nowMs);
      return new Promise<DecodeReport>((resolve, reject) => {
        slot.waiting.set(id, { resolve, reject });
        slot.worker.postMessage(request, transfer);
      });
    },
    // the threads end; a later batch starts new ones
    async close() {
      const all = slots.splice(0, threads, ...new Array<undefined>(threads).fill(undefined));
      await Promise.all(all.map((s) => s?.worker.terminate()));
    },
  };
}
