// Models: GET /v1/models lists every model driftwatch knows — configured (DRIFTWATCH_MODELS), declared to the
// evaluator, or with a stored baseline — with its declaration and active baseline; PUT /v1/models/:id (admin)
// declares one for the evaluator in the same form as a YAML `models:` entry.
import type { FastifyInstance } from 'fastify';
import { readModel, type ModelDeclaration, type ModelRegistry } from '../../evaluate/index.js';
import { DEFAULT_SEGMENT_TOP, MAX_SEGMENT_FEATURES, MAX_SEGMENT_TOP } from '../../evaluate/models.js';
import { DEFAULT_LABEL_COVERAGE } from '../../detect/label-gate.js';
import type { BaselineCatalog } from '../ports.js';
import { NAME_PATTERN, errorResponses, modelParams } from './schemas.js';

export interface ModelRouteDeps {
  models: string[];
  baselines?: BaselineCatalog;
  /** the evaluator's models; enables PUT /v1/models/:id */
  registry?: ModelRegistry;
  read: (req: unknown, reply: unknown) => Promise<unknown>;
  admin: (req: unknown, reply: unknown) => Promise<unknown>;
}

const declaration = {
  type: 'object',
  required: ['id', 'task', 'features', 'baseline_version', 'window_seconds', 'grace_seconds', 'label_horizon_seconds'],
  properties: {
    id: { type: 'string' },
    task: { type: ['string', 'null'] },
    features: { type: 'object', additionalProperties: { type: 'string' } },
    baseline_version: { type: ['string', 'null'] },
    window_seconds: { type: 'number' },
    grace_seconds: { type: 'number' },
    label_horizon_seconds: { type: 'number' },
    label_coverage: { type: 'number', description: 'share of labelled predictions at which a window\'s accuracy is judged before its label horizon' },
    segments: { type: 'array', items: { type: 'string' }, description: 'categorical features (or model_version) whose top values are evaluated on their own' },
    segment_top: { type: 'integer', description: 'values per segment feature evaluated on their own (the rest together)' },
  },
} as const;

const model = {
  type: 'object',
  required: ['id', 'configured', 'declared', 'active_baseline', 'baselines'],
  properties: {
    id: { type: 'string' },
    configured: { type: 'boolean', description: 'listed in DRIFTWATCH_MODELS / config' },
    declared: { anyOf: [{ type: 'null' }, declaration], description: 'what the evaluator evaluates; null when not declared' },
    active_baseline: { type: ['string', 'null'] },
    baselines: { type: 'integer' },
  },
} as const;

// what parseDuration (src/domain/time.ts) reads; checked here too so a bad value's 400 names its field
const DURATION = { type: 'string', pattern: '^\\s*[0-9]+(\\.[0-9]+)?(ms|s|m|h|d|w)\\s*$' } as const;

const shown = (m: ModelDeclaration) => ({
  id: m.id, task: m.task, features: m.features, baseline_version: m.baselineVersion,
  window_seconds: m.windowMs / 1000, grace_seconds: m.graceMs / 1000, label_horizon_seconds: m.labelHorizonMs / 1000,
  label_coverage: m.labelCoverage ?? DEFAULT_LABEL_COVERAGE,
  segments: m.segments ?? [],
  segment_top: m.segmentTop ?? DEFAULT_SEGMENT_TOP,
});

export function modelRoutes(app: FastifyInstance, deps: ModelRouteDeps): void {
  app.get('/v1/models', {
    onRequest: deps.read,
    schema: { tags: ['models'], summary: 'List models', response: { 200: { type: 'object', required: ['models'], properties: { models: { type: 'array', items: model } } }, ...errorResponses } },
  }, async () => {
    const stored = (await deps.baselines?.list()) ?? [];
    const declared = new Map((deps.registry?.list() ?? []).map((m) => [m.id, m]));
    const ids = [...new Set([...deps.models, ...declared.keys(), ...stored.map((b) => b.model)])].sort();
    return {
      models: ids.map((id) => {
        const own = stored.filter((b) => b.model === id);
        const d = declared.get(id);
        return { id, configured: deps.models.includes(id), declared: d ? shown(d) : null, active_baseline: own.find((b) => b.active)?.version ?? null, baselines: own.length };
      }),
    };
  });

  const registry = deps.registry;
  if (!registry) return;
  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>('/v1/models/:id', {
    onRequest: deps.admin,
    schema: {
      tags: ['models'],
      summary: 'Declare (or replace) a model for the evaluator: features, task, baseline_version, window, grace, label_horizon (durations as "1h"), label_coverage, segments, segment_top',
      params: modelParams,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          task: { type: 'string', enum: ['binary', 'multiclass', 'regression'] },
          features: { type: 'object', additionalProperties: { type: 'string', enum: ['numeric', 'categorical'] } },
          baseline_version: { type: 'string', pattern: NAME_PATTERN },
          window: DURATION,
          grace: DURATION,
          label_horizon: DURATION,
          label_coverage: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
          segments: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: MAX_SEGMENT_FEATURES },
          segment_top: { type: 'integer', minimum: 1, maximum: MAX_SEGMENT_TOP },
        },
      },
      response: { 200: declaration, ...errorResponses },
    },
  }, async (request) => {
    const declared = readModel({ ...request.body, id: request.params.id }, 'body'); // InputError → 400
    registry.declare(declared);
    return shown(declared);
  });
}
