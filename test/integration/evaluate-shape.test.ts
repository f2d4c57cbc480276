// The evaluator's fast paths on the real ClickHouse: reading features by position (one name layout, or several
// looked up by each row's layout hash) and skipping FINAL (no duplicate ids) must give exactly the counts of the
// general path (names searched per row, FINAL), and those counts must be what slotOf gives in Node.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, readTable, type BaselineProfile } from '../../src/baseline/index.js';
import { Evaluator, ModelRegistry, declareModel, duplicatesSql, fixedBaselines, keyLayout, layoutNamesSql, layoutsSql, numericCountsSql, planFromBaseline, slotOf, type WindowPlan } from '../../src/evaluate/index.js';
import { decodePrediction } from '../../src/ingest/decode.js';
import { predictionRow } from '../../src/ingest/rows.js';
import type { Store } from '../../src/store/index.js';
import { freshStore } from '../support/services.js';

const START = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;

function message(i: number, features: Record<string, number | string | null>): Record<string, unknown> {
  return { model: 'm', prediction_id: `p${i}`, timestamp: START + (i % 3600) * 1000, features };
}

describe('window shape fast paths', () => {
  let store: Store;
  let plan: WindowPlan;
  let baseline: BaselineProfile;
  const uniform = Array.from({ length: 400 }, (_, i) => message(i, { a: (i * 3) % 41, b: ((i * 11) % 97) + 0.5, c: i % 6 }));
  beforeAll(async () => {
    store = await freshStore('shape');
    const dir = mkdtempSync(join(tmpdir(), 'dw-shape-'));
    writeFileSync(join(dir, 't.csv'), ['a,b,c', ...Array.from({ length: 500 }, (_, i) => `${i % 37},${(i * 7) % 101},${i % 5}`)].join('\n'));
    baseline = buildBaseline(await readTable(join(dir, 't.csv')), { model: 'm', createdAt: START, version: '1' });
    plan = planFromBaseline(baseline);
    await store.insert('predictions', uniform.map((m) => predictionRow(decodePrediction(m), START)) as unknown as Record<string, unknown>[]);
  });
  afterAll(async () => store.close());

  const counts = async (sql: string) => (await store.query<{ key: string; c: string }>(sql)).map((r) => `${r.key}:${r.c}`).sort();
  const window = { model: 'm', start: START, end: START + HOUR };
  const positions = (names: string[]) => new Map(names.map((n, i) => [n, i + 1]));

  it('by position and without FINAL, the counts equal those of the general path and of slotOf in Node', async () => {
    const layouts = await store.query<{ layout: string; n: string }>(layoutsSql(window));
    expect(layouts).toHaveLength(1);
    expect(layouts[0].n).toBe('400');
    const [names] = await store.query<{ layout: string; num_names: string[] }>(layoutNamesSql(window, [layouts[0].layout], true));
    expect(names).toMatchObject({ layout: layouts[0].layout, num_names: ['a', 'b', 'c'] });
    expect(await store.query(duplicatesSql(window))).toEqual([{ dups: '0' }]);
    const general = await counts(numericCountsSql(window, plan.numeric, true));
    expect(general.length).toBeGreaterThan(10);
    expect(await counts(numericCountsSql(window, plan.numeric, false, { kind: 'positions', positions: positions(names.num_names) }))).toEqual(general);
    // the same keys computed in Node: ClickHouse's grid and split arithmetic agrees with slotOf value for value
    const keys = keyLayout(plan.numeric);
    const expected = new Map<number, number>();
    for (const m of uniform) {
      plan.numeric.forEach((p, k) => {
        const key = keys.bases[k] + slotOf(p, (m.features as Record<string, number>)[p.name]);
        expected.set(key, (expected.get(key) ?? 0) + 1);
      });
    }
    expect([...expected].map(([key, c]) => `${key}:${c}`).sort()).toEqual(general);
  });

  it('reads rows of several layouts by their layout hash, missing values included, as the general path does', async () => {
    const odd = [message(1000, { b: 5, a: 7, c: 1 }), message(1001, { a: null, b: 3, c: 2 }), message(1002, { c: 4, z: 1 })];
    await store.insert('predictions', odd.map((m) => predictionRow(decodePrediction(m), START)) as unknown as Record<string, unknown>[]);
    const layouts = await store.query<{ layout: string; n: string }>(layoutsSql(window));
    expect(layouts.map((l) => Number(l.n)).sort((a, b) => a - b)).toEqual([1, 1, 1, 400]);
    const names = await store.query<{ layout: string; num_names: string[]; missing_names: string[] }>(layoutNamesSql(window, layouts.map((l) => l.layout)));
    expect(names.map((n) => n.num_names.join(',')).sort()).toEqual(['a,b,c', 'b,a,c', 'b,c', 'c,z']);
    expect(names.find((n) => n.num_names.join(',') === 'b,c')?.missing_names).toEqual(['a']);
    const layout = { kind: 'layouts' as const, layouts: names.map((n) => ({ layout: n.layout, positions: positions(n.num_names) })) };
    const general = await counts(numericCountsSql(window, plan.numeric, true));
    expect(await counts(numericCountsSql(window, plan.numeric, false, layout))).toEqual(general);
    // a missing key per row without the feature: a is absent from two rows
    const keys = keyLayout(plan.numeric);
    expect(general).toContain(`${keys.bases[0] + keys.slots[0]}:2`);
  });

  it('the evaluator gives the same results by layout and by name, and names the features the baseline lacks', async () => {
    const evaluator = (maxLayouts?: number) => new Evaluator({ store, models: new ModelRegistry([declareModel('m')]), baselines: fixedBaselines([baseline]), judge: false, maxLayouts });
    const byLayout = (await evaluator().compute(declareModel('m'), window.start, window.end)).evaluation;
    const byName = (await evaluator(0).compute(declareModel('m'), window.start, window.end)).evaluation;
    expect(byLayout.rows).toBe(403);
    expect(byLayout.unknownFeatures).toEqual(['z']);
    expect({ ...byLayout, evaluatedAt: 0 }).toEqual({ ...byName, evaluatedAt: 0 });
  });

  it('counts a redelivered duplicate (same second and id), so FINAL is used, and FINAL collapses it', async () => {
    const again = predictionRow(decodePrediction(message(5, { a: 15, b: 55, c: 5 })), START + 1000);
    await store.insert('predictions', [again] as unknown as Record<string, unknown>[]);
    expect(await store.query(duplicatesSql(window))).toEqual([{ dups: '1' }]);
    const total = (rows: string[]) => rows.filter((r) => Number(r.split(':')[0]) < keyLayout(plan.numeric).bases[1]).reduce((s, r) => s + Number(r.split(':')[1]), 0);
    expect(total(await counts(numericCountsSql(window, plan.numeric, false)))).toBe(404);
    expect(total(await counts(numericCountsSql(window, plan.numeric, true)))).toBe(403);
  });

  it('an empty window has no layouts and no duplicates', async () => {
    const empty = { model: 'm', start: START + 5 * HOUR, end: START + 6 * HOUR };
    expect(await store.query(layoutsSql(empty))).toEqual([]);
    expect(await store.query(duplicatesSql(empty))).toEqual([{ dups: '0' }]);
  });
});
