// Alerts: list what is firing (read), acknowledge one, silence a model or one feature, lift a silence (admin).
import type { FastifyInstance } from 'fastify';
import type { AlertDispatch } from '../../alerting/index.js';
import { InputError } from '../../domain/index.js';
import { NAME_PATTERN, errorResponses } from './schemas.js';

export interface AlertRouteDeps {
  alerts: AlertDispatch;
  read: (req: unknown, reply: unknown) => Promise<unknown>;
  admin: (req: unknown, reply: unknown) => Promise<unknown>;
  now: () => number;
  /** after every change (acknowledge, silence, lift): the service saves its state so a crash loses none */
  onChange?: () => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

const alert = {
  type: 'object',
  required: ['id', 'model', 'feature', 'kind', 'status', 'severity', 'statistic', 'value', 'reason', 'starts_at', 'acknowledged_by', 'silenced'],
  properties: {
    id: { type: 'string' }, model: { type: 'string' }, feature: { type: 'string' }, kind: { type: 'string' },
    status: { type: 'string' }, severity: { type: 'string' }, statistic: { type: 'string' }, value: { type: 'number' },
    reason: { type: 'string' }, starts_at: { type: 'string', format: 'date-time' },
    acknowledged_by: { type: ['string', 'null'] }, silenced: { type: 'boolean' },
  },
} as const;

const silence = {
  type: 'object',
  required: ['id', 'model', 'starts_at', 'ends_at', 'by', 'comment'],
  properties: {
    id: { type: 'string' }, model: { type: 'string' }, feature: { type: 'string' },
    starts_at: { type: 'string', format: 'date-time' }, ends_at: { type: 'string', format: 'date-time' },
    by: { type: 'string' }, comment: { type: 'string' },
  },
} as const;

const silenceBody = {
  type: 'object',
  required: ['model', 'duration_minutes', 'by', 'comment'],
  additionalProperties: false,
  properties: {
    model: { type: 'string', pattern: NAME_PATTERN },
    feature: { type: 'string', minLength: 1, maxLength: 256 },
    duration_minutes: { type: 'integer', minimum: 1, maximum: 60 * 24 * 30 },
    by: { type: 'string', minLength: 1, maxLength: 128 },
    comment: { type: 'string', maxLength: 1024 },
  },
} as const;

type SilenceBody = { model: string; feature?: string; duration_minutes: number; by: string; comment: string };

export function alertRoutes(app: FastifyInstance, deps: AlertRouteDeps): void {
  const book = deps.alerts.book;
  const show = (s: ReturnType<typeof book.listSilences>[number]) => ({
    id: s.id, model: s.model, ...(s.feature === undefined ? {} : { feature: s.feature }),
    starts_at: iso(s.startsAt), ends_at: iso(s.endsAt), by: s.by, comment: s.comment,
  });

  app.get<{ Querystring: { model?: string } }>('/v1/alerts', {
    onRequest: deps.read,
    schema: { tags: ['alerts'], summary: 'Alerts firing now', querystring: { type: 'object', additionalProperties: false, properties: { model: { type: 'string', pattern: NAME_PATTERN } } },
      response: { 200: { type: 'object', required: ['alerts'], properties: { alerts: { type: 'array', items: alert } } }, ...errorResponses } },
  }, async (request) => ({
    alerts: book.firing().filter((a) => request.query.model === undefined || a.model === request.query.model).map((a) => ({
      id: a.alertId, model: a.model, feature: a.feature, kind: a.kind, status: a.status, severity: a.last.severity,
      statistic: a.last.statistic, value: a.last.value, reason: a.last.reason, starts_at: iso(a.last.startsAt),
      acknowledged_by: a.acknowledgedBy, silenced: book.isSilenced(a.model, a.feature, deps.now()),
    })),
  }));

  app.post<{ Params: { id: string }; Body: { by: string } }>('/v1/alerts/:id/acknowledge', {
    onRequest: deps.admin,
    schema: { tags: ['alerts'], summary: 'Acknowledge a firing alert (PagerDuty gets an acknowledge)',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^dw-[0-9a-f]{24}$' } } },
      body: { type: 'object', required: ['by'], additionalProperties: false, properties: { by: { type: 'string', minLength: 1, maxLength: 128 } } },
      response: { 200: { type: 'object', required: ['id', 'status', 'acknowledged_by'], properties: { id: { type: 'string' }, status: { type: 'string' }, acknowledged_by: { type: 'string' } } }, ...errorResponses } },
  }, async (request) => {
    const event = await deps.alerts.acknowledge(request.params.id, request.body.by, deps.now());
    deps.onChange?.();
    return { id: event.alertId, status: event.status, acknowledged_by: request.body.by };
  });

  app.get('/v1/silences', {
    onRequest: deps.read,
    schema: { tags: ['alerts'], summary: 'Silences in force or to come', response: { 200: { type: 'object', required: ['silences'], properties: { silences: { type: 'array', items: silence } } }, ...errorResponses } },
  }, async () => ({ silences: book.listSilences(deps.now()).map(show) }));

  app.post<{ Body: SilenceBody }>('/v1/silences', {
    onRequest: deps.admin,
    schema: { tags: ['alerts'], summary: 'Silence a model, or one feature of it, for a while', body: silenceBody, response: { 201: silence, ...errorResponses } },
  }, async (request, reply) => {
    const now = deps.now();
    const b = request.body;
    const created = deps.alerts.silence({ model: b.model, ...(b.feature === undefined ? {} : { feature: b.feature }), startsAt: now, endsAt: now + b.duration_minutes * 60_000, by: b.by, comment: b.comment });
    deps.onChange?.();
    return reply.code(201).send(show(created));
  });

  app.delete<{ Params: { id: string } }>('/v1/silences/:id', {
    onRequest: deps.admin,
    schema: { tags: ['alerts'], summary: 'Lift a silence', params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^silence-[0-9]+$' } } },
      response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    if (!book.listSilences(0).some((s) => s.id === request.params.id)) throw new InputError(`no silence with id ${request.params.id}`, 'not_found');
    book.expireSilence(request.params.id);
    deps.onChange?.();
    return reply.code(204).send();
  });
}
