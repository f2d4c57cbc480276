// POST /v1/predictions and /v1/labels: JSON array (or one object) or NDJSON; same decoding and dead-lettering as
// Kafka, item by item; answers only after ClickHouse stored the rows, so a 200 means durable. The token is checked
// before the body is read, and the body is read as text here (not by Fastify's JSON parser), so that any key is
// data and one bad item never costs the request its good ones.
import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bodyFormat, bodyMessages } from '../../ingest/body.js';
import { decodeMessages, type AcceptedAge, type MessageKind } from '../../ingest/messages.js';
import type { BatchWriter, SubmitResult } from '../../ingest/writer.js';
import type { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import { SPANS, withSpan } from '../../telemetry/otel.js';

export interface IngestRouteDeps {
  writer: BatchWriter;
  maxMessageBytes: number;
  /** models accepted (empty: any); a live set follows models declared through the API */
  models: string[] | ReadonlySet<string>;
  /** event times accepted relative to now */
  age?: AcceptedAge;
  metrics?: IngestMetrics;
  guard: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
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

const BODY_TYPES = ['application/json', 'application/x-ndjson', 'application/ndjson', 'text/plain'];

export function ingestRoutes(app: FastifyInstance, deps: IngestRouteDeps): void {
  const models = deps.models instanceof Set ? deps.models : new Set(deps.models);
  // Own scope: these routes take every body type as text, whatever parsers the rest of the app uses.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(BODY_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const route = (path: string, kind: MessageKind) =>
      scope.post(path, { onRequest: deps.guard, schema: { response: responseSchema, tags: ['ingest'], summary: `Ingest ${kind}s: a JSON array, one object, or NDJSON; 200 once stored` } }, async (request, reply) => {
        const raw = bodyMessages(request.body as string | undefined, bodyFormat(request.headers['content-type']), path); // InputError → 400
        if (raw.length === 0) return reply.code(400).send({ error: 'bad_request', message: 'the body holds no messages' });
        const report = decodeMessages(kind, 'http', raw, deps.maxMessageBytes, { models, age: deps.age, rowBinary: deps.writer.takesRowBinary }, Date.now());
        const store = () => within(deps.writer.submit(report.batch), deps.storeWaitMs ?? 30_000);
        let result: SubmitResult;
        try {
          result = deps.tracer
            ? await withSpan(deps.tracer, SPANS.ingestBatch, { 'driftwatch.source': 'http', 'driftwatch.kind': kind, 'driftwatch.messages': raw.length, 'driftwatch.rejected': report.rejected.length }, store)
            : await store();
        } catch (error) {
          if (!(error instanceof StoreWaitExceeded)) throw error; // 500, the cause in the log
          return reply.code(503).header('retry-after', '5').send({ error: 'store_unavailable', message: 'ClickHouse is not accepting writes right now; retry later (a retried prediction is never counted twice)' });
        }
        const rejected = [...report.rejected, ...result.refused.map((r) => ({ offset: r.origin.offset, code: 'store_refused', reason: r.reason }))];
        deps.metrics?.messages.inc({ kind, outcome: 'stored' }, raw.length - rejected.length);
        if (rejected.length) {
          deps.metrics?.messages.inc({ kind, outcome: 'rejected' }, rejected.length);
          for (const r of report.rejected) deps.metrics?.deadLetters.inc({ source: 'http', reason: r.code });
        }
        const index = (offset: string) => Number(offset.split(' ')[1]);
        return {
          accepted: raw.length - rejected.length,
          rejected: rejected.length,
          errors: rejected.map((r) => ({ index: index(r.offset), reason: r.reason })).sort((a, b) => a.index - b.index),
        };
      });
    route('/v1/predictions', 'prediction');
    route('/v1/labels', 'label');
  });
}
