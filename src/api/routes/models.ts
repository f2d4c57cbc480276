// GET /v1/models: the models driftwatch knows (configured, or with a stored baseline) and each one's active baseline.
import type { FastifyInstance } from 'fastify';
import type { BaselineCatalog } from '../ports.js';
import { errorResponses } from './schemas.js';

export interface ModelRouteDeps {
  models: string[];
  baselines?: BaselineCatalog;
  read: (req: unknown, reply: unknown) => Promise<unknown>;
}

const model = {
  type: 'object',
  required: ['id', 'configured', 'active_baseline', 'baselines'],
  properties: {
    id: { type: 'string' },
    configured: { type: 'boolean', description: 'listed in DRIFTWATCH_MODELS / config' },
    active_baseline: { type: ['string', 'null'] },
    baselines: { type: 'integer' },
  },
} as const;

export function modelRoutes(app: FastifyInstance, deps: ModelRouteDeps): void {
  app.get('/v1/models', {
    preHandler: deps.read,
    schema: { tags: ['models'], summary: 'List models', response: { 200: { type: 'object', required: ['models'], properties: { models: { type: 'array', items: model } } }, ...errorResponses } },
  }, async () => {
    const stored = (await deps.baselines?.list()) ?? [];
    const ids = [...new Set([...deps.models, ...stored.map((b) => b.model)])].sort();
    return {
      models: ids.map((id) => {
        const own = stored.filter((b) => b.model === id);
        return { id, configured: deps.models.includes(id), active_baseline: own.find((b) => b.active)?.version ?? null, baselines: own.length };
      }),
    };
  });
}
