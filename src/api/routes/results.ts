// GET /v1/models/:id/drift and /quality: stored window results of one model, windows starting in [from, to)
// (read scope). Schema-first. Declaring models (GET /v1/models, PUT /v1/models/:id) lives in routes/models.ts.
import type { FastifyInstance } from 'fastify';
import type { ApiToken } from '../../config/index.js';
import { parseTimestamp } from '../../domain/time.js';
import { readResults, type StoredResult } from '../../evaluate/index.js';
import type { Store } from '../../store/client.js';
import { requireScope, tokenChecker } from '../auth.js';

export interface ResultRouteDeps {
  store: Store;
  tokens: ApiToken[];
  /** epoch ms, for the default range (the last 24 hours) */
  clock?: () => number;
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
    app.get<Query>(`/v1/models/:id/${kind}`, { onRequest: guard, schema: schema(summary) }, async (request, reply) => {
      const to = request.query.to === undefined ? clock() : parseTimestamp(request.query.to);
      const from = request.query.from === undefined ? (to ?? 0) - 86_400_000 : parseTimestamp(request.query.from);
      if (from === undefined || to === undefined) return reply.code(400).send({ error: 'bad_request', message: 'from and to must be RFC 3339 or epoch ms' });
      if (to <= from) return reply.code(400).send({ error: 'bad_request', message: 'to must be after from' });
      const results: StoredResult[] = await readResults(deps.store, { model: request.params.id, from, to, kind, limit: request.query.limit });
      return { model: request.params.id, from: new Date(from).toISOString(), to: new Date(to).toISOString(), results };
    });
  route('drift', 'Per-feature drift statistics (PSI, KS, JS, χ², missing rate) of a model\'s evaluated windows');
  route('quality', 'Quality (accuracy, precision, recall, F1, MAE, RMSE), label coverage and row counts of a model\'s evaluated windows');
}
