// Baselines of a model: list (read), upload a profile from `driftwatch baseline build` (admin), activate a version (admin).
import type { FastifyInstance } from 'fastify';
import { parseBaseline } from '../../baseline/index.js';
import { InputError } from '../../domain/index.js';
import type { BaselineCatalog } from '../ports.js';
import { NAME_PATTERN, errorResponses, modelParams } from './schemas.js';

export interface BaselineRouteDeps {
  baselines: BaselineCatalog;
  read: (req: unknown, reply: unknown) => Promise<unknown>;
  admin: (req: unknown, reply: unknown) => Promise<unknown>;
  now: () => number;
}

const summary = {
  type: 'object',
  required: ['model', 'version', 'created_at', 'active'],
  properties: { model: { type: 'string' }, version: { type: 'string' }, created_at: { type: 'string', format: 'date-time' }, active: { type: 'boolean' } },
} as const;

// The envelope is checked here (so a bad field gets a 400 naming it); the features themselves by parseBaseline.
const profileBody = {
  type: 'object',
  required: ['schema_version', 'model', 'version', 'created_at', 'rows', 'features'],
  properties: {
    schema_version: { type: 'integer', const: 1 },
    model: { type: 'string', pattern: NAME_PATTERN },
    version: { type: 'string', pattern: NAME_PATTERN },
    created_at: { type: 'string' },
    source: { type: ['string', 'null'] },
    rows: { type: 'integer', minimum: 0 },
    features: { type: 'object', additionalProperties: { type: 'object' } },
    prediction: { type: ['object', 'null'] },
    label: { type: ['object', 'null'] },
    quality: { type: ['object', 'null'] },
  },
} as const;

export function baselineRoutes(app: FastifyInstance, deps: BaselineRouteDeps): void {
  app.get<{ Params: { id: string } }>('/v1/models/:id/baselines', {
    onRequest: deps.read,
    schema: { tags: ['baselines'], summary: 'List the baselines of a model', params: modelParams,
      response: { 200: { type: 'object', required: ['baselines'], properties: { baselines: { type: 'array', items: summary } } }, ...errorResponses } },
  }, async (request) => ({ baselines: await deps.baselines.list(request.params.id) }));

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/v1/models/:id/baselines', {
    onRequest: deps.admin,
    schema: { tags: ['baselines'], summary: 'Upload a baseline profile and make it active', params: modelParams, body: profileBody,
      response: { 201: summary, ...errorResponses } },
  }, async (request, reply) => {
    const profile = parseBaseline(request.body, 'body');
    if (profile.model !== request.params.id) throw new InputError(`body/model is "${profile.model}" but the path names model "${request.params.id}"`);
    return reply.code(201).send(await deps.baselines.save(profile, deps.now()));
  });

  app.post<{ Params: { id: string; version: string } }>('/v1/models/:id/baselines/:version/activate', {
    onRequest: deps.admin,
    schema: { tags: ['baselines'], summary: 'Make a stored baseline version the active one',
      params: { type: 'object', required: ['id', 'version'], properties: { id: { type: 'string', pattern: NAME_PATTERN }, version: { type: 'string', pattern: NAME_PATTERN } } },
      response: { 200: summary, ...errorResponses } },
  }, async (request) => {
    const { id, version } = request.params;
    const activated = await deps.baselines.activate(id, version, deps.now());
    if (!activated) throw new InputError(`model ${id} has no baseline version ${version}`, 'not_found');
    return activated;
  });
}
