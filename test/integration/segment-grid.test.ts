// A window split into more segments than the full grid's keys allow in one flat table (here 20 features × 11
// segments) is counted on a coarser grid (plan.ts segmentedPlan): every segment's and the whole window's counts
// equal Node's slotOf over the raw rows on that grid, PSI is still exactly the unsegmented model's, and the exact KS
// D (scipy's definition, from the raw samples) stays inside [ks_statistic, ks_upper_bound]. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, type BaselineProfile, type Column } from '../../src/baseline/index.js';
import { Evaluator, FLAT_KEYS, ModelRegistry, declareModel, keyLayout, keySpace, planFromBaseline, segmentedPlan, slotOf, storedBaselines, type WindowEvaluation, type WindowPlan } from '../../src/evaluate/index.js';
import { SEGMENT_OTHER } from '../../src/evaluate/segments.js';
import { SeededRandom, ksFromHistograms, ksStatistic } from '../../src/stats/index.js';
import type { Store } from '../../src/store/index.js';
import { freshStore } from '../support/services.js';

const HOUR = 3_600_000;
const START = 1_764_000_000_000;
const FEATURES = 20;
const VERSIONS = 12; // top 10 and the rest: 11 segments
const names = Array.from({ length: FEATURES }, (_, k) => `f${k}`);
const keys = (p: WindowPlan) => keySpace(keyLayout(p.numeric));

/** Rows: feature k ~ N(k, 1 + k/10), with version v shifting f0 by v/10 σ in the window (not in training); version v
 *  has fewer rows the higher it is, so the top 10 are 0–9. */
function sample(n: number, seed: number, shift: number): { version: string; x: number[] }[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    // shares 12 : 11 : … : 1 of every 78 rows
    let slot = i % 78;
    let v = 0;
    while (slot >= VERSIONS - v) slot -= VERSIONS - v++;
    const version = String(v);
    return { version, x: names.map((_, k) => k + (1 + k / 10) * rng.normal() + (k === 0 ? (shift * Number(version)) / 10 : 0)) };
  });
}

function baseline(): BaselineProfile {
  const train = sample(4000, 1, 0);
  const columns = new Map<string, Column>(names.map((f, k) => [f, { kind: 'numeric', values: Float64Array.from(train, (r) => r.x[k]) }]));
  return buildBaseline({ source: 'train', rows: train.length, columns }, { model: 'wide', createdAt: START - HOUR, version: 'v1' });
}

describe('a window with many segments on a coarser grid', () => {
  let store: Store;
  const profile = baseline();
  const window = sample(3300, 7, 1);
  const train = sample(4000, 1, 0);
  const top = new Set(Array.from({ length: 10 }, (_, v) => String(v)));
  let segmented: WindowEvaluation;
  let plain: WindowEvaluation;

  beforeAll(async () => {
    store = await freshStore('seggrid');
    await store.insert('baselines', ['wide', 'flat'].map((model) => ({ model, version: 'v1', created_at: Math.floor((START - HOUR) / 1000), profile: JSON.stringify({ ...profile, model }) })));
    await store.insert('predictions', ['wide', 'flat'].flatMap((model) => window.map((r, i) => ({
      model, model_version: r.version, prediction_id: `p-${i}`, ts: Math.floor((START + i * 1000) / 1000), ts_ms: START + i * 1000,
      num_names: names, num_values: r.x, cat_names: [], cat_values: [], missing_names: [], prediction_num: null, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(START / 1000),
    }))));
    const common = { windowMs: HOUR, graceMs: 60_000, labelHorizonMs: HOUR, baselineVersion: 'v1' };
    const models = new ModelRegistry([declareModel('wide', { ...common, segments: ['model_version'] }), declareModel('flat', common)]);
    const evaluator = new Evaluator({ store, models, baselines: storedBaselines(store), clock: () => START + 3 * HOUR, judge: false });
    segmented = await evaluator.evaluateWindow('wide', START, START + HOUR);
    plain = await evaluator.evaluateWindow('flat', START, START + HOUR);
  });
  afterAll(async () => store.close());

  it('takes a grid on which 11 segments fit one flat table (the full grid would not)', () => {
    expect(11 * keys(planFromBaseline(profile))).toBeGreaterThan(FLAT_KEYS);
    expect(11 * keys(segmentedPlan(profile, 11, keys))).toBeLessThanOrEqual(FLAT_KEYS);
    expect(segmented.segments!.map((s) => s.name).sort()).toEqual([...[...top].map((v) => `model_version=${v}`), `model_version=${SEGMENT_OTHER}`].sort());
  });

  it("counts every segment and the whole window as Node does on that grid, with the unsegmented model's PSI", () => {
    const coarse = segmentedPlan(profile, 11, keys);
    const groups = [
      { result: segmented, rows: window },
      ...segmented.segments!.map((s) => ({ result: s, rows: window.filter((r) => (s.value === SEGMENT_OTHER ? !top.has(r.version) : r.version === s.value)) })),
    ];
    for (const { result, rows } of groups) {
      expect(result.rows).toBe(rows.length);
      for (const [k, p] of coarse.numeric.entries()) {
        const fine = new Array<number>(p.slotBin.length).fill(0);
        for (const r of rows) fine[slotOf(p, r.x[k])] += 1;
        const f = result.features.find((x) => x.feature === p.name)!;
        const ks = ksFromHistograms(p.reference.fine, fine);
        expect(f.ksStatistic, p.name).toBeCloseTo(ks.statistic, 12);
        expect(f.ksUpperBound, p.name).toBeCloseTo(ks.upperBound, 12);
        // the exact D of the raw samples lies inside the binned interval
        const exact = ksStatistic(Float64Array.from(train, (t) => t.x[k]).sort(), Float64Array.from(rows, (r) => r.x[k]).sort());
        expect(exact).toBeGreaterThanOrEqual(f.ksStatistic! - 1e-12);
        expect(exact).toBeLessThanOrEqual(f.ksUpperBound! + 1e-12);
      }
    }
    // PSI bins are exact on either grid: the whole window is the unsegmented model's
    for (const f of plain.features) expect(segmented.features.find((x) => x.feature === f.feature)!.psi, f.feature).toBeCloseTo(f.psi!, 12);
    // f0 drifts with the version: the higher versions' PSI is larger
    const psi0 = (v: string) => segmented.segments!.find((s) => s.value === v)!.features.find((f) => f.feature === 'f0')!.psi!;
    expect(psi0('9')).toBeGreaterThan(psi0('0') + 0.2);
  });
});
