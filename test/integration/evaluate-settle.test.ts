// The settle rule (src/evaluate/settle.ts) on a real ClickHouse: a window whose rows are still being ingested waits;
// a window evaluated during a stall is evaluated again, once, when the stalled rows arrive — results only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline } from '../../src/baseline/index.js';
import { Evaluator, ModelRegistry, declareModel, storedBaselines } from '../../src/evaluate/index.js';
import type { Store } from '../../src/store/index.js';
import { freshStore } from '../support/services.js';

const MIN = 60_000;
const START = 1_764_000_000_000; // a multiple of one minute
const SETTLE = 10_000;

const row = (i: number, ts: number, ingestedAt: number) => ({
  model: 'm', model_version: '1', prediction_id: `p-${i}`, ts: Math.floor(ts / 1000), ts_ms: ts,
  num_names: ['amount'], num_values: [i % 100], cat_names: [], cat_values: [], missing_names: [],
  prediction_num: 0.5, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ingestedAt / 1000),
});

describe('evaluation waits for ingestion to settle and revisits late rows', () => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore('settle');
    const n = 1000;
    const profile = buildBaseline({ source: 'train', rows: n, columns: new Map([['amount', { kind: 'numeric' as const, values: Float64Array.from({ length: n }, (_, i) => i % 100) }]]) },
      { model: 'm', createdAt: START - MIN, version: 'v1' });
    await store.insert('baselines', [{ model: 'm', version: 'v1', created_at: Math.floor((START - MIN) / 1000), profile: JSON.stringify(profile) }]);
  });
  afterAll(async () => store.close());

  it('waits while a window is being ingested, then evaluates it once; rows that were stalled make it due again once', async () => {
    let now = START + 2 * MIN + 5_000; // window 0 and 1 closed (grace 0)
    const evaluator = new Evaluator({
      store, models: new ModelRegistry([declareModel('m', { windowMs: MIN, graceMs: 0 })]), baselines: storedBaselines(store),
      clock: () => now, settleMs: SETTLE,
    });
    const tick = async () => {
      const r = await evaluator.tick(now);
      expect(r.failed).toEqual([]);
      return { evaluated: r.evaluated.map((e) => [(e.start - START) / MIN, e.rows]), reevaluated: r.reevaluated.map((e) => [(e.start - START) / MIN, e.rows]) };
    };
    // window 0 ingested long ago; window 1 still arriving (ingested 3 s ago)
    await store.insert('predictions', [
      ...Array.from({ length: 100 }, (_, i) => row(i, START + i * 100, now - 60_000)),
      ...Array.from({ length: 50 }, (_, i) => row(1000 + i, START + MIN + i * 100, now - 3_000)),
    ]);
    expect(await tick()).toEqual({ evaluated: [[0, 100]], reevaluated: [] });
    now += SETTLE;
    expect(await tick()).toEqual({ evaluated: [[1, 50]], reevaluated: [] });
    now += 5_000;
    expect(await tick()).toEqual({ evaluated: [], reevaluated: [] }); // nothing new: nothing again

    // a stall ends: window 0's missing rows arrive after it was evaluated
    await store.insert('predictions', Array.from({ length: 40 }, (_, i) => row(2000 + i, START + 30_000 + i * 100, now)));
    now += 1_000;
    expect(await tick()).toEqual({ evaluated: [], reevaluated: [] }); // still arriving: waits, like a new window
    now += SETTLE;
    expect(await tick()).toEqual({ evaluated: [], reevaluated: [[0, 140]] });
    now += 30_000;
    expect(await tick()).toEqual({ evaluated: [[2, 0]], reevaluated: [] }); // revisited once, not again
    const marks = await store.query<{ w: string; n: string }>("SELECT toString(toUInt32(window_start)) AS w, toString(count()) AS n FROM evaluations WHERE model = 'm' GROUP BY w ORDER BY w");
    expect(marks.map((m) => [(Number(m.w) * 1000 - START) / MIN, Number(m.n)])).toEqual([[0, 2], [1, 1], [2, 1]]);
  });
});
