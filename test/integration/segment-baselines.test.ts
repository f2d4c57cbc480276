// Per-segment baselines (issue 17): a baseline built with --segments holds a profile per country, and live each
// country is compared with its own. In training DE's amounts sit 1 σ above the rest; traffic like training pages no
// segment, while the same traffic against the whole-model baseline alone pages DE at once (the contrast). Then DE
// drifts from its own normal and its stream pages. A country unseen in training falls back to the model's profile
// and says so. The per-segment statistics equal Node's from the raw rows against the segment profile. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, segmentBaseline, type BaselineProfile, type Column, type NumericProfile } from '../../src/baseline/index.js';
import { Evaluator, ModelRegistry, declareModel, jsonLines, storedBaselines, type WindowEvaluation } from '../../src/evaluate/index.js';
import { SEGMENT_OTHER } from '../../src/evaluate/segments.js';
import { alignBins, binIndex, psiOfBins, referenceFromProfile, SeededRandom } from '../../src/replay/index.js';
import { distanceBins, hellingerDistance, ksStatistic } from '../../src/stats/index.js';
import type { StreamDecision } from '../../src/alerting/lifecycle.js';
import type { Store } from '../../src/store/index.js';
import { freshStore } from '../support/services.js';

const HOUR = 3_600_000;
const START = 1_764_000_000_000;
const WINDOWS = 8;
/** DE drifts from its own normal from this window on */
const DRIFT_FROM = 4;
const TRAIN: Array<[string, number]> = [['US', 0.4], ['GB', 0.2], ['FR', 0.15], ['DE', 0.1], ['ES', 0.06], ['IT', 0.05], ['NL', 0.03], ['SE', 0.01]];
// live: JP, never seen in training, is big enough to be among the top 5
const LIVE: Array<[string, number]> = [['US', 0.38], ['GB', 0.19], ['FR', 0.14], ['DE', 0.1], ['JP', 0.09], ['ES', 0.04], ['IT', 0.04], ['NL', 0.01], ['SE', 0.01]];
const DEVICES: Array<[string, number]> = [['ios', 0.5], ['android', 0.4], ['web', 0.1]];
const DEVICES_DE: Array<[string, number]> = [['ios', 0.2], ['android', 0.3], ['web', 0.5]];

interface Row { amount: number | null; country: string; device: string }

function pick(rng: SeededRandom, shares: Array<[string, number]>): string {
  let u = rng.next();
  for (const [v, p] of shares) if ((u -= p) < 0) return v;
  return shares[shares.length - 1][0];
}

/** DE's normal: amounts 1 σ higher and more web traffic; `drift` adds to DE's amounts. */
function rows(n: number, seed: number, countries: Array<[string, number]>, drift = 0): Row[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const country = pick(rng, countries);
    const de = country === 'DE';
    return { amount: i % 25 === 0 ? null : rng.normal() + (de ? 1 + drift : 0), country, device: pick(rng, de ? DEVICES_DE : DEVICES) };
  });
}

function baseline(train: Row[], segmented: boolean): BaselineProfile {
  const columns = new Map<string, Column>([
    ['amount', { kind: 'numeric', values: Float64Array.from(train, (r) => r.amount ?? NaN) }],
    ['country', { kind: 'categorical', values: train.map((r) => r.country) }],
    ['device', { kind: 'categorical', values: train.map((r) => r.device) }],
  ]);
  return buildBaseline({ source: 'train', rows: train.length, columns }, {
    model: 'x', createdAt: START - HOUR, version: 'v1', ...(segmented ? { segments: { columns: ['country'], top: 4, minRows: 300 } } : {}),
  });
}

function predictionRow(model: string, r: Row, i: number, ts: number) {
  return {
    model, model_version: 'v1', prediction_id: `p-${ts}-${i}`, ts: Math.floor(ts / 1000), ts_ms: ts,
    num_names: r.amount === null ? [] : ['amount'], num_values: r.amount === null ? [] : [r.amount],
    cat_names: ['country', 'device'], cat_values: [r.country, r.device],
    missing_names: r.amount === null ? ['amount'] : [], prediction_num: null, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000),
  };
}

describe('each segment compared with its own baseline profile', () => {
  let store: Store;
  const train = rows(10_000, 1, TRAIN);
  const own = baseline(train, true);
  const whole = baseline(train, false);
  const windows = Array.from({ length: WINDOWS }, (_, k) => rows(2000, 20 + k, LIVE, k >= DRIFT_FROM ? 1.5 : 0));
  const common = { windowMs: HOUR, graceMs: 60_000, labelHorizonMs: 24 * HOUR, segments: ['country'], segmentTop: 5 };
  // "own": the baseline with segment profiles; "whole": the same training data profiled without them
  const models = new ModelRegistry([declareModel('own', common), declareModel('whole', common)]);
  const decisions: StreamDecision[] = [];
  let evaluated: WindowEvaluation[] = [];

  beforeAll(async () => {
    store = await freshStore('segbase');
    await store.insert('baselines', [['own', own], ['whole', whole]].map(([model, p]) => ({ model, version: 'v1', created_at: Math.floor((START - HOUR) / 1000), profile: JSON.stringify({ ...(p as BaselineProfile), model }) })));
    await store.insert('predictions', ['own', 'whole'].flatMap((model) => windows.flatMap((w, k) => w.map((r, i) => predictionRow(model, r, i, START + k * HOUR + i * 1500)))));
    const evaluator = new Evaluator({ store, models, baselines: storedBaselines(store), clock: () => START + 10 * HOUR, onDecisions: (d) => void decisions.push(...d) });
    const report = await evaluator.tick(START + WINDOWS * HOUR + 2 * 60_000);
    expect(report.failed).toEqual([]);
    evaluated = report.evaluated;

  });
  afterAll(async () => store.close());

  const of = (model: string, k: number) => evaluated.find((e) => e.model === model && e.start === START + k * HOUR)!;
  const raisedSegments = (model: string, before = Infinity) => decisions.filter((d) => d.model === model && d.outcome === 'raised' && d.feature.includes('{') && d.window.start < before);

  it('the baseline holds the top countries with enough rows and the rest', () => {
    expect(Object.keys(own.segments!.country.values).sort()).toEqual(['DE', 'FR', 'GB', 'US', SEGMENT_OTHER].sort());
    expect(own.segments!.country.values.DE.rows).toBe(train.filter((r) => r.country === 'DE').length);
    // US (4000 rows) beyond the segments' exact-sample limit keeps quantiles, DE its exact sample
    expect(own.segments!.country.values.US.features.amount).toMatchObject({ distribution: { kind: 'quantiles' } });
    expect(own.segments!.country.values.DE.features.amount).toMatchObject({ distribution: { kind: 'exact' } });
    expect(whole.segments).toBeUndefined();
  });

  it('traffic like training pages no segment; against the whole-model baseline DE pages at once', () => {
    expect(raisedSegments('own', START + DRIFT_FROM * HOUR)).toEqual([]);
    const contrast = raisedSegments('whole', START + DRIFT_FROM * HOUR).filter((d) => d.feature === 'amount{country=DE}' && d.kind === 'feature_drift');
    expect(contrast).toHaveLength(1);
    // the same window, the same DE rows: PSI against DE's profile is small, against the model's large
    const de = (model: string) => of(model, 1).segments!.find((s) => s.name === 'country=DE')!;
    expect(de('own').reference).toBe('segment');
    expect(de('whole').reference).toBe('model');
    expect(de('own').features.find((f) => f.feature === 'amount')!.psi!).toBeLessThan(0.1);
    expect(de('whole').features.find((f) => f.feature === 'amount')!.psi!).toBeGreaterThan(0.5);
  });

  it('DE drifting from its own normal pages DE only', () => {
    const raised = raisedSegments('own');
    const amount = raised.filter((d) => d.feature === 'amount{country=DE}' && d.kind === 'feature_drift');
    expect(amount).toHaveLength(1);
    expect(amount[0].window.start).toBeGreaterThanOrEqual(START + DRIFT_FROM * HOUR);
    expect(amount[0].reason).toContain('segment country=DE');
    // the rest of what raised is DE's own (its amounts now leave DE's range)
    expect(raised.filter((d) => !d.feature.endsWith('{country=DE}'))).toEqual([]);
    // its baseline is DE's rows, not the model's
    expect(amount[0].evidence.baselineRows).toBe(own.segments!.country.values.DE.rows);
  });

  /** Node's statistics of `amount` and `device` over raw rows against a baseline profile. */
  function expected(p: BaselineProfile, raw: Row[], trained: number[]) {
    const ref = referenceFromProfile(p);
    const a = ref.features.amount;
    if (a.kind !== 'numeric') throw new Error('amount is numeric');
    const values = raw.filter((r) => r.amount !== null).map((r) => r.amount!);
    const counts = new Array<number>(a.edges.length + 1).fill(0);
    for (const x of values) counts[binIndex(a.edges, x)] += 1;
    const missing = raw.length - values.length;
    const f = p.features.amount as NumericProfile;
    const d = distanceBins({ min: f.min, max: f.max, edges: f.psi.edges, counts: f.psi.counts, discrete: f.discrete });
    const cur = new Array<number>(d.reference.length).fill(0);
    for (const x of values) cur[binIndex(d.splits, x)] += 1;
    const device: Record<string, number> = {};
    for (const r of raw) device[r.device] = (device[r.device] ?? 0) + 1;
    // the segment's training rows (a profile beyond SEGMENT_EXACT_SAMPLE_LIMIT keeps quantiles, within ks_bound)
    const sample = trained.filter((x) => !Number.isNaN(x));
    return {
      amount: psiOfBins(alignBins(a, { kind: 'numeric', counts, missing })),
      hellinger: hellingerDistance([...d.reference, f.missing], [...cur, missing]),
      outOfRange: values.filter((x) => x < f.min || x > f.max).length / values.length,
      ks: ksStatistic(Float64Array.from(sample).sort(), Float64Array.from(values).sort()),
      device: psiOfBins(alignBins(ref.features.device, { kind: 'categorical', counts: device, missing: 0 })),
    };
  }

  it('per-segment statistics equal Node from the raw rows against the segment profile; JP falls back to the model', () => {
    for (const k of [1, DRIFT_FROM + 1]) {
      const e = of('own', k);
      const raw = windows[k];
      const top = new Set(['US', 'GB', 'FR', 'DE', 'JP']);
      expect(e.segments!.map((s) => s.value).sort()).toEqual([...top, SEGMENT_OTHER].sort());
      for (const s of e.segments!) {
        const members = raw.filter((r) => (s.value === SEGMENT_OTHER ? !top.has(r.country) : r.country === s.value));
        expect(s.rows, s.name).toBe(members.length);
        const unseen = s.value === 'JP';
        expect(s.reference, s.name).toBe(unseen ? 'model' : 'segment');
        const profiled = new Set(['US', 'GB', 'FR', 'DE']);
        const trainedRows = unseen ? train : train.filter((r) => (s.value === SEGMENT_OTHER ? !profiled.has(r.country) : r.country === s.value));
        const want = expected(unseen ? own : segmentBaseline(own, 'country', s.value)!, members, trainedRows.map((r) => r.amount ?? NaN));
        const dist = (unseen ? own : segmentBaseline(own, 'country', s.value)!).features.amount as NumericProfile;
        const slack = dist.distribution.kind === 'quantiles' ? dist.distribution.ks_bound : 1e-12;
        const amount = s.features.find((f) => f.feature === 'amount')!;
        expect(amount.psi, s.name).toBeCloseTo(want.amount, 12);
        expect(amount.hellinger, s.name).toBeCloseTo(want.hellinger, 12);
        expect(amount.outOfRangeRate, s.name).toBeCloseTo(want.outOfRange, 12);
        // KS from the slot grid: the exact KS lies within its bound
        expect(amount.ksStatistic!, s.name).toBeLessThanOrEqual(want.ks + slack);
        expect(amount.ksUpperBound!, s.name).toBeGreaterThanOrEqual(want.ks - 1e-12);
        expect(s.features.find((f) => f.feature === 'device')!.psi, s.name).toBeCloseTo(want.device, 12);
      }
      // the whole window, counted per segment on each one's own splits and put back into the model's slots, is the
      // window of the same traffic against the profile without segments; and Node's from all the raw rows
      const whole = of('whole', k);
      const wantWhole = expected(own, raw, train.map((r) => r.amount ?? NaN));
      expect(e.rows).toBe(raw.length);
      for (const f of e.features) {
        const g = whole.features.find((x) => x.feature === f.feature)!;
        expect(f.psi, f.feature).toBeCloseTo(g.psi!, 12);
        expect(f.hellinger, f.feature).toBeCloseTo(g.hellinger!, 12);
        expect(f.outOfRangeRate, f.feature).toBeCloseTo(g.outOfRangeRate ?? 0, 12);
      }
      const amount = e.features.find((f) => f.feature === 'amount')!;
      expect(amount.psi).toBeCloseTo(wantWhole.amount, 12);
      expect(amount.outOfRangeRate).toBeCloseTo(wantWhole.outOfRange, 12);
      expect(amount.ksStatistic!).toBeLessThanOrEqual(wantWhole.ks + 1e-12);
      expect(amount.ksUpperBound!).toBeGreaterThanOrEqual(wantWhole.ks - 1e-12);
    }
    // the whole window is the same with or without segment profiles in the baseline (its grid holds more splits)
    for (const f of of('whole', 2).features) expect(of('own', 2).features.find((g) => g.feature === f.feature)!.psi, f.feature).toBeCloseTo(f.psi!, 12);
  });

  it('says which reference each segment used: evaluate --json and the stored details', async () => {
    const e = of('own', 2);
    const lines = jsonLines(e);
    expect(lines.find((l) => l.segment === 'country=DE' && l.feature === null)!.reference).toBe('segment');
    expect(lines.find((l) => l.segment === 'country=JP' && l.feature === 'amount')!.reference).toBe('model');
    const rows = await store.query<{ statistic: string; details: string }>(
      `SELECT statistic, details FROM drift_results FINAL WHERE model = 'own' AND window_start = toDateTime(${(START + 2 * HOUR) / 1000}) AND feature = 'amount' AND statistic IN ('psi{country=DE}', 'psi{country=JP}') ORDER BY statistic`,
    );
    expect(rows.map((r) => [r.statistic, JSON.parse(r.details).reference])).toEqual([['psi{country=DE}', 'segment'], ['psi{country=JP}', 'model']]);
  });
});
