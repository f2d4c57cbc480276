// GET /v1/models/:id/drift and /quality: stored window results of one model, windows starting in [from, to)
// (read scope). With a model registry: GET /v1/models lists declared models (read), PUT /v1/models/:id declares
// one for the evaluator (admin), in the same form as a YAML `models:` entry. Schema-first.
import type { FastifyInstance } from 'fastify';
import type { ApiToken } from '../../config/index.js';
import { parseTimestamp } from '../../domain/time.js';
import { readModel, readResults, type ModelDeclaration, type ModelRegistry, type StoredResult } from '../../evaluate/index.js';
import { InputError } from '../../domain/index.js';
import type { Store } from '../../store/client.js';
import { requireScope, tokenChecker } from '../auth.js';

export interface ResultRouteDeps {
  store: Store;
  tokens: ApiToken[];
  /** epoch ms, for the default range (the last 24 hours) */
  clock?: () => number;
  /** the evaluator's models; enables GET /v1/models and PUT /v1/models/:id */
  models?: ModelRegistry;
}

const declaration = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    task: { type: ['string', 'null'] },
    features: { type: 'object', additionalProperties: { type: 'string' } },
    baseline_version: { type: ['string', 'null'] },
    window_seconds: { type: 'number' },
    grace_seconds: { type: 'number' },
    label_horizon_seconds: { type: 'number' },
  },
};

function shown(m: ModelDeclaration) {
  return { id: m.id, task: m.task, features: m.features, baseline_version: m.baselineVersion, window_seconds: m.windowMs / 1000, grace_seconds: m.graceMs / 1000, label_horizon_seconds: m.labelHorizonMs / 1000 };
}

const error = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } };
const result = {
  type: 'object',
  properties: {
    feature: { type: 'string' },
    window_start: { type: 'string', format: 'date-time' },
    window_end: { type: 'string', format: 'date-time' },
    n: { type: 'integer' },
    statistic: { type: 'string' },
    value: { type: 'number' },
    p_value: { type: ['number', 'null'] },
    baseline_version: { type: 'string' },
    evaluated_at: { type: 'string', format: 'date-time' },
    details: { type: 'object', additionalProperties: true },
  },
};
const schema = (summary: string) => ({
  summary,
  tags: ['results'],
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } } },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { type: 'string', description: 'RFC 3339 or epoch ms; default 24 h before `to`' },
      to: { type: 'string', description: 'RFC 3339 or epoch ms; default now' },
      limit: { type: 'integer', minimum: 1, maximum: 100000, default: 10000 },
    },
  },
  response: {
    200: { type: 'object', properties: { model: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, results: { type: 'array', items: result } } },
    '4xx': error,
    '5xx': error,
  },
});

interface Query {
  Params: { id: string };
  Querystring: { from?: string; to?: string; limit?: number };
}

export function resultRoutes(app: FastifyInstance, deps: ResultRouteDeps): void {
  const guard = requireScope(tokenChecker(deps.tokens), 'read');
  const clock = deps.clock ?? Date.now;
  const route = (kind: 'drift' | 'quality', summary: string) =>
    app.get<Query>(`/v1/models/:id/${kind}`, { preHandler: guard, schema: schema(summary) }, async (request, reply) => {
      const to = request.query.to === undefined ? clock() : parseTimestamp(request.query.to);
      const from = request.query.from === undefined ? (to ?? 0) - 86_400_000 : parseTimestamp(request.query.from);
      if (from === undefined || to === undefined) return reply.code(400).send({ error: 'bad_request', message: 'from and to must be RFC 3339 or epoch ms' });
      if (to <= from) return reply.code(400).send({ error: 'bad_request', message: 'to must be after from' });
      const results: StoredResult[] = await readResults(deps.store, { model: request.params.id, from, to, kind, limit: request.query.limit });
      return { model: request.params.id, from: new Date(from).toISOString(), to: new Date(to).toISOString(), results };
    });
  if (deps.models) modelRoutes(app, deps.models, deps.tokens);
  route('drift', 'Per-feature drift statistics (PSI, KS, JS, χ², missing rate) of a model\'s evaluated windows');
  route('quality', 'Quality (accuracy, precision, recall, F1, MAE, RMSE), label coverage and row counts of a model\'s evaluated windows');
}

function modelRoutes(app: FastifyInstance, models: ModelRegistry, tokens: ApiToken[]): void {
  const scopes = tokenChecker(tokens);
  app.get('/v1/models', {
    preHandler: requireScope(scopes, 'read'),
    schema: { summary: 'Models the evaluator evaluates', tags: ['models'], response: { 200: { type: 'object', properties: { models: { type: 'array', items: declaration } } }, '4xx': error } },
  }, async () => ({ models: models.list().map(shown) }));
  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>('/v1/models/:id', {
    preHandler: requireScope(scopes, 'admin'),
    schema: {
      summary: 'Declares (or replaces) a model: features, task, baseline_version, window, grace, label_horizon (durations as "1h")',
      tags: ['models'],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } } },
      body: {
        // unknown keys are refused by readModel (Fastify's validator would silently drop them)
        type: 'object',
        properties: {
          task: { type: 'string', enum: ['binary', 'multiclass', 'regression'] },
          features: { type: 'object', additionalProperties: { type: 'string', enum: ['numeric', 'categorical'] } },
          baseline_version: { type: 'string' },
          window: { type: 'string' },
          grace: { type: 'string' },
          label_horizon: { type: 'string' },
        },
      },
      response: { 200: declaration, '4xx': error },
    },
  }, async (request, reply) => {
    try {
      const model = readModel({ ...request.body, id: request.params.id }, 'model');
      models.declare(model);
      return shown(model);
    } catch (e) {
      if (e instanceof InputError) return reply.code(400).send({ error: 'bad_request', message: e.message });
      throw e;
    }
  });
}
