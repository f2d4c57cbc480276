// The API's baseline routes over the real ClickHouse `baselines` table: upload, list, activate — and the
// evaluator's baseline lookup (src/evaluate storedBaselines) agrees on which version is active.
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { StoreBaselineCatalog } from '../../src/api/baseline-store.js';
import { MODEL_DEFAULTS, storedBaselines } from '../../src/evaluate/index.js';
import type { BatchWriter } from '../../src/ingest/writer.js';
import type { Store } from '../../src/store/index.js';
import { profile } from '../unit/api/fakes.js';
import { freshStore } from '../support/services.js';

const ADMIN = 'admin-token-for-api-test-0001';
const READ = 'read-token-for-api-test-00001';

describe('baselines API on ClickHouse', () => {
  let store: Store;
  let app: FastifyInstance;
  let now = Date.UTC(2026, 10, 20, 12);

  beforeAll(async () => {
    store = await freshStore('api');
    app = await buildApp({
      tokens: [{ token: ADMIN, scopes: ['admin'] }, { token: READ, scopes: ['read'] }],
      registry: new Registry(), writer: { submit: async () => {} } as unknown as BatchWriter,
      maxMessageBytes: 10_000, models: ['churn'], readiness: { clickhouse: async () => true },
      baselines: new StoreBaselineCatalog(store), now: () => now,
    });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const upload = (model: string, version: string) =>
    app.inject({ method: 'POST', url: `/v1/models/${model}/baselines`, headers: { authorization: `Bearer ${ADMIN}` }, payload: profile(model, version) });
  const list = async (model: string) =>
    (await app.inject({ url: `/v1/models/${model}/baselines`, headers: { authorization: `Bearer ${READ}` } })).json().baselines as Array<{ version: string; active: boolean }>;
  const evaluatorPick = async (model: string) =>
    (await storedBaselines(store).baselineFor({ ...MODEL_DEFAULTS, id: model, features: {}, task: null, baselineVersion: null })).version;

  it('stores uploads; the last one is active for the API and for the evaluator', async () => {
    expect((await upload('fraud', 'v1')).statusCode).toBe(201);
    expect((await upload('fraud', 'v2')).statusCode).toBe(201); // same second: still ordered after v1
    expect(await list('fraud')).toEqual([
      { model: 'fraud', version: 'v2', created_at: expect.any(String), active: true },
      { model: 'fraud', version: 'v1', created_at: expect.any(String), active: false },
    ]);
    expect(await evaluatorPick('fraud')).toBe('v2');
  });

  it('activating an older version makes it the one the evaluator uses', async () => {
    now += 1000;
    const res = await app.inject({ method: 'POST', url: '/v1/models/fraud/baselines/v1/activate', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.statusCode).toBe(200);
    expect((await list('fraud')).filter((b) => b.active).map((b) => b.version)).toEqual(['v1']);
    expect(await evaluatorPick('fraud')).toBe('v1');
    const stored = await store.query<{ profile: string }>("SELECT profile FROM baselines FINAL WHERE model = 'fraud' AND version = 'v1'");
    expect(JSON.parse(stored[0].profile)).toMatchObject({ model: 'fraud', version: 'v1', schema_version: 1 });
  });

  it('answers 404 for a version that was never uploaded, and lists models from config and from the table', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/models/fraud/baselines/v9/activate', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.statusCode).toBe(404);
    const models = (await app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${READ}` } })).json().models;
    expect(models).toEqual([
      { id: 'churn', configured: true, declared: null, active_baseline: null, baselines: 0 },
      { id: 'fraud', configured: false, declared: null, active_baseline: 'v1', baselines: 2 },
    ]);
  });

  it('quotes what it writes: a model id with a quote never reaches SQL', async () => {
    const res = await app.inject({ method: 'GET', url: "/v1/models/fr'aud/baselines", headers: { authorization: `Bearer ${READ}` } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('params/id');
  });
});
