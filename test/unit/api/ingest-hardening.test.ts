// HTTP ingest and the API under hostile use (issue 13): empty bodies, keys like __proto__ in every content type,
// the token checked before the body is read, a rate limit a made-up token cannot dodge, user changes saved.
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertBook, AlertDispatch, MemoryAlertEventStore } from '../../../src/alerting/index.js';
import { buildApp, type AppDeps } from '../../../src/api/app.js';
import type { IngestBatch } from '../../../src/ingest/writer.js';
import { recordingWriter } from './fakes.js';

const INGEST = 'ingest-token-0123456789';
const ADMIN = 'admin-token-0123456789a';
const NOW = Date.now();
const message = (id: string, features: string) => `{"model":"fraud","prediction_id":"${id}","timestamp":${NOW},"features":${features}}`;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function make(over: Partial<AppDeps> = {}) {
  const writer = recordingWriter();
  app = await buildApp({
    tokens: [{ token: INGEST, scopes: ['ingest'] }, { token: ADMIN, scopes: ['admin'] }], registry: new Registry(), writer,
    maxMessageBytes: 100_000, models: [], readiness: {}, rateLimit: false, ...over,
  });
  return { app, batches: writer.batches as IngestBatch[] };
}
const post = (a: FastifyInstance, payload: string | undefined, type?: string, token = INGEST) =>
  a.inject({ method: 'POST', url: '/v1/predictions', payload, headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) } });

describe('HTTP ingest bodies', () => {
  it('case 11: no body, or an empty one, is 400 in every content type', async () => {
    const { app: a } = await make();
    for (const type of [undefined, 'application/json', 'application/x-ndjson', 'application/ndjson', 'text/plain']) {
      for (const payload of type ? [undefined, '', ' \n'] : [undefined, '']) { // a body of no declared type is 415
        const res = await post(a, payload, type);
        expect(res.statusCode, `${type} ${JSON.stringify(payload)}`).toBe(400);
        expect(res.json().message).toMatch(/empty|holds no messages/);
      }
    }
  });

  it('case 8: __proto__ and constructor are features in application/json, NDJSON and text/plain alike', async () => {
    const { app: a, batches } = await make();
    const features = '{"__proto__":1.5,"constructor":"c","amount":2}';
    for (const [type, body] of [['application/json', `[${message('j', features)}]`], ['application/json', message('o', features)], ['application/x-ndjson', message('n', features)], ['text/plain', message('t', features)]]) {
      const res = await post(a, body, type);
      expect(res.statusCode, type).toBe(200);
      expect(res.json()).toEqual({ accepted: 1, rejected: 0, errors: [] });
    }
    expect(batches.map((b) => b.predictions[0])).toEqual(['j', 'o', 'n', 't'].map((id) => expect.objectContaining({ prediction_id: id, num_names: ['__proto__', 'amount'], num_values: [1.5, 2], cat_names: ['constructor'] })));
  });

  it('case 2: a deeply nested item costs only itself; the items around it are kept and answered', async () => {
    const { app: a, batches } = await make();
    const deep = `${'['.repeat(6000)}${']'.repeat(6000)}`;
    const res = await post(a, `[${message('a', '{}')},{"model":"fraud","prediction_id":"deep","timestamp":${NOW},"features":{},"metadata":{"x":${deep}}},${message('b', '{}')}]`, 'application/json');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 2, rejected: 1, errors: [{ index: 1, reason: '"metadata" is nested more than 64 levels deep' }] });
    expect(batches[0].predictions.map((p) => p.prediction_id)).toEqual(['a', 'b']);
    expect(batches[0].deadLetters[0]).toMatchObject({ source: 'http', topic: '/v1/predictions', partition: -1, offset: 'item 1' });
    const nd = await post(a, `${message('c', '{}')}\n{"metadata":${deep}}\n${message('d', '{}')}`, 'application/x-ndjson');
    expect(nd.json()).toMatchObject({ accepted: 2, rejected: 1, errors: [{ index: 2 }] });
  });

  it('a JSON document that does not parse is 400 naming it, never 500', async () => {
    const { app: a } = await make();
    const res = await post(a, '[{"model": ', 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^the body is not valid JSON/);
  });
});

describe('auth and rate limit', () => {
  it('checks the token before reading the body', async () => {
    const { app: a } = await make({ alerts: new AlertDispatch({ book: new AlertBook(), events: new MemoryAlertEventStore(), outbox: null }) });
    for (const token of ['', 'made-up-token-xxxxxxxxxx']) {
      const res = await a.inject({ method: 'POST', url: '/v1/predictions', payload: '[{"not json', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
      expect(res.statusCode).toBe(401);
    }
    const admin = await a.inject({ method: 'POST', url: '/v1/silences', payload: '{"broken', headers: { 'content-type': 'application/json' } });
    expect(admin.statusCode).toBe(401);
  });

  it('limits a fresh made-up token per request by the client address; a valid token has its own bucket', async () => {
    const { app: a } = await make({ rateLimit: { perSecond: 0.001, burst: 2 }, now: () => 0 });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await post(a, message('x', '{}'), 'application/x-ndjson', `bogus-token-number-${i}-xxxxxxxx`)).statusCode);
    expect(codes).toEqual([401, 401, 429, 429]);
    expect((await post(a, message('y', '{}'), 'application/x-ndjson')).statusCode).toBe(200);
  });
});

describe('models and state', () => {
  it('accepts a model added to the live set (PUT /v1/models/:id) while DRIFTWATCH_MODELS restricts', async () => {
    const accepted = new Set(['churn']);
    const { app: a } = await make({ models: ['churn'], acceptedModels: accepted });
    expect((await post(a, message('1', '{}'), 'application/x-ndjson')).json().rejected).toBe(1);
    accepted.add('fraud');
    expect((await post(a, message('2', '{}'), 'application/x-ndjson')).json().accepted).toBe(1);
  });

  it('calls onStateChange after a silence is created or lifted', async () => {
    let changes = 0;
    const { app: a } = await make({ alerts: new AlertDispatch({ book: new AlertBook(), events: new MemoryAlertEventStore(), outbox: null }), onStateChange: () => void (changes += 1) });
    const headers = { authorization: `Bearer ${ADMIN}` };
    const created = await a.inject({ method: 'POST', url: '/v1/silences', headers, payload: { model: 'fraud', duration_minutes: 60, by: 'sre', comment: 'deploy' } });
    expect(created.statusCode).toBe(201);
    expect(changes).toBe(1);
    expect((await a.inject({ method: 'DELETE', url: `/v1/silences/${created.json().id}`, headers })).statusCode).toBe(204);
    expect(changes).toBe(2);
  });
});
