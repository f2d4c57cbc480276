// buildApp without servers: tokens and scopes, body validation naming the field, rate limit, body limit,
// no stack traces, the alert and baseline routes, and /docs/json covering every route with its responses.
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertBook, AlertDispatch, MemoryAlertEventStore } from '../../../src/alerting/index.js';
import { buildApp, type AppDeps } from '../../../src/api/app.js';
import { ModelRegistry } from '../../../src/evaluate/index.js';
import { decision, T0 } from '../alerting/decisions.js';
import { MemoryBaselineCatalog, profile, recordingWriter } from './fakes.js';

const INGEST = 'ingest-token-0123456789';
const READ = 'read-token-0123456789ab';
const ADMIN = 'admin-token-0123456789a';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function alerts(): AlertDispatch {
  return new AlertDispatch({ book: new AlertBook(), events: new MemoryAlertEventStore(), outbox: null });
}

async function make(over: Partial<AppDeps> = {}): Promise<FastifyInstance> {
  app = await buildApp({
    tokens: [{ token: INGEST, scopes: ['ingest'] }, { token: READ, scopes: ['read'] }, { token: ADMIN, scopes: ['admin'] }],
    registry: new Registry(), writer: recordingWriter(), maxMessageBytes: 10_000, models: ['fraud'], readiness: {},
    baselines: new MemoryBaselineCatalog(), alerts: alerts(), now: () => T0, ...over,
  });
  return app;
}

const auth = (token?: string) => (token ? { authorization: `Bearer ${token}` } : {});

describe('tokens and scopes', () => {
  const routes: Array<{ method: 'GET' | 'POST' | 'DELETE'; url: string; scope: 'read' | 'admin' | 'ingest'; body?: unknown }> = [
    { method: 'GET', url: '/v1/models', scope: 'read' },
    { method: 'GET', url: '/v1/models/fraud/baselines', scope: 'read' },
    { method: 'POST', url: '/v1/models/fraud/baselines', scope: 'admin', body: profile('fraud', 'v1') },
    { method: 'POST', url: '/v1/models/fraud/baselines/v1/activate', scope: 'admin' },
    { method: 'GET', url: '/v1/alerts', scope: 'read' },
    { method: 'POST', url: `/v1/alerts/dw-${'0'.repeat(24)}/acknowledge`, scope: 'admin', body: { by: 'sre' } },
    { method: 'GET', url: '/v1/silences', scope: 'read' },
    { method: 'POST', url: '/v1/silences', scope: 'admin', body: { model: 'fraud', duration_minutes: 60, by: 'sre', comment: 'deploy' } },
    { method: 'DELETE', url: '/v1/silences/silence-1', scope: 'admin' },
    { method: 'POST', url: '/v1/predictions', scope: 'ingest', body: [] },
  ];

  it.each(routes)('$method $url: 401 without a token or with an unknown one', async (r) => {
    const a = await make();
    for (const token of [undefined, 'not-a-known-token-at-all']) {
      const res = await a.inject({ method: r.method, url: r.url, headers: auth(token), payload: r.body as object });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
    }
  });

  it.each(routes)('$method $url: 403 with a token lacking the scope', async (r) => {
    const a = await make();
    const wrong = r.scope === 'read' ? [INGEST] : r.scope === 'admin' ? [READ, INGEST] : [READ];
    for (const token of wrong) {
      const res = await a.inject({ method: r.method, url: r.url, headers: auth(token), payload: r.body as object });
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toContain(`"${r.scope}"`);
    }
  });

  it('an admin token passes every scope check', async () => {
    const a = await make();
    for (const url of ['/v1/models', '/v1/alerts', '/v1/silences', '/v1/models/fraud/baselines']) {
      expect((await a.inject({ url, headers: auth(ADMIN) })).statusCode).toBe(200);
    }
  });
});

describe('bad bodies get 400 with a message naming the field', () => {
  const cases: Array<{ url: string; body: unknown; field: string }> = [
    { url: '/v1/silences', body: { model: 'fraud', duration_minutes: 60, comment: 'x' }, field: 'by' },
    { url: '/v1/silences', body: { model: 'fraud', duration_minutes: 'soon', by: 'sre', comment: 'x' }, field: 'duration_minutes' },
    { url: '/v1/silences', body: { model: 'fraud', duration_minutes: 60, by: 'sre', comment: 'x', until: 'later' }, field: 'until' },
    { url: '/v1/silences', body: { model: 'no spaces allowed', duration_minutes: 60, by: 'sre', comment: 'x' }, field: 'model' },
    { url: `/v1/alerts/dw-${'0'.repeat(24)}/acknowledge`, body: {}, field: 'by' },
    { url: '/v1/models/fraud/baselines', body: { ...profile('fraud', 'v1'), version: undefined }, field: 'version' },
    { url: '/v1/models/fraud/baselines', body: { ...profile('fraud', 'v1'), rows: -1 }, field: 'rows' },
    { url: '/v1/models/fraud/baselines', body: { ...profile('fraud', 'v1'), model: 'churn' }, field: 'model' },
    { url: '/v1/models/fraud/baselines', body: { ...profile('fraud', 'v1'), features: { amount: { kind: 'numeric' } } }, field: 'amount' },
  ];
  it.each(cases)('$url without a valid "$field"', async ({ url, body, field }) => {
    const a = await make();
    const res = await a.inject({ method: 'POST', url, headers: auth(ADMIN), payload: body as object });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(field);
  });

  it('a body that is not JSON is a 400, not a 500', async () => {
    const a = await make();
    const res = await a.inject({ method: 'POST', url: '/v1/silences', headers: { ...auth(ADMIN), 'content-type': 'application/json' }, payload: '{"model": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBeTypeOf('string');
  });
});

describe('limits and errors', () => {
  it('answers 429 with Retry-After past the burst, refills with time, and never limits /healthz or /metrics', async () => {
    let now = T0;
    const a = await make({ rateLimit: { perSecond: 2, burst: 3 }, now: () => now });
    const get = () => a.inject({ url: '/v1/models', headers: auth(READ) });
    for (let i = 0; i < 3; i++) expect((await get()).statusCode).toBe(200);
    const limited = await get();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    // another caller has a bucket of its own
    expect((await a.inject({ url: '/v1/models', headers: auth(ADMIN) })).statusCode).toBe(200);
    for (let i = 0; i < 10; i++) expect((await a.inject({ url: '/healthz' })).statusCode).toBe(200);
    now += 500; // one token back at 2 per second
    expect((await get()).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(429);
  });

  it('answers 413 to a body over the limit', async () => {
    const a = await make({ bodyLimitBytes: 1024 });
    const res = await a.inject({ method: 'POST', url: '/v1/silences', headers: auth(ADMIN), payload: { model: 'fraud', duration_minutes: 5, by: 'x', comment: 'y'.repeat(2000) } });
    expect(res.statusCode).toBe(413);
  });

  it('hides internal errors: 500 with a fixed message and no stack or path', async () => {
    const broken = new MemoryBaselineCatalog();
    broken.list = async () => { throw new Error('ECONNREFUSED 10.0.0.7:8123 at /srv/driftwatch/src/store/client.ts:42'); };
    const a = await make({ baselines: broken });
    const res = await a.inject({ url: '/v1/models/fraud/baselines', headers: auth(READ) });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal', message: 'internal error; see the service log' });
    expect(res.body).not.toMatch(/ECONNREFUSED|client\.ts|at /);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const a = await make();
    const res = await a.inject({ url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('not_found');
  });

  it('is ready only when every dependency check passes', async () => {
    const a = await make({ readiness: { clickhouse: async () => true, kafka: async () => { throw new Error('down'); } } });
    const res = await a.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', checks: { clickhouse: true, kafka: false } });
  });

  it('on a ClickHouse cluster, says which shard and replica is down', async () => {
    const shards = [
      { shard: 1, up: true, replicas: [{ replica: 1, host: 'ch1', port: 9000, up: false }, { replica: 2, host: 'ch2', port: 9000, up: true }] },
      { shard: 2, up: false, replicas: [{ replica: 1, host: 'ch3', port: 9000, up: false }, { replica: 2, host: 'ch4', port: 9000, up: false }] },
    ];
    const a = await make({ readiness: { clickhouse: async () => false }, clusterState: async () => shards });
    const res = await a.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', checks: { clickhouse: false }, cluster: shards });
  });
});

describe('alerts', () => {
  it('lists firing alerts, acknowledges once, refuses a second acknowledgement', async () => {
    const dispatch = alerts();
    await dispatch.decide([decision('raised', 3)], T0);
    const a = await make({ alerts: dispatch });
    const list = (await a.inject({ url: '/v1/alerts?model=fraud', headers: auth(READ) })).json();
    expect(list.alerts).toHaveLength(1);
    expect(list.alerts[0]).toMatchObject({ model: 'fraud', feature: 'amount', kind: 'feature_drift', status: 'firing', acknowledged_by: null, statistic: 'psi', value: 0.31 });
    expect((await a.inject({ url: '/v1/alerts?model=churn', headers: auth(READ) })).json().alerts).toEqual([]);
    const id = list.alerts[0].id as string;
    const ack = await a.inject({ method: 'POST', url: `/v1/alerts/${id}/acknowledge`, headers: auth(ADMIN), payload: { by: 'oncall@example.com' } });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toEqual({ id, status: 'acknowledged', acknowledged_by: 'oncall@example.com' });
    const again = await a.inject({ method: 'POST', url: `/v1/alerts/${id}/acknowledge`, headers: auth(ADMIN), payload: { by: 'x' } });
    expect(again.statusCode).toBe(409);
    const missing = await a.inject({ method: 'POST', url: `/v1/alerts/dw-${'a'.repeat(24)}/acknowledge`, headers: auth(ADMIN), payload: { by: 'x' } });
    expect(missing.statusCode).toBe(404);
  });

  it('silences a feature for a while, shows it on the alert, and lifts it', async () => {
    const dispatch = alerts();
    await dispatch.decide([decision('raised', 3)], T0);
    const a = await make({ alerts: dispatch });
    const created = await a.inject({ method: 'POST', url: '/v1/silences', headers: auth(ADMIN), payload: { model: 'fraud', feature: 'amount', duration_minutes: 90, by: 'sre', comment: 'known upstream change' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ model: 'fraud', feature: 'amount', starts_at: new Date(T0).toISOString(), ends_at: new Date(T0 + 90 * 60_000).toISOString() });
    expect((await a.inject({ url: '/v1/alerts', headers: auth(READ) })).json().alerts[0].silenced).toBe(true);
    expect((await a.inject({ url: '/v1/silences', headers: auth(READ) })).json().silences).toHaveLength(1);
    const id = created.json().id as string;
    expect((await a.inject({ method: 'DELETE', url: `/v1/silences/${id}`, headers: auth(ADMIN) })).statusCode).toBe(204);
    expect((await a.inject({ method: 'DELETE', url: `/v1/silences/${id}`, headers: auth(ADMIN) })).statusCode).toBe(404);
    expect((await a.inject({ url: '/v1/alerts', headers: auth(READ) })).json().alerts[0].silenced).toBe(false);
  });
});

describe('baselines and models', () => {
  it('uploads two versions, the last is active, activating the first switches back', async () => {
    let now = T0;
    const a = await make({ now: () => now });
    const up = (v: string) => a.inject({ method: 'POST', url: '/v1/models/fraud/baselines', headers: auth(ADMIN), payload: profile('fraud', v) });
    expect((await up('v1')).statusCode).toBe(201);
    now += 1000;
    expect((await up('v2')).json()).toMatchObject({ model: 'fraud', version: 'v2', active: true });
    const active = async () => (await a.inject({ url: '/v1/models/fraud/baselines', headers: auth(READ) })).json().baselines.filter((b: { active: boolean }) => b.active).map((b: { version: string }) => b.version);
    expect(await active()).toEqual(['v2']);
    now += 1000;
    expect((await a.inject({ method: 'POST', url: '/v1/models/fraud/baselines/v1/activate', headers: auth(ADMIN) })).statusCode).toBe(200);
    expect(await active()).toEqual(['v1']);
    expect((await a.inject({ method: 'POST', url: '/v1/models/fraud/baselines/v9/activate', headers: auth(ADMIN) })).statusCode).toBe(404);
    const models = (await a.inject({ url: '/v1/models', headers: auth(READ) })).json().models;
    expect(models).toEqual([{ id: 'fraud', configured: true, declared: null, active_baseline: 'v1', baselines: 2 }]);
  });
});

describe('/docs/json', () => {
  it('documents every route, with the bearer scheme on guarded ones and error responses on /v1 routes', async () => {
    const a = await make();
    const doc = (await a.inject({ url: '/docs/json' })).json();
    expect(doc.openapi).toBe('3.0.3');
    const ops = Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    const names = ops.map((o) => `${o.method} ${o.path}`).sort();
    expect(names).toEqual([
      'delete /v1/silences/{id}', 'get /healthz', 'get /metrics', 'get /readyz', 'get /v1/alerts', 'get /v1/models',
      'get /v1/models/{id}/baselines', 'get /v1/silences', 'post /v1/alerts/{id}/acknowledge', 'post /v1/labels',
      'post /v1/models/{id}/baselines', 'post /v1/models/{id}/baselines/{version}/activate', 'post /v1/predictions', 'post /v1/silences',
    ]);
    for (const o of ops.filter((x) => x.path.startsWith('/v1/'))) {
      expect(o.op.security, o.path).toEqual([{ bearer: [] }]);
      expect(Object.keys(o.op.responses), o.path).toEqual(expect.arrayContaining(['4XX', '5XX']));
    }
    const page = await a.inject({ url: '/docs' });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('/v1/models/:id/baselines');
  });
});

describe('window results routes', () => {
  it('are served, read-scoped and documented when a store is given', async () => {
    const store = { database: 'x', query: async () => [], insert: async () => {}, command: async () => {}, close: async () => {}, ping: async () => true };
    const a = await make({ store: store as never });
    expect((await a.inject({ url: '/v1/models/fraud/drift' })).statusCode).toBe(401);
    expect((await a.inject({ url: '/v1/models/fraud/drift', headers: auth(INGEST) })).statusCode).toBe(403);
    expect((await a.inject({ url: '/v1/models/fraud/quality', headers: auth(READ) })).statusCode).toBe(200);
    const paths = Object.keys((await a.inject({ url: '/docs/json' })).json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/v1/models/{id}/drift', '/v1/models/{id}/quality']));
  });
});

describe('model declarations', () => {
  it('declares a model for the evaluator (admin), lists it with its declaration, and refuses unknown fields', async () => {
    const registry = new ModelRegistry();
    const a = await make({ modelRegistry: registry, models: [] });
    const put = (body: object, token = ADMIN) => a.inject({ method: 'PUT', url: '/v1/models/churn', headers: auth(token), payload: body });
    expect((await put({ window: '1h' }, READ)).statusCode).toBe(403);
    const res = await put({ task: 'binary', features: { tenure: 'numeric' }, window: '30m', grace: '5m' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'churn', task: 'binary', features: { tenure: 'numeric' }, window_seconds: 1800, grace_seconds: 300 });
    expect(registry.get('churn')?.windowMs).toBe(1_800_000);
    const listed = (await a.inject({ url: '/v1/models', headers: auth(READ) })).json().models;
    expect(listed).toEqual([{ id: 'churn', configured: false, declared: expect.objectContaining({ window_seconds: 1800 }), active_baseline: null, baselines: 0 }]);
    const unknown = await put({ windw: '1h' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('windw');
    const badDuration = await put({ window: 'soon' });
    expect(badDuration.statusCode).toBe(400);
    expect(badDuration.json().message).toContain('window');
    // per-segment evaluation: declared with the model, shown back; a numeric segment feature is refused
    const segmented = await put({ features: { country: 'categorical' }, segments: ['country', 'model_version'], segment_top: 5 });
    expect(segmented.statusCode).toBe(200);
    expect(segmented.json()).toMatchObject({ segments: ['country', 'model_version'], segment_top: 5 });
    expect(registry.get('churn')?.segments).toEqual(['country', 'model_version']);
    const numeric = await put({ features: { tenure: 'numeric' }, segments: ['tenure'] });
    expect(numeric.statusCode).toBe(400);
    expect(numeric.json().message).toContain('declared numeric');
    expect((await put({ segment_top: 500 })).statusCode).toBe(400);
  });
});
