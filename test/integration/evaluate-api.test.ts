// GET /v1/models/:id/drift and /quality over results the evaluator stored in a real ClickHouse, and the
// evaluator's gauges on a prom-client registry (what /metrics serves).
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultRoutes } from '../../src/api/routes/results.js';
import { buildBaseline, type Column } from '../../src/baseline/index.js';
import { Evaluator, ModelRegistry, declareModel, fixedBaselines } from '../../src/evaluate/index.js';
import type { Store } from '../../src/store/index.js';
import { evaluateMetrics } from '../../src/telemetry/evaluate-metrics.js';
import * as N from '../../src/telemetry/names/evaluate.js';
import { freshStore } from '../support/services.js';

const READ = 'read-token-0123456789ab';
const INGEST = 'ingest-token-0123456789';
const ADMIN = 'admin-token-0123456789abc';
const START = Date.UTC(2026, 1, 2, 8);
const HOUR = 3_600_000;

describe('results API and evaluator metrics', () => {
  let store: Store;
  let app: FastifyInstance;
  const registry = new Registry();
  const models = new ModelRegistry([declareModel('ranker', { windowMs: HOUR })]);

  beforeAll(async () => {
    store = await freshStore('evalapi');
    const columns = new Map<string, Column>([
      ['x', { kind: 'numeric', values: Float64Array.from({ length: 500 }, (_, i) => i % 100) }],
      ['y', { kind: 'numeric', values: Float64Array.from({ length: 500 }, (_, i) => (i * 7) % 100) }],
      ['label', { kind: 'numeric', values: Float64Array.from({ length: 500 }, (_, i) => i % 2) }],
    ]);
    const profile = buildBaseline({ source: 'train', rows: 500, columns }, { model: 'ranker', createdAt: START, version: 'b7', label: 'label', prediction: 'y' });
    await store.insert('predictions', Array.from({ length: 100 }, (_, i) => ({
      model: 'ranker', model_version: '1', prediction_id: `r${i}`, ts: Math.floor((START + i * 1000) / 1000), ts_ms: START + i * 1000,
      num_names: ['x'], num_values: [i % 50], cat_names: [], cat_values: [], missing_names: [],
      prediction_num: i % 2 === 0 ? 0.9 : 0.1, prediction_str: null, label_num: i < 40 ? 1 : null, label_str: null, metadata: '', ingested_at: Math.floor(START / 1000),
    })));
    const evaluator = new Evaluator({ store, models, baselines: fixedBaselines([profile]), metrics: evaluateMetrics(registry) });
    await evaluator.evaluateWindow('ranker', START, START + HOUR);
    app = Fastify();
    resultRoutes(app, { store, tokens: [{ token: READ, scopes: ['read'] }, { token: INGEST, scopes: ['ingest'] }, { token: ADMIN, scopes: ['admin'] }] });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  const get = (url: string, token?: string) => app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const range = `from=${new Date(START).toISOString()}&to=${START + HOUR}`;

  it('serves the drift rows of the windows in range', async () => {
    const res = await get(`/v1/models/ranker/drift?${range}`, READ);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { results: Array<{ feature: string; statistic: string; window_start: string; n: number; p_value: number | null }> };
    const stats = body.results.map((r) => `${r.feature}:${r.statistic}`);
    expect(stats).toContain('x:psi');
    expect(stats).toContain('x:ks');
    expect(stats).toContain('__prediction__:psi');
    expect(stats).not.toContain('__quality__:accuracy');
    expect(body.results.every((r) => r.window_start === new Date(START).toISOString())).toBe(true);
    expect(body.results.find((r) => r.statistic === 'ks')!.p_value).toBeTypeOf('number');
  });

  it('serves quality with label coverage: 40 of 100 labelled, 20 of those correct', async () => {
    const res = await get(`/v1/models/ranker/quality?${range}`, READ);
    const rows = (res.json() as { results: Array<{ statistic: string; value: number; n: number }> }).results;
    const by = Object.fromEntries(rows.map((r) => [r.statistic, r]));
    expect(by.label_coverage.value).toBeCloseTo(0.4, 15);
    expect(by.accuracy).toMatchObject({ value: 0.5, n: 40 });
    expect(by.rows.value).toBe(100);
  });

  it('answers 401 without a token, 403 without the read scope, 400 for a bad range, and nothing outside the range', async () => {
    expect((await get(`/v1/models/ranker/drift?${range}`)).statusCode).toBe(401);
    expect((await get(`/v1/models/ranker/drift?${range}`, INGEST)).statusCode).toBe(403);
    expect((await get('/v1/models/ranker/drift?from=soon', READ)).statusCode).toBe(400);
    expect((await get("/v1/models/bad'id/drift", READ)).statusCode).toBe(400);
    const later = await get(`/v1/models/ranker/drift?from=${START + HOUR}&to=${START + 2 * HOUR}`, READ);
    expect((later.json() as { results: unknown[] }).results).toEqual([]);
  });

  it('hands the sequential tests to a restarted evaluator (same baseline) and feeds each window once', async () => {
    const profile = buildBaseline({ source: 'train', rows: 500, columns: new Map<string, Column>([['x', { kind: 'numeric', values: Float64Array.from({ length: 500 }, (_, i) => i % 100) }]]) }, { model: 'ranker', createdAt: START, version: 'b7' });
    const make = () => new Evaluator({ store, models, baselines: fixedBaselines([profile]) });
    const first = make();
    await first.evaluateWindow('ranker', START, START + HOUR);
    const saved = JSON.parse(JSON.stringify(first.judgeState())) as ReturnType<Evaluator['judgeState']>;
    expect(saved.ranker.baselineVersion).toBe('b7');
    expect(saved.ranker.streams['ranker\u0000x\u0000psi'].windows).toBe(1);
    const second = make().restoreJudgeState(saved);
    await second.evaluateWindow('ranker', START, START + HOUR);
    expect(second.judgeState().ranker.streams['ranker\u0000x\u0000psi'].windows).toBe(2);
    // a re-evaluation for late labels does not feed the tests again
    await second.evaluateWindow('ranker', START, START + HOUR, 'labels');
    expect(second.judgeState().ranker.streams['ranker\u0000x\u0000psi'].windows).toBe(2);
    const other = make().restoreJudgeState({ ranker: { ...saved.ranker, baselineVersion: 'b6' } });
    await other.evaluateWindow('ranker', START, START + HOUR);
    expect(other.judgeState().ranker.streams['ranker\u0000x\u0000psi'].windows).toBe(1);
  });

  it('exposes the gauges named in telemetry/names', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(new RegExp(`${N.FEATURE_PSI}\\{model="ranker",feature="x"\\} \\d`));
    expect(text).toContain(`${N.MODEL_ACCURACY}{model="ranker"} 0.5`);
    expect(text).toContain(`${N.LABEL_COVERAGE_RATIO}{model="ranker"} 0.4`);
    expect(text).toContain(`${N.EVALUATION_SECONDS}_count{kind="window"} 1`);
  });
});
