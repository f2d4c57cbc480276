// Data-quality shares and full-range distances of a live window, pushed down into ClickHouse (issue 16): values
// past the baseline's range, a discrete feature's in-between value, unseen categories and values of the other kind
// are counted by the engine and agree with counting the same rows in Node and with `driftwatch drift`'s statistics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, compareToReference, referenceFromBaseline, type BaselineProfile, type Column } from '../../src/baseline/index.js';
import { Evaluator, ModelRegistry, declareModel, fixedBaselines } from '../../src/evaluate/index.js';
import type { Store } from '../../src/store/index.js';
import { freshStore } from '../support/services.js';

const HOUR = 3_600_000;
const START = 1_764_000_000_000;
const N = 2000;
const LEVELS = [1, 2, 4, 5];
const PLANS = ['free', 'pro', 'team'];

function baseline(): BaselineProfile {
  const columns = new Map<string, Column>([
    ['load', { kind: 'numeric', values: Float64Array.from({ length: N }, (_, i) => 40 + ((i * 7919) % 1000) / 50) }],
    ['level', { kind: 'numeric', values: Float64Array.from({ length: N }, (_, i) => LEVELS[i % 4]) }],
    ['plan', { kind: 'categorical', values: Array.from({ length: N }, (_, i) => PLANS[i % 3]) }],
  ]);
  return buildBaseline({ source: 'train', rows: N, columns }, { model: 'shop', createdAt: START - HOUR, version: 'v1' });
}

/** Window row i: load drifts past the baseline's max (60) for every 7th row, text for every 25th; level 3 every 6th; plans edu/gov and a number. */
function features(i: number): Record<string, number | string | null> {
  return {
    load: i % 25 === 0 ? 'n/a-text' : i % 7 === 0 ? 61 + (i % 5) : 40 + ((i * 104729) % 997) / 50,
    level: i % 6 === 0 ? 3 : LEVELS[i % 4],
    plan: i % 11 === 0 ? 'edu' : i % 13 === 0 ? 'gov' : i % 17 === 0 ? 42 : i % 19 === 0 ? null : PLANS[i % 3],
  };
}

function row(i: number, ts: number) {
  const r = { num_names: [] as string[], num_values: [] as number[], cat_names: [] as string[], cat_values: [] as string[], missing_names: [] as string[] };
  for (const [name, v] of Object.entries(features(i))) {
    if (typeof v === 'number') {
      r.num_names.push(name);
      r.num_values.push(v);
    } else if (typeof v === 'string') {
      r.cat_names.push(name);
      r.cat_values.push(v);
    } else r.missing_names.push(name);
  }
  return { model: 'shop', model_version: '1', prediction_id: `q-${i}`, ts: Math.floor(ts / 1000), ts_ms: ts, ...r, prediction_num: null, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000) };
}

describe('data quality of a live window, counted by ClickHouse', () => {
  let store: Store;
  const rows = 700;
  const profile = baseline();
  const models = new ModelRegistry([declareModel('shop', { windowMs: HOUR, graceMs: 60_000, labelHorizonMs: HOUR })]);

  beforeAll(async () => {
    store = await freshStore('evaluate_quality');
    await store.insert('predictions', Array.from({ length: rows }, (_, i) => row(i, START + i * 1000)));
  });
  afterAll(async () => store.close());

  // by layout (no FINAL), and by name per row (maxLayouts 0: the layouts are not read, so the mismatch query always runs)
  for (const maxLayouts of [undefined, 0]) {
    it(`shares and distances equal counting the rows ${maxLayouts === 0 ? '(features found by name)' : '(features found by layout)'}`, async () => {
      const evaluator = new Evaluator({ store, models, baselines: fixedBaselines([profile]), clock: () => START + 2 * HOUR, maxLayouts });
      const e = await evaluator.evaluateWindow('shop', START, START + HOUR);
      const all = Array.from({ length: rows }, (_, i) => features(i));
      const byName = new Map(e.features.map((f) => [f.feature, f]));
      const load = byName.get('load')!;
      const numbers = all.map((f) => f.load).filter((v): v is number => typeof v === 'number');
      expect(load.typeMismatchRate).toBeCloseTo(all.filter((f) => typeof f.load === 'string').length / rows, 14);
      expect(load.missingRate).toBe(0);
      expect(load.outOfRangeRate).toBeCloseTo(numbers.filter((v) => v < 40 || v > 59.98).length / numbers.length, 14);
      expect(load.outOfRangeRate!).toBeGreaterThan(0.1);
      const level = byName.get('level')!;
      expect(level.outOfRangeRate).toBe(0);
      const plan = byName.get('plan')!;
      const plans = all.map((f) => f.plan);
      const strings = plans.filter((v): v is string => typeof v === 'string');
      expect(plan.unseenRate).toBeCloseTo(strings.filter((v) => !PLANS.includes(v)).length / strings.length, 14);
      expect(plan.typeMismatchRate).toBeCloseTo(plans.filter((v) => typeof v === 'number').length / rows, 14);
      expect(plan.missingRate).toBeCloseTo(plans.filter((v) => v === null).length / rows, 14);

      // the distances equal `driftwatch drift` on the same rows (itself checked against scipy)
      const current = new Map<string, Column>([
        ['load', { kind: 'numeric', values: Float64Array.from(all, (f) => (typeof f.load === 'number' ? f.load : NaN)) }],
        ['level', { kind: 'numeric', values: Float64Array.from(all, (f) => f.level as number) }],
        ['plan', { kind: 'categorical', values: all.map((f) => (typeof f.plan === 'string' ? f.plan : null)) }],
      ]);
      const offline = new Map(compareToReference(referenceFromBaseline(profile, 'baseline'), { source: 'window', rows, columns: current }).map((c) => [c.column, c]));
      for (const name of ['load', 'level', 'plan']) {
        expect(byName.get(name)!.jsDistance).toBeCloseTo(offline.get(name)!.jsDistance, 12);
        expect(byName.get(name)!.hellinger).toBeCloseTo(offline.get(name)!.hellinger, 12);
      }
      // level 3 lies between the support points 2 and 4: binned by value it is not merged with either
      expect(level.jsDistance!).toBeGreaterThan(0.2);

      const stored = await store.query<{ feature: string; statistic: string; value: number }>(
        `SELECT feature, statistic, value FROM drift_results WHERE model = 'shop' AND statistic IN ('out_of_range_rate', 'unseen_rate', 'type_mismatch_rate', 'hellinger') ORDER BY evaluated_at DESC LIMIT 1 BY feature, statistic`,
      );
      const value = (feature: string, statistic: string) => Number(stored.find((r) => r.feature === feature && r.statistic === statistic)?.value);
      expect(value('load', 'out_of_range_rate')).toBeCloseTo(load.outOfRangeRate!, 12);
      expect(value('load', 'type_mismatch_rate')).toBeCloseTo(load.typeMismatchRate!, 12);
      expect(value('plan', 'unseen_rate')).toBeCloseTo(plan.unseenRate!, 12);
      expect(value('level', 'hellinger')).toBeCloseTo(level.hellinger!, 12);
    });
  }
});
