// Live estimates pushed down into ClickHouse: a window's score histogram and PCA reconstruction error are computed by
// the engine (no rows pulled) and must equal the same estimates computed in Node from the raw rows; stored in
// drift_results, exported as gauges, and the estimation error is recorded once labels land. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { buildBaseline, type BaselineProfile, type Column } from '../../src/baseline/index.js';
import { estimatePerformance, multivariateDrift } from '../../src/estimate/index.js';
import { Evaluator, ModelRegistry, declareModel, storedBaselines } from '../../src/evaluate/index.js';
import { sampleSlices } from '../../src/evaluate/pca-sample.js';
import { reconstructionErrors, scoreHistogram, SeededRandom } from '../../src/stats/index.js';
import type { StreamDecision } from '../../src/alerting/lifecycle.js';
import type { Store } from '../../src/store/index.js';
import { evaluateMetrics } from '../../src/telemetry/evaluate-metrics.js';
import * as N from '../../src/telemetry/names/index.js';
import { freshStore } from '../support/services.js';

const HOUR = 3_600_000;
const START = 1_764_000_000_000;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

interface Row { a: number; b: number; c: number | null; score: number | null; y: number }

/** a, b correlated (ρ), c independent; an over-confident score of a + c and a label drawn from the truth. */
function rows(n: number, seed: number, rho: number, shift = 0): Row[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, () => {
    const a = rng.normal() + shift;
    const b = rho * (a - shift) + Math.sqrt(1 - rho * rho) * rng.normal();
    const c = rng.normal();
    return { a, b, c, score: sigmoid(2.5 * (a + c) - 0.5), y: rng.next() < sigmoid(1.2 * (a + c) - 0.2) ? 1 : 0 };
  });
}

function baseline(): BaselineProfile {
  const train = rows(4000, 1, 0.9);
  const col = (f: (r: Row) => number | null): Column => ({ kind: 'numeric', values: Float64Array.from(train, (r) => f(r) ?? NaN) });
  const columns = new Map<string, Column>([['a', col((r) => r.a)], ['b', col((r) => r.b)], ['c', col((r) => r.c)], ['score', col((r) => r.score)], ['y', col((r) => r.y)]]);
  return buildBaseline({ source: 'train', rows: train.length, columns }, { model: 'churn', createdAt: START - HOUR, version: 'v1', label: 'y', prediction: 'score' });
}

function predictionRow(r: Row, i: number, ts: number) {
  const names = r.c === null ? ['b', 'a'] : ['a', 'b', 'c']; // two name layouts in one window
  const values = names.map((n) => r[n as 'a' | 'b' | 'c'] as number);
  return {
    model: 'churn', model_version: '1', prediction_id: `p-${ts}-${i}`, ts: Math.floor(ts / 1000), ts_ms: ts,
    num_names: names, num_values: values, cat_names: [], cat_values: [], missing_names: r.c === null ? ['c'] : [],
    prediction_num: r.score, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000),
  };
}

describe('estimates per window pushed down into ClickHouse', () => {
  let store: Store;
  const profile = baseline();
  const models = new ModelRegistry([declareModel('churn', { windowMs: HOUR, graceMs: 60_000, labelHorizonMs: 24 * HOUR })]);
  // window 0: covariate shift, some rows without c or a score; window 1: same marginals, correlation gone
  const w0 = rows(1500, 2, 0.9, 0.5).map((r, i) => (i % 10 === 0 ? { ...r, c: null } : i % 97 === 0 ? { ...r, score: null } : r));
  const w1 = rows(1500, 3, 0);
  const registry = new Registry();
  const metrics = evaluateMetrics(registry);
  const decisions: StreamDecision[] = [];
  const evaluator = () => new Evaluator({ store, models, baselines: storedBaselines(store), clock: () => START + 5 * HOUR, metrics, onDecisions: (d) => void decisions.push(...d) });

  beforeAll(async () => {
    store = await freshStore('estimate');
    await store.insert('baselines', [{ model: 'churn', version: 'v1', created_at: Math.floor((START - HOUR) / 1000), profile: JSON.stringify(profile) }]);
    await store.insert('predictions', [...w0.map((r, i) => predictionRow(r, i, START + i * 2000)), ...w1.map((r, i) => predictionRow(r, i, START + HOUR + i * 2000))]);
  });
  afterAll(async () => store.close());

  /** What Node computes from the raw rows of a window. */
  function expected(window: Row[], seed: number) {
    const cal = profile.calibration!;
    const scores = window.filter((r) => r.score !== null).map((r) => r.score!);
    const perf = estimatePerformance(cal, scoreHistogram(cal.edges, scores), { seed });
    const m = profile.multivariate!;
    const errors = reconstructionErrors(m, m.features.map((f) => Float64Array.from(window, (r) => r[f as 'a' | 'b' | 'c'] ?? NaN)));
    const mean = errors.reduce((s, e) => s + e, 0) / errors.length;
    return { perf, multivariate: multivariateDrift(m, mean, errors.length) };
  }

  it('equals the estimates computed in Node from the raw rows; stores and exports them', async () => {
    const report = await evaluator().tick(START + 2 * HOUR + 2 * 60_000);
    expect(report.failed).toEqual([]);
    const [e0, e1] = report.evaluated;
    const want0 = expected(w0, START / 1000);
    expect(e0.estimate!.scored).toBe(w0.filter((r) => r.score !== null).length);
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc'] as const) {
      expect(e0.estimate!.performance![k]).toBeCloseTo(want0.perf[k], 12);
      expect(e0.estimate!.performance!.interval[k]).toEqual(want0.perf.interval[k]);
    }
    expect(e0.estimate!.multivariate!.reconstruction_error).toBeCloseTo(want0.multivariate.reconstruction_error, 9);
    expect(e0.estimate!.multivariate!.drift).toBe(want0.multivariate.drift);
    const want1 = expected(w1, (START + HOUR) / 1000);
    expect(e1.estimate!.multivariate!.reconstruction_error).toBeCloseTo(want1.multivariate.reconstruction_error, 9);
    expect(e1.estimate!.multivariate!.drift).toBe(true);
    const stored = await store.query<{ feature: string; statistic: string; value: number; details: string }>(
      `SELECT feature, statistic, value, details FROM drift_results FINAL WHERE model = 'churn' AND window_start = toDateTime(${START / 1000}) AND feature IN ('__estimate__', '__multivariate__') ORDER BY statistic`,
    );
    expect(stored.map((r) => r.statistic)).toEqual(['estimated_accuracy', 'estimated_f1', 'estimated_precision', 'estimated_recall', 'estimated_roc_auc', 'reconstruction_error']);
    expect(stored[0].value).toBeCloseTo(want0.perf.accuracy, 12);
    expect(JSON.parse(stored[0].details).interval).toEqual(want0.perf.interval.accuracy);
    // the error's decile counts feed the same sequential test as every feature: the multivariate stream pages
    expect(e1.estimate!.errorCounts!.reduce((a, b) => a + b, 0)).toBe(w1.length);
    expect(decisions.filter((d) => d.feature === '__multivariate__' && d.outcome === 'raised')).toHaveLength(1);
    expect(decisions.filter((d) => d.feature === 'b')).toEqual([]); // b alone did not move
    const text = await registry.metrics();
    expect(text).toContain(`${N.MODEL_ESTIMATED_ACCURACY}{model="churn"} ${e1.estimate!.performance!.accuracy}`);
    expect(text).toContain(`${N.MODEL_MULTIVARIATE_DRIFT}{model="churn"} 1`);
  });

  it('gives the same estimates folded into the numeric scan (one read of num_values) as from a query of their own', async () => {
    const apart = new Evaluator({ store, models, baselines: storedBaselines(store), clock: () => START + 5 * HOUR, foldEstimates: false });
    const folded = new Evaluator({ store, models, baselines: storedBaselines(store), clock: () => START + 5 * HOUR, foldEstimates: true });
    const model = models.get('churn')!;
    for (const start of [START, START + HOUR]) {
      const [a, f] = await Promise.all([apart.compute(model, start, start + HOUR), folded.compute(model, start, start + HOUR)]);
      expect(f.evaluation.features.map((x) => x.psi)).toEqual(a.evaluation.features.map((x) => x.psi));
      expect(f.evaluation.estimate!.scored).toBe(a.evaluation.estimate!.scored);
      expect(f.evaluation.estimate!.performance).toEqual(a.evaluation.estimate!.performance);
      expect(f.evaluation.estimate!.errorCounts).toEqual(a.evaluation.estimate!.errorCounts);
      expect(f.evaluation.estimate!.multivariate!.reconstruction_error).toBeCloseTo(a.evaluation.estimate!.multivariate!.reconstruction_error, 9);
    }
  });

  it('records the estimation error once labels land (realized accuracy inside the interval under covariate shift)', async () => {
    const labelled = w0.map((r, i) => ({ r, i })).filter(({ r, i }) => r.score !== null && i % 2 === 0);
    await store.insert('labels', labelled.map(({ r, i }) => ({ model: 'churn', prediction_id: `p-${START + i * 2000}-${i}`, label_num: r.y, label_str: null, ts: Math.floor((START + HOUR) / 1000), ts_ms: START + HOUR, ingested_at: Math.floor(START / 1000) + 4 * 3600 })));
    const report = await evaluator().tick(START + 4 * HOUR + 3 * 60_000);
    const e = report.reevaluated.find((x) => x.start === START)!;
    const realized = labelled.filter(({ r }) => (r.score! >= 0.5 ? 1 : 0) === r.y).length / labelled.length;
    expect(e.estimate!.error!.realized.accuracy).toBeCloseTo(realized, 12);
    expect(e.estimate!.error!.difference.accuracy).toBeCloseTo(e.estimate!.performance!.accuracy - realized, 12);
    const [lo, hi] = e.estimate!.performance!.interval.accuracy!;
    expect(realized).toBeGreaterThanOrEqual(lo - 0.02); // half the rows labelled: a little wider than the interval
    expect(realized).toBeLessThanOrEqual(hi + 0.02);
    const [row] = await store.query<{ value: number }>(`SELECT value FROM drift_results FINAL WHERE model = 'churn' AND window_start = toDateTime(${START / 1000}) AND statistic = 'estimation_error_accuracy'`);
    expect(row.value).toBeCloseTo(e.estimate!.performance!.accuracy - realized, 12);
  });

  it('takes a large window\'s reconstruction error from its sampled seconds and its scores from every row, with FINAL too', async () => {
    // its own model: 2 400 rows 1.5 s apart, and redelivered copies of every 50th row (so the window reads FINAL)
    const big = rows(2400, 4, 0.3);
    const at = (i: number) => START + 2 * HOUR + i * 1500;
    await store.insert('baselines', [{ model: 'sampled', version: 'v1', created_at: Math.floor((START - HOUR) / 1000), profile: JSON.stringify({ ...profile, model: 'sampled' }) }]);
    const row = (r: Row, i: number) => ({ ...predictionRow(r, i, at(i)), model: 'sampled', model_version: String(i % 3), prediction_id: `s-${i}` });
    await store.insert('predictions', [...big.map(row), ...big.flatMap((r, i) => (i % 50 === 0 ? [{ ...row(r, i), ingested_at: Math.floor(at(i) / 1000) + 60 }] : []))]);
    const declared = new ModelRegistry([declareModel('sampled', { windowMs: HOUR, graceMs: 60_000, segments: ['model_version'] })]);
    const model = declared.get('sampled')!;
    const make = (multivariateSampleRows: number) => new Evaluator({ store, models: declared, baselines: storedBaselines(store), clock: () => START + 5 * HOUR, multivariateSampleRows });
    const start = START + 2 * HOUR;
    const [all, sampled, foldedSample] = await Promise.all([
      make(0).compute(model, start, start + HOUR),
      make(300).compute(model, start, start + HOUR),
      new Evaluator({ store, models: declared, baselines: storedBaselines(store), clock: () => START + 5 * HOUR, multivariateSampleRows: 300, foldEstimates: true }).compute(model, start, start + HOUR),
    ]);
    // the rows in the slices (2 448 rows with the copies: the slices are chosen from that count), counted once
    const slices = sampleSlices(start, start + HOUR, 2400 + 48, 300)!;
    expect(slices.length).toBeGreaterThan(1);
    const inSample = big.filter((_, i) => slices.some(([a, b]) => at(i) >= a && at(i) < b));
    expect(inSample.length).toBeGreaterThan(250);
    expect(inSample.length).toBeLessThan(big.length / 2);
    const m = profile.multivariate!;
    const errors = reconstructionErrors(m, m.features.map((f) => Float64Array.from(inSample, (r) => r[f as 'a' | 'b' | 'c'] ?? NaN)));
    for (const e of [sampled.evaluation.estimate!, foldedSample.evaluation.estimate!]) {
      expect(e.multivariate!.rows).toBe(inSample.length);
      expect(e.errorCounts!.reduce((a, b) => a + b, 0)).toBe(inSample.length);
      expect(e.multivariate!.reconstruction_error).toBeCloseTo(errors.reduce((s, x) => s + x, 0) / errors.length, 9);
      // every row's score, as without the sample
      expect(e.scored).toBe(all.evaluation.estimate!.scored);
      expect(e.performance).toEqual(all.evaluation.estimate!.performance);
    }
    // each model version's error from its own rows of the sample
    for (const seg of sampled.evaluation.segments!) {
      const version = Number(seg.value);
      const mine = big.filter((_, i) => i % 3 === version && slices.some(([a, b]) => at(i) >= a && at(i) < b));
      const own = reconstructionErrors(m, m.features.map((f) => Float64Array.from(mine, (r) => r[f as 'a' | 'b' | 'c'] ?? NaN)));
      expect(seg.estimate!.multivariate!.rows).toBe(mine.length);
      expect(seg.estimate!.multivariate!.reconstruction_error).toBeCloseTo(own.reduce((s, x) => s + x, 0) / own.length, 9);
      expect(seg.estimate!.scored).toBe(big.filter((r, i) => i % 3 === version && r.score !== null).length);
    }
    expect(sampled.evaluation.segments!.map((s) => s.value).sort()).toEqual(['0', '1', '2']);
    expect(all.evaluation.estimate!.multivariate!.rows).toBe(big.length);
    expect(all.evaluation.estimate!.scored).toBe(big.filter((r) => r.score !== null).length);
  });
});
