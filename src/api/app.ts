// buildApp(deps): the Fastify application; only the service's composition root listens.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ApiToken } from '../config/index.js';
import type { BatchWriter } from '../ingest/writer.js';
import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { requireScope, tokenChecker } from './auth.js';
import { ingestRoutes } from './routes/ingest.js';

export interface AppDeps {
  tokens: ApiToken[];
  registry: Registry;
  writer: BatchWriter;
  ingestMetrics?: IngestMetrics;
  maxMessageBytes: number;
  models: string[];
  bodyLimitBytes?: number;
  /** Readiness of each dependency (ClickHouse, Kafka); /readyz is 200 only when all say true. */
  readiness: Record<string, () => Promise<boolean>>;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: deps.bodyLimitBytes ?? 16 * 1024 * 1024 });
  app.addContentTypeParser(['application/x-ndjson', 'application/ndjson', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Clients get a code and a message, never a stack trace.
  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string; validation?: unknown }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) return reply.code(status).send({ error: 'internal', message: 'internal error; see the service log' });
    return reply.code(status).send({ error: error.code ?? 'bad_request', message: error.message });
  });
  const scopesOf = tokenChecker(deps.tokens);
  const guard = requireScope(scopesOf, 'ingest') as (req: unknown, reply: unknown) => Promise<unknown>;

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of Object.entries(deps.readiness)) checks[name] = await check().catch(() => false);
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.registry.contentType);
    return deps.registry.metrics();
  });
  ingestRoutes(app, { writer: deps.writer, maxMessageBytes: deps.maxMessageBytes, models: deps.models, metrics: deps.ingestMetrics, guard });
  return app;
}
