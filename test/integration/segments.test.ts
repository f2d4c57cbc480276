// Per-segment drift (issue 17): a model declaring `segments` gets drift, data quality and the estimates per segment
// value (the top N by rows in each window, the rest together), counted by the same push-down queries. A drift
// confined to one country (10 % of the traffic) is caught for that segment, stays invisible in the whole-model
// stream, and no other segment pages; the per-segment statistics equal Node's from the raw rows. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { buildBaseline, type BaselineProfile, type Column } from '../../src/baseline/index.js';
import { estimatePerformance } from '../../src/estimate/index.js';
import { Evaluator, ModelRegistry, declareModel, jsonLines, readResults, storedBaselines, type WindowEvaluation } from '../../src/evaluate/index.js';
import { SEGMENT_OTHER } from '../../src/evaluate/segments.js';
import { alignBins, binIndex, psiOfBins, referenceFromProfile, SeededRandom } from '../../src/replay/index.js';
import { scoreHistogram } from '../../src/stats/index.js';
import type { StreamDecision } from '../../src/alerting/lifecycle.js';
import type { Store } from '../../src/store/index.js';
import { evaluateMetrics } from '../../src/telemetry/evaluate-metrics.js';
import * as N from '../../src/telemetry/names/index.js';
import { freshStore } from '../support/services.js';

const HOUR = 3_600_000;
const START = 1_764_000_000_000;
const WINDOWS = 8;
const COUNTRIES: Array<[string, number]> = [['US', 0.4], ['GB', 0.2], ['FR', 0.15], ['DE', 0.1], ['ES', 0.05], ['IT', 0.05], ['NL', 0.03], ['SE', 0.02]];
const DEVICES: Array<[string, number]> = [['ios', 0.5], ['android', 0.4], ['web', 0.1]];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

interface Row { amount: number | null; country: string; device: string; version: string; score: number; y: number; text?: true }

function pick(rng: SeededRandom, shares: Array<[string, number]>): string {
  let u = rng.next();
  for (const [v, p] of shares) if ((u -= p) < 0) return v;
  return shares[shares.length - 1][0];
}

/** Traffic; from window `driftFrom` on, DE's amounts are 1.5 σ higher (nothing else changes). */
function rows(n: number, seed: number, deShift: number): Row[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const country = pick(rng, COUNTRIES);
    const x = rng.normal() + (country === 'DE' ? deShift : 0);
    return { amount: i % 25 === 0 ? null : x, country, device: pick(rng, DEVICES), version: i % 2 === 0 ? 'v1' : 'v2', score: sigmoid(1.5 * x), y: rng.next() < sigmoid(1.5 * x) ? 1 : 0 };
  });
}

function baseline(): BaselineProfile {
  const train = rows(5000, 1, 0);
  const columns = new Map<string, Column>([
    ['amount', { kind: 'numeric', values: Float64Array.from(train, (r) => r.amount ?? NaN) }],
    ['country', { kind: 'categorical', values: train.map((r) => r.country) }],
    ['device', { kind: 'categorical', values: train.map((r) => r.device) }],
    ['score', { kind: 'numeric', values: Float64Array.from(train, (r) => r.score) }],
    ['y', { kind: 'numeric', values: Float64Array.from(train, (r) => r.y) }],
  ]);
  return buildBaseline({ source: 'train', rows: train.length, columns }, { model: 'shop', createdAt: START - HOUR, version: 'v1', label: 'y', prediction: 'score' });
}

function predictionRow(model: string, r: Row, i: number, ts: number) {
  // a text amount (type mismatch) sits with the categories
  const num = r.amount !== null && !r.text;
  return {
    model, model_version: r.version, prediction_id: `p-${ts}-${i}`, ts: Math.floor(ts / 1000), ts_ms: ts,
    num_names: num ? ['amount'] : [], num_values: num ? [r.amount] : [],
    cat_names: r.text ? ['country', 'device', 'amount'] : ['country', 'device'], cat_values: r.text ? [r.country, r.device, String(r.amount)] : [r.country, r.device],
    missing_names: r.amount === null ? ['amount'] : [], prediction_num: r.score, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000),
  };
}

describe('per-segment drift pushed down into ClickHouse', () => {
  let store: Store;
  const profile = baseline();
  const reference = referenceFromProfile(profile);
  const windows = Array.from({ length: WINDOWS }, (_, k) => rows(2000, 10 + k, k >= 2 ? 1.5 : 0));
  // window 3: a few French amounts arrive as text (a data-quality problem of one segment)
  for (const [i, r] of windows[3].entries()) if (r.country === 'FR' && r.amount !== null && i % 10 === 1) r.text = true;
  const common = { windowMs: HOUR, graceMs: 60_000, labelHorizonMs: 24 * HOUR };
  const models = new ModelRegistry([
    declareModel('shop', { ...common, segments: ['country', 'model_version'], segmentTop: 4 }),
    declareModel('plain', { ...common, baselineVersion: 'v1' }),
  ]);
  const registry = new Registry();
  const decisions: StreamDecision[] = [];
  let evaluated: WindowEvaluation[] = [];

  beforeAll(async () => {
    store = await freshStore('segments');
    await store.insert('baselines', ['shop', 'plain'].map((model) => ({ model, version: 'v1', created_at: Math.floor((START - HOUR) / 1000), profile: JSON.stringify({ ...profile, model }) })));
    await store.insert('predictions', ['shop', 'plain'].flatMap((model) => windows.flatMap((w, k) => w.map((r, i) => predictionRow(model, r, i, START + k * HOUR + i * 1500)))));
    const evaluator = new Evaluator({ store, models, baselines: storedBaselines(store), clock: () => START + 10 * HOUR, metrics: evaluateMetrics(registry), onDecisions: (d) => void decisions.push(...d) });
    const report = await evaluator.tick(START + WINDOWS * HOUR + 2 * 60_000);
    expect(report.failed).toEqual([]);
    evaluated = report.evaluated;
  });
  afterAll(async () => store.close());

  const of = (model: string, k: number) => evaluated.find((e) => e.model === model && e.start === START + k * HOUR)!;

  /** Node's PSI of `amount` and `device` over some raw rows, against the baseline. */
  function expectedPsi(raw: Row[]): { amount: number; device: number; missing: number; mismatch: number } {
    const a = reference.features.amount;
    if (a.kind !== 'numeric') throw new Error('amount is numeric');
    const counts = new Array<number>(a.edges.length + 1).fill(0);
    for (const r of raw) if (r.amount !== null && !r.text) counts[binIndex(a.edges, r.amount)] += 1;
    const missing = raw.filter((r) => r.amount === null || r.text).length;
    const text = raw.filter((r) => r.text).length;
    const device: Record<string, number> = {};
    for (const r of raw) device[r.device] = (device[r.device] ?? 0) + 1;
    return {
      amount: psiOfBins(alignBins(a, { kind: 'numeric', counts, missing })),
      device: psiOfBins(alignBins(reference.features.device, { kind: 'categorical', counts: device, missing: 0 })),
      missing: (missing - text) / raw.length,
      mismatch: text / raw.length,
    };
  }

  it('computes each top segment and the rest from the same queries, equal to Node from the raw rows', () => {
    const e = of('shop', 3);
    const raw = windows[3];
    // the top 4 countries by rows, the rest together; model_version's two values (no rest: it would be empty)
    expect(e.segments!.map((s) => s.name).sort()).toEqual(['country=DE', 'country=FR', 'country=GB', 'country=US', `country=${SEGMENT_OTHER}`, 'model_version=v1', 'model_version=v2'].sort());
    const rest = new Set(['ES', 'IT', 'NL', 'SE']);
    for (const s of e.segments!) {
      const members = s.feature === 'country' ? raw.filter((r) => (s.value === SEGMENT_OTHER ? rest.has(r.country) : r.country === s.value)) : raw.filter((r) => r.version === s.value);
      expect(s.rows, s.name).toBe(members.length);
      const want = expectedPsi(members);
      const amount = s.features.find((f) => f.feature === 'amount')!;
      expect(amount.psi, s.name).toBeCloseTo(want.amount, 12);
      expect(amount.missingRate, s.name).toBeCloseTo(want.missing, 12);
      expect(amount.typeMismatchRate, s.name).toBeCloseTo(want.mismatch, 12);
      if (s.name === 'country=FR') expect(amount.typeMismatchRate).toBeGreaterThan(0);
      expect(s.features.find((f) => f.feature === 'device')!.psi, s.name).toBeCloseTo(want.device, 12);
      // a segment leaves out its own segment feature (one value there)
      if (s.feature === 'country') expect(s.features.some((f) => f.feature === 'country')).toBe(false);
      // the estimate per segment from its own score histogram
      const cal = profile.calibration!;
      const perf = estimatePerformance(cal, scoreHistogram(cal.edges, members.map((r) => r.score)), { seed: e.start / 1000 });
      expect(s.estimate!.performance!.accuracy, s.name).toBeCloseTo(perf.accuracy, 12);
    }
    // the whole window from the segmented queries is what the unsegmented model gets
    const plain = of('plain', 3);
    expect(e.rows).toBe(plain.rows);
    for (const f of plain.features) {
      const g = e.features.find((x) => x.feature === f.feature)!;
      expect(g.psi, f.feature).toBeCloseTo(f.psi!, 12);
      expect(g.missingRate).toBe(f.missingRate);
      expect(g.typeMismatchRate).toBe(f.typeMismatchRate);
    }
    expect(e.estimate!.performance!.accuracy).toBeCloseTo(plain.estimate!.performance!.accuracy, 12);
    // evaluate --json: the segments' lines after the window's, the estimates on the lines without a feature
    const lines = jsonLines(e);
    const de = e.segments!.find((s) => s.name === 'country=DE')!;
    expect(lines.find((l) => l.segment === 'country=DE' && l.feature === 'amount')!.psi).toBe(de.features.find((f) => f.feature === 'amount')!.psi);
    expect(lines.find((l) => l.segment === 'country=DE' && l.feature === null)).toMatchObject({ n: de.rows, performance_estimate: { rows: de.rows, accuracy: de.estimate!.performance!.accuracy } });
    expect(lines.find((l) => l.segment === undefined && l.feature === null)).toMatchObject({ n: e.rows, performance_estimate: { accuracy: e.estimate!.performance!.accuracy }, multivariate: null });
  });

  it('pages for the drifting segment only: not the whole-model stream, not the other segments', () => {
    const raised = decisions.filter((d) => d.outcome === 'raised');
    expect(raised.filter((d) => d.model === 'shop' && d.feature === 'amount{country=DE}' && d.kind === 'feature_drift')).toHaveLength(1);
    expect(raised.find((d) => d.feature === 'amount{country=DE}')!.reason).toContain('segment country=DE');
    // everything else that raised is DE's own data quality (its shifted amounts leave the baseline's range)
    expect(raised.filter((d) => !d.feature.endsWith('{country=DE}'))).toEqual([]);
    // the drift is there but diluted in the whole window
    expect(of('shop', 5).features.find((f) => f.feature === 'amount')!.psi!).toBeLessThan(0.06);
    expect(of('shop', 5).segments!.find((s) => s.name === 'country=DE')!.features.find((f) => f.feature === 'amount')!.psi!).toBeGreaterThan(0.5);
  });

  it('stores segment rows apart from the whole-model rows and exports gauges with a segment label', async () => {
    const rows = await store.query<{ feature: string; statistic: string; value: number; details: string }>(
      `SELECT feature, statistic, value, details FROM drift_results FINAL WHERE model = 'shop' AND window_start = toDateTime(${(START + 3 * HOUR) / 1000}) AND statistic IN ('psi', 'psi{country=DE}', 'rows{country=DE}') ORDER BY feature, statistic`,
    );
    const de = of('shop', 3).segments!.find((s) => s.name === 'country=DE')!;
    const stored = rows.find((r) => r.feature === 'amount' && r.statistic === 'psi{country=DE}')!;
    expect(stored.value).toBeCloseTo(de.features.find((f) => f.feature === 'amount')!.psi!, 12);
    expect(JSON.parse(stored.details).segment).toEqual({ feature: 'country', value: 'DE' });
    expect(rows.find((r) => r.statistic === 'rows{country=DE}')!.value).toBe(de.rows);
    expect(rows.filter((r) => r.feature === 'amount' && r.statistic === 'psi')).toHaveLength(1);
    // the API's reader (and the report's) see whole-model rows only
    const api = await readResults(store, { model: 'shop', from: START, to: START + WINDOWS * HOUR, kind: 'drift' });
    expect(api.length).toBeGreaterThan(0);
    expect(api.filter((r) => r.statistic.includes('{'))).toEqual([]);
    const text = await registry.metrics();
    const last = of('shop', WINDOWS - 1);
    const lastDe = last.segments!.find((s) => s.name === 'country=DE')!.features.find((f) => f.feature === 'amount')!;
    expect(text).toContain(`${N.FEATURE_PSI}{model="shop",feature="amount",segment="country=DE"} ${lastDe.psi}`);
    expect(text).toContain(`${N.FEATURE_PSI}{model="shop",feature="amount"} ${last.features.find((f) => f.feature === 'amount')!.psi}`);
  });
});
