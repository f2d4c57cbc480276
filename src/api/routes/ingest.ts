// POST /v1/predictions and /v1/labels: JSON array (or one object) or NDJSON; same decoding and dead-lettering as
// Kafka; answers only after ClickHouse stored the rows, so a 200 means durable.
import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { decodeMessages, type MessageKind, type RawMessage } from '../../ingest/messages.js';
import type { BatchWriter } from '../../ingest/writer.js';
import type { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import { SPANS, withSpan } from '../../telemetry/otel.js';

export interface IngestRouteDeps {
  writer: BatchWriter;
  maxMessageBytes: number;
  models: string[];
  metrics?: IngestMetrics;
  guard: (req: unknown, reply: unknown) => Promise<unknown>;
  /** one span per HTTP ingest batch when tracing is on */
  tracer?: Tracer;
  /** how long a request waits for ClickHouse before answering 503 (the rows stay queued; a retry is deduplicated) */
  storeWaitMs?: number;
}

class StoreWaitExceeded extends Error {}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new StoreWaitExceeded()), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const responseSchema = {
  200: {
    type: 'object',
    properties: {
      accepted: { type: 'integer' },
      rejected: { type: 'integer' },
      errors: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, reason: { type: 'string' } } } },
    },
  },
  '4xx': { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } },
  '5xx': { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } },
};

function items(body: unknown, route: string): RawMessage[] {
  // NDJSON arrives as a string (one message a line); JSON as a parsed array or single object.
  if (typeof body === 'string') {
    return body.split('\n').map((line, i) => ({ line: line.trim(), i })).filter((x) => x.line !== '')
      .map(({ line, i }) => ({ value: line, topic: route, partition: -1, offset: `line ${i + 1}` }));
  }
  const list = Array.isArray(body) ? body : [body];
  return list.map((item, i) => ({ value: JSON.stringify(item), topic: route, partition: -1, offset: `item ${i}` }));
}

export function ingestRoutes(app: FastifyInstance, deps: IngestRouteDeps): void {
  const models = new Set(deps.models);
  const route = (path: string, kind: MessageKind) =>
    app.post(path, { preHandler: deps.guard, schema: { response: responseSchema, tags: ['ingest'], summary: `Ingest ${kind}s: a JSON array, one object, or NDJSON; 200 once stored` } }, async (request, reply) => {
      const raw = items(request.body, path);
      if (raw.length === 0) return reply.code(400).send({ error: 'bad_request', message: 'the body holds no messages' });
      const report = decodeMessages(kind, 'http', raw, deps.maxMessageBytes, { models }, Date.now());
      const store = () => within(deps.writer.submit(report.batch), deps.storeWaitMs ?? 30_000);
      try {
        if (deps.tracer) {
          await withSpan(deps.tracer, SPANS.ingestBatch, { 'driftwatch.source': 'http', 'driftwatch.kind': kind, 'driftwatch.messages': raw.length, 'driftwatch.rejected': report.rejected.length }, store);
        } else await store();
      } catch (error) {
        if (!(error instanceof StoreWaitExceeded)) throw error;
        return reply.code(503).header('retry-after', '5').send({ error: 'store_unavailable', message: 'ClickHouse is not accepting writes right now; retry later (a retried prediction is never counted twice)' });
      }
      deps.metrics?.messages.inc({ kind, outcome: 'stored' }, raw.length - report.rejected.length);
      if (report.rejected.length) {
        deps.metrics?.messages.inc({ kind, outcome: 'rejected' }, report.rejected.length);
        for (const r of report.rejected) deps.metrics?.deadLetters.inc({ source: 'http', reason: r.code });
      }
      return {
        accepted: raw.length - report.rejected.length,
        rejected: report.rejected.length,
        errors: report.rejected.map((r) => ({ index: Number(r.offset.split(' ')[1]), reason: r.reason })),
      };
    });
  route('/v1/predictions', 'prediction');
  route('/v1/labels', 'label');
}
