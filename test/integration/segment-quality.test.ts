// Realized quality per segment (issue 17): once labels land, each segment's accuracy, precision, recall, F1, MAE,
// RMSE and label coverage come from the same quality query grouped by segment, equal to Node's computation from the
// raw rows; each segment's CBPE estimate gets its estimation error; rows `accuracy{country=DE}` are stored and the
// gauges carry a `segment` label. Also: /metrics keeps the segments of the last window only (DE leaves the top 2
// between the windows and its series go; the whole-model series stay). Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { buildBaseline, type BaselineProfile, type Column, type NumericProfile } from '../../src/baseline/index.js';
import { Evaluator, ModelRegistry, declareModel, jsonLines, storedBaselines, type WindowEvaluation } from '../../src/evaluate/index.js';
import { SEGMENT_OTHER } from '../../src/evaluate/segments.js';
import { SeededRandom } from '../../src/replay/index.js';
import type { Store } from '../../src/store/index.js';
import { evaluateMetrics } from '../../src/telemetry/evaluate-metrics.js';
import * as N from '../../src/telemetry/names/index.js';
import { freshStore } from '../support/services.js';

const HOUR = 3_600_000;
const START = 1_764_000_000_000;
const ROWS = 1500;
// DE is second by rows in window 0 and falls into the rest (top 2) in window 1
const COUNTRIES: Array<Array<[string, number]>> = [
  [['US', 0.45], ['DE', 0.3], ['FR', 0.17], ['ES', 0.08]],
  [['US', 0.45], ['FR', 0.3], ['DE', 0.17], ['ES', 0.08]],
];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** How a row's label arrives: in the labels table (`table`; with `stale` also an older, other label in the message), in the message as a number or as text, or not at all. */
type Route = 'table' | 'stale' | 'inline' | 'text' | 'none';
interface Row { amount: number; country: string; version: string; score: number; y: number; route: Route }

function pick(rng: SeededRandom, shares: Array<[string, number]>): string {
  let u = rng.next();
  for (const [v, p] of shares) if ((u -= p) < 0) return v;
  return shares[shares.length - 1][0];
}

/** Traffic whose labels follow the scores in the US, are noisier in DE (the model is worse there), and arrive by `routes`. */
function rows(n: number, seed: number, countries: Array<[string, number]>, routes: Array<[Route, number]>): Row[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const country = pick(rng, countries);
    const x = rng.normal();
    const p = country === 'DE' ? 0.5 + (sigmoid(1.5 * x) - 0.5) * 0.3 : sigmoid(1.5 * x);
    return { amount: x, country, version: i % 3 === 0 ? 'v1' : 'v2', score: sigmoid(1.5 * x), y: rng.next() < p ? 1 : 0, route: pick(rng, routes) as Route };
  });
}

function baseline(): BaselineProfile {
  const train = rows(5000, 1, COUNTRIES[0], [['none', 1]]).map((r) => ({ ...r, y: Number(new SeededRandom(Math.floor(r.score * 1e9)).next() < r.score) }));
  const columns = new Map<string, Column>([
    ['amount', { kind: 'numeric', values: Float64Array.from(train, (r) => r.amount) }],
    ['country', { kind: 'categorical', values: train.map((r) => r.country) }],
    ['score', { kind: 'numeric', values: Float64Array.from(train, (r) => r.score) }],
    ['y', { kind: 'numeric', values: Float64Array.from(train, (r) => r.y) }],
  ]);
  return buildBaseline({ source: 'train', rows: train.length, columns }, { model: 'shop', createdAt: START - HOUR, version: 'v1', label: 'y', prediction: 'score' });
}

/** A baseline with a profile per country where DE's training amounts are half as spread (a narrower range than the model's). */
function segmentedBaseline(): BaselineProfile {
  const train = rows(5000, 2, COUNTRIES[0], [['none', 1]]).map((r) => (r.country === 'DE' ? { ...r, amount: r.amount / 2 } : r));
  const columns = new Map<string, Column>([
    ['amount', { kind: 'numeric', values: Float64Array.from(train, (r) => r.amount) }],
    ['country', { kind: 'categorical', values: train.map((r) => r.country) }],
  ]);
  return buildBaseline({ source: 'train', rows: train.length, columns }, { model: 'own', createdAt: START - HOUR, version: 'v1', segments: { columns: ['country'], top: 4, minRows: 100 } });
}

const id = (ts: number, i: number) => `p-${ts}-${i}`;

function predictionRow(model: string, r: Row, i: number, ts: number) {
  // the message's own label: the right one inline, the flipped (stale) one where the labels table has the right one
  const inline = r.route === 'inline' ? r.y : r.route === 'stale' ? 1 - r.y : null;
  return {
    model, model_version: r.version, prediction_id: id(ts, i), ts: Math.floor(ts / 1000), ts_ms: ts,
    num_names: ['amount'], num_values: [r.amount], cat_names: ['country'], cat_values: [r.country], missing_names: [],
    prediction_num: r.score, prediction_str: null, label_num: inline, label_str: r.route === 'text' ? String(r.y) : null, metadata: '', ingested_at: Math.floor(ts / 1000),
  };
}

/** Node's realized quality over raw rows, as the query defines it: correct = (score ≥ 0.5) = (label = 1). */
function expected(raw: Row[]) {
  const labelled = raw.filter((r) => r.route !== 'none');
  const count = (f: (r: Row) => boolean) => labelled.filter(f).length;
  const tp = count((r) => r.score >= 0.5 && r.y === 1);
  const fp = count((r) => r.score >= 0.5 && r.y === 0);
  const fn = count((r) => r.score < 0.5 && r.y === 1);
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  // text labels are not numbers: no absolute error
  const numeric = labelled.filter((r) => r.route !== 'text');
  return {
    labelled: labelled.length,
    coverage: labelled.length / raw.length,
    accuracy: count((r) => (r.score >= 0.5) === (r.y === 1)) / labelled.length,
    precision, recall, f1: (2 * precision * recall) / (precision + recall),
    mae: numeric.reduce((a, r) => a + Math.abs(r.score - r.y), 0) / numeric.length,
    rmse: Math.sqrt(numeric.reduce((a, r) => a + (r.score - r.y) ** 2, 0) / numeric.length),
  };
}

describe('realized quality per segment, from the quality query grouped by segment', () => {
  let store: Store;
  const profile = baseline();
  const common = { windowMs: HOUR, graceMs: 60_000, labelHorizonMs: 24 * HOUR, baselineVersion: 'v1' };
  // shop and plain: labels in the labels table (some over an older label in the message) and in messages; inline: messages only (numbers and text)
  const joined = COUNTRIES.map((c, k) => rows(ROWS, 10 + k, c, [['table', 0.5], ['stale', 0.1], ['inline', 0.2], ['none', 0.2]]));
  const inline = COUNTRIES.map((c, k) => rows(ROWS, 20 + k, c, [['inline', 0.5], ['text', 0.3], ['none', 0.2]]));
  const traffic: Record<string, Row[][]> = { shop: joined, plain: joined, inline, own: inline };
  const own = segmentedBaseline();
  const models = new ModelRegistry([
    declareModel('shop', { ...common, segments: ['country', 'model_version'], segmentTop: 2 }),
    declareModel('inline', { ...common, segments: ['country'], segmentTop: 2 }),
    declareModel('plain', common),
    declareModel('own', { ...common, segments: ['country'], segmentTop: 2 }),
  ]);
  const registry = new Registry();
  const evaluated: WindowEvaluation[] = [];
  const metrics: string[] = [];

  beforeAll(async () => {
    store = await freshStore('segquality');
    await store.insert('baselines', Object.keys(traffic).map((model) => ({ model, version: 'v1', created_at: Math.floor((START - HOUR) / 1000), profile: JSON.stringify(model === 'own' ? own : { ...profile, model }) })));
    const at = (k: number, i: number) => START + k * HOUR + i * 2000;
    await store.insert('predictions', Object.entries(traffic).flatMap(([model, windows]) => windows.flatMap((w, k) => w.map((r, i) => predictionRow(model, r, i, at(k, i))))));
    await store.insert('labels', ['shop', 'plain'].flatMap((model) => joined.flatMap((w, k) => w.flatMap((r, i) => (r.route === 'table' || r.route === 'stale'
      ? [{ model, prediction_id: id(at(k, i), i), label_num: r.y, label_str: null, ts: Math.floor(at(k, i) / 1000) + 60, ts_ms: at(k, i) + 60_000, ingested_at: Math.floor((START + 2 * HOUR) / 1000) }]
      : [])))));
    const evaluator = new Evaluator({ store, models, baselines: storedBaselines(store), clock: () => START + 10 * HOUR, metrics: evaluateMetrics(registry) });
    // one window per tick, /metrics after each
    for (const k of [0, 1]) {
      const report = await evaluator.tick(START + (k + 1) * HOUR + 2 * 60_000);
      expect(report.failed).toEqual([]);
      evaluated.push(...report.evaluated);
      metrics.push(await registry.metrics());
    }
  });
  afterAll(async () => store.close());

  const of = (model: string, k: number) => evaluated.find((e) => e.model === model && e.start === START + k * HOUR)!;
  const members = (raw: Row[], feature: string, value: string, top: string[]) =>
    raw.filter((r) => (feature === 'model_version' ? r.version === value : value === SEGMENT_OTHER ? !top.includes(r.country) : r.country === value));

  it('gives every segment its realized quality equal to Node from the raw rows, and the estimate its error', () => {
    for (const model of ['shop', 'inline']) {
      for (const k of [0, 1]) {
        const e = of(model, k);
        const top = k === 0 ? ['US', 'DE'] : ['US', 'FR'];
        expect(e.segments!.filter((s) => s.feature === 'country').map((s) => s.value).sort(), `${model} ${k}`).toEqual([...top, SEGMENT_OTHER].sort());
        for (const s of e.segments!) {
          const raw = members(traffic[model][k], s.feature, s.value, top);
          const want = expected(raw);
          const q = s.quality!;
          const where = `${model} window ${k} ${s.name}`;
          expect(q.rows, where).toBe(raw.length);
          expect(q.labelled, where).toBe(want.labelled);
          expect(q.labelCoverage, where).toBe(want.coverage);
          expect(q.accuracy, where).toBe(want.accuracy);
          expect(q.precision!, where).toBeCloseTo(want.precision, 12);
          expect(q.recall!, where).toBeCloseTo(want.recall, 12);
          expect(q.f1!, where).toBeCloseTo(want.f1, 12);
          expect(q.mae!, where).toBeCloseTo(want.mae, 12);
          expect(q.rmse!, where).toBeCloseTo(want.rmse, 12);
          // the estimate's error against this segment's labels
          const err = s.estimate!.error!;
          expect(err.labelled, where).toBe(want.labelled);
          expect(err.difference.accuracy!, where).toBeCloseTo(s.estimate!.performance!.accuracy - want.accuracy, 12);
        }
        // the whole window from the grouped query: the labelled share of all its rows
        expect(e.quality.accuracy, `${model} ${k}`).toBe(expected(traffic[model][k]).accuracy);
      }
    }
    // DE's model is worse there: the estimate (the model's calibration) over-states its accuracy more than the US's
    const de = of('shop', 0).segments!.find((s) => s.name === 'country=DE')!;
    const us = of('shop', 0).segments!.find((s) => s.name === 'country=US')!;
    expect(de.estimate!.error!.difference.accuracy!).toBeGreaterThan(us.estimate!.error!.difference.accuracy! + 0.1);
  });

  it('leaves the whole-model quality as an unsegmented model gets it', () => {
    for (const k of [0, 1]) {
      const segmented = of('shop', k).quality;
      const plain = of('plain', k).quality;
      // the errors are summed per segment first: the same up to the order of the additions
      expect(segmented.mae!).toBeCloseTo(plain.mae!, 12);
      expect(segmented.rmse!).toBeCloseTo(plain.rmse!, 12);
      expect({ ...segmented, mae: 0, rmse: 0 }).toEqual({ ...plain, mae: 0, rmse: 0 });
    }
  });

  it('stores the segment quality rows and the estimation error per segment, and prints them', async () => {
    const de = of('shop', 0).segments!.find((s) => s.name === 'country=DE')!;
    const rows = await store.query<{ feature: string; statistic: string; value: number; n: string; details: string }>(
      `SELECT feature, statistic, value, n, details FROM drift_results FINAL WHERE model = 'shop' AND window_start = toDateTime(${START / 1000})
       AND statistic IN ('accuracy', 'accuracy{country=DE}', 'f1{country=DE}', 'label_coverage{country=DE}', 'estimation_error_accuracy{country=DE}') ORDER BY statistic`,
    );
    const row = (statistic: string) => rows.find((r) => r.statistic === statistic)!;
    expect(row('accuracy{country=DE}')).toMatchObject({ feature: '__quality__', value: de.quality!.accuracy, n: String(de.quality!.labelled) });
    expect(JSON.parse(row('accuracy{country=DE}').details).segment).toEqual({ feature: 'country', value: 'DE' });
    expect(row('f1{country=DE}').value).toBeCloseTo(de.quality!.f1!, 12);
    expect(row('label_coverage{country=DE}').value).toBe(de.quality!.labelCoverage);
    expect(row('estimation_error_accuracy{country=DE}')).toMatchObject({ feature: '__estimate__', n: String(de.quality!.labelled) });
    expect(row('estimation_error_accuracy{country=DE}').value).toBeCloseTo(de.estimate!.error!.difference.accuracy!, 12);
    expect(row('accuracy').value).toBe(of('shop', 0).quality.accuracy);
    const line = jsonLines(of('shop', 0)).find((l) => l.segment === 'country=DE' && l.feature === null)!;
    expect(line).toMatchObject({ labelled: de.quality!.labelled, accuracy: de.quality!.accuracy, label_coverage: de.quality!.labelCoverage });
  });

  it("counts a segment's out-of-range share against its own training range", async () => {
    const de = of('own', 0).segments!.find((s) => s.name === 'country=DE')!;
    expect(de.reference).toBe('segment');
    const values = inline[0].filter((r) => r.country === 'DE').map((r) => r.amount);
    const range = (f: NumericProfile) => values.filter((x) => x < f.min || x > f.max).length / values.length;
    const ownRange = range(own.segments!.country.values.DE.features.amount as NumericProfile);
    expect(de.features.find((f) => f.feature === 'amount')!.outOfRangeRate).toBeCloseTo(ownRange, 12);
    // the model's range would hide it
    expect(ownRange).toBeGreaterThan(0.05);
    expect(range(own.features.amount as NumericProfile)).toBeLessThan(0.01);
    const [row] = await store.query<{ details: string }>(`SELECT details FROM drift_results FINAL WHERE model = 'own' AND window_start = toDateTime(${START / 1000}) AND feature = 'amount' AND statistic = 'out_of_range_rate{country=DE}'`);
    expect(JSON.parse(row.details)).toMatchObject({ reference: 'segment', range: 'segment' });
  });

  it('exports the segment quality gauges, and only the segments of the last window', () => {
    const [first, second] = metrics;
    const lines = (text: string, model: string, segment: string) => text.split('\n').filter((l) => l.includes(`model="${model}"`) && l.includes(`segment="${segment}"`));
    const wholeModel = (text: string, model: string) => text.split('\n').filter((l) => l.includes(`model="${model}"`) && !l.includes('segment='));
    const w0 = of('shop', 0).segments!.find((s) => s.name === 'country=DE')!;
    expect(first).toContain(`${N.MODEL_ACCURACY}{model="shop",segment="country=DE"} ${w0.quality!.accuracy}`);
    expect(first).toContain(`${N.MODEL_ESTIMATION_ERROR}{model="shop",metric="accuracy",segment="country=DE"} ${w0.estimate!.error!.difference.accuracy}`);
    expect(lines(first, 'shop', 'country=DE').length).toBeGreaterThan(10);
    // window 1: DE is in the rest, its series are gone; the new top value's are there
    expect(lines(second, 'shop', 'country=DE')).toEqual([]);
    expect(lines(second, 'inline', 'country=DE')).toEqual([]);
    const fr = of('shop', 1).segments!.find((s) => s.name === 'country=FR')!;
    expect(second).toContain(`${N.MODEL_ACCURACY}{model="shop",segment="country=FR"} ${fr.quality!.accuracy}`);
    expect(second).toContain(`${N.FEATURE_PSI}{model="shop",feature="amount",segment="country=FR"} ${fr.features.find((f) => f.feature === 'amount')!.psi}`);
    expect(lines(second, 'shop', 'model_version=v1').length).toBe(lines(first, 'shop', 'model_version=v1').length);
    // the whole-model series: the same series, with window 1's values
    const names = (l: string[]) => l.map((x) => x.slice(0, x.lastIndexOf(' '))).sort();
    expect(names(wholeModel(second, 'shop'))).toEqual(names(wholeModel(first, 'shop')));
    expect(second).toContain(`${N.MODEL_ACCURACY}{model="shop"} ${of('shop', 1).quality.accuracy}`);
    expect(second).toContain(`${N.FEATURE_PSI}{model="shop",feature="amount"} ${of('shop', 1).features.find((f) => f.feature === 'amount')!.psi}`);
  });
});
