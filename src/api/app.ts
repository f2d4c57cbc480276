// buildApp(deps): the Fastify application; only the service's composition root listens.
// Routes are schema-first (request and every response), so validation and /docs/json come from one place.
import type { Meter, Tracer } from '@opentelemetry/api';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { AlertDispatch } from '../alerting/index.js';
import type { ModelRegistry } from '../evaluate/index.js';
import type { ApiToken } from '../config/index.js';
import { InputError } from '../domain/index.js';
import { HTTP_RATE_LIMITED_TOTAL } from '../telemetry/names/api.js';
import type { AcceptedAge } from '../ingest/messages.js';
import type { BatchWriter } from '../ingest/writer.js';
import type { Store } from '../store/index.js';
import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Logger } from '../telemetry/log.js';
import { requireScope, tokenChecker, tokenKey } from './auth.js';
import { httpMetrics } from './http-metrics.js';
import { OpenApiDocument } from './openapi.js';
import type { BaselineCatalog } from './ports.js';
import { RateLimiter } from './rate-limit.js';
import { alertRoutes } from './routes/alerts.js';
import { baselineRoutes } from './routes/baselines.js';
import { ingestRoutes } from './routes/ingest.js';
import { modelRoutes } from './routes/models.js';
import { resultRoutes } from './routes/results.js';
import { errorBody } from './routes/schemas.js';

export interface AppDeps {
  tokens: ApiToken[];
  registry: Registry;
  writer: BatchWriter;
  ingestMetrics?: IngestMetrics;
  maxMessageBytes: number;
  /** models listed in configuration (DRIFTWATCH_MODELS) */
  models: string[];
  /** models ingest accepts (empty: any), when it differs from `models`: a live set that follows PUT /v1/models/:id */
  acceptedModels?: ReadonlySet<string>;
  /** event times ingest accepts, relative to now */
  ingestAge?: AcceptedAge;
  /** called after every change a user makes through the API that must survive a restart (silences, acknowledgements) */
  onStateChange?: () => void;
  bodyLimitBytes?: number;
  /** Readiness of each dependency (ClickHouse, Kafka); /readyz is 200 only when all say true. */
  readiness: Record<string, () => Promise<boolean>>;
  /** On a ClickHouse cluster: each shard's replicas and whether they answer, shown by /readyz as `cluster`. */
  clusterState?: () => Promise<unknown[]>;
  /** The merged /metrics (prom-client + OpenTelemetry) from telemetry/registry.ts; without it /metrics serves `registry`. */
  telemetry?: { metrics(): Promise<string>; contentType: string; meter: Meter };
  tracer?: Tracer;
  /** structured JSON log: one `http_request` line per answer (debug below 400), and the cause of every 500 */
  logger?: Logger;
  /** Baselines routes (upload/list/activate) and the active baseline in /v1/models. */
  baselines?: BaselineCatalog;
  /** Window results routes (GET /v1/models/:id/drift and /quality) read from this store. */
  store?: Store;
  /** The evaluator's models: listed in GET /v1/models, declared through PUT /v1/models/:id. */
  modelRegistry?: ModelRegistry;
  /** Alert routes (list, acknowledge, silence). */
  alerts?: AlertDispatch;
  /** Requests per second and burst per caller on /v1 routes; false turns the limit off. */
  rateLimit?: { perSecond: number; burst: number } | false;
  /** epoch ms; injected by tests */
  now?: () => number;
  version?: string;
  /** how long HTTP ingest waits for ClickHouse before answering 503 (default 30 s) */
  ingestStoreWaitMs?: number;
}

/** One line naming each bad field, e.g. `body/duration_minutes must be integer; body has unknown field "until"`. */
function validationMessage(errors: Array<{ instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }>, where: string): Error {
  return new Error(errors.map((e) => {
    const at = `${where}${e.instancePath}`;
    if (e.keyword === 'additionalProperties') return `${at} has unknown field "${String(e.params.additionalProperty)}"`;
    if (e.keyword === 'required') return `${at} must have field "${String(e.params.missingProperty)}"`;
    return `${at} ${e.message ?? 'is invalid'}`;
  }).join('; '));
}

export const DEFAULT_RATE_LIMIT = { perSecond: 50, burst: 200 };

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimitBytes ?? 16 * 1024 * 1024,
    // unknown fields are refused (400), not silently dropped, so a typo never passes for a setting
    ajv: { customOptions: { removeAdditional: false } },
    schemaErrorFormatter: validationMessage,
  });
  app.addContentTypeParser(['application/x-ndjson', 'application/ndjson', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Clients get a code and a message, never a stack trace.
  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string; validation?: unknown }, _request, reply) => {
    if (error instanceof InputError) {
      const status = error.code === 'not_found' ? 404 : error.code === 'bad_input' || error.code === 'bad_baseline' ? 400 : 409;
      return reply.code(status).send({ error: error.code, message: error.message });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) deps.logger?.log('error', 'http_internal_error', { method: _request.method, route: _request.routeOptions.url, error: error.message, stack: (error as Error).stack });
    if (status >= 500) return reply.code(status).send({ error: 'internal', message: 'internal error; see the service log' });
    if (error.validation) return reply.code(400).send({ error: 'bad_request', message: error.message });
    return reply.code(status).send({ error: error.code ?? 'bad_request', message: error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));

  const docs = new OpenApiDocument({ title: 'driftwatch', version: deps.version ?? '0.1.0' });
  docs.install(app);
  if (deps.telemetry || deps.tracer || deps.logger) httpMetrics(app, { meter: deps.telemetry?.meter, tracer: deps.tracer, logger: deps.logger, now });
  const scopesOf = tokenChecker(deps.tokens);
  const limit = deps.rateLimit === undefined ? DEFAULT_RATE_LIMIT : deps.rateLimit;
  if (limit) {
    const limited = deps.telemetry?.meter.createCounter(HTTP_RATE_LIMITED_TOTAL, { description: 'Requests answered 429, by caller kind (token|ip).' });
    // A valid token is its own caller; anything else (no token, a made-up one) counts against the client address.
    const caller = (request: FastifyRequest) => (scopesOf(request.headers.authorization) ? `t:${tokenKey(request.headers.authorization!)}` : `ip:${request.ip}`);
    const hook = new RateLimiter({ ...limit, now, onLimited: (kind) => limited?.add(1, { caller: kind }) }).hook(caller);
    app.addHook('onRequest', async (request, reply) => (request.url.startsWith('/v1/') ? hook(request, reply) : undefined));
  }

  const guard = (scope: 'ingest' | 'read' | 'admin') => requireScope(scopesOf, scope) as (req: unknown, reply: unknown) => Promise<unknown>;

  const status = { type: 'object', required: ['status'], properties: { status: { type: 'string' } } } as const;
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up', response: { 200: status } } }, async () => ({ status: 'ok' }));
  const readiness = { ...status, properties: { ...status.properties,
    checks: { type: 'object', additionalProperties: { type: 'boolean' } },
    cluster: { type: 'array', description: 'per shard of a ClickHouse cluster: whether a replica answers, and each replica', items: { type: 'object', additionalProperties: true } },
  } } as const;
  app.get('/readyz', {
    schema: { tags: ['health'], summary: 'Ready only when ClickHouse (every shard of a cluster) and Kafka are reachable', response: { 200: readiness, 503: readiness } },
  }, async (_request, reply) => {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of Object.entries(deps.readiness)) checks[name] = await check().catch(() => false);
    const ready = Object.values(checks).every(Boolean);
    const cluster = deps.clusterState ? { cluster: await deps.clusterState().catch(() => []) } : {};
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks, ...cluster });
  });
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus exposition: domain, process and OpenTelemetry metrics', response: { '5xx': errorBody } } }, async (_request, reply) => {
    if (deps.telemetry) {
      reply.header('content-type', deps.telemetry.contentType);
      return deps.telemetry.metrics();
    }
    reply.header('content-type', deps.registry.contentType);
    return deps.registry.metrics();
  });
  ingestRoutes(app, { writer: deps.writer, maxMessageBytes: deps.maxMessageBytes, models: deps.acceptedModels ?? deps.models, age: deps.ingestAge, metrics: deps.ingestMetrics, guard: guard('ingest'), tracer: deps.tracer, storeWaitMs: deps.ingestStoreWaitMs });
  modelRoutes(app, { models: deps.models, baselines: deps.baselines, registry: deps.modelRegistry, read: guard('read'), admin: guard('admin') });
  if (deps.baselines) baselineRoutes(app, { baselines: deps.baselines, read: guard('read'), admin: guard('admin'), now });
  // the model registry goes to modelRoutes, not here: results.ts would register a second GET /v1/models
  if (deps.store) resultRoutes(app, { store: deps.store, tokens: deps.tokens, clock: now });
  if (deps.alerts) alertRoutes(app, { alerts: deps.alerts, read: guard('read'), admin: guard('admin'), now, onChange: deps.onStateChange });
  return app;
}
