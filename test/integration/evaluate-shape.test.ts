// The evaluator's fast paths on the real ClickHouse: reading features by position (all rows share one name list)
// and skipping FINAL (no duplicate ids) must give exactly the counts of the general path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, readTable } from '../../src/baseline/index.js';
import { numericCountsSql, planFromBaseline, sampleNamesSql, windowShapeSql, type WindowPlan } from '../../src/evaluate/index.js';
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
  beforeAll(async () => {
    store = await freshStore('shape');
    const dir = mkdtempSync(join(tmpdir(), 'dw-shape-'));
    writeFileSync(join(dir, 't.csv'), ['a,b,c', ...Array.from({ length: 500 }, (_, i) => `${i % 37},${(i * 7) % 101},${i % 5}`)].join('\n'));
    plan = planFromBaseline(buildBaseline(await readTable(join(dir, 't.csv')), { model: 'm', createdAt: START, version: '1' }));
    const uniform = Array.from({ length: 400 }, (_, i) => message(i, { a: (i * 3) % 41, b: (i * 11) % 97, c: i % 6 }));
    await store.insert('predictions', uniform.map((m) => predictionRow(decodePrediction(m), START)) as unknown as Record<string, unknown>[]);
  });
  afterAll(async () => store.close());

  const counts = async (sql: string) => (await store.query<{ key: string; c: string }>(sql)).map((r) => `${r.key}:${r.c}`).sort();
  const window = { model: 'm', start: START, end: START + HOUR };

  it('by position and without FINAL, the counts equal those of the general path', async () => {
    const [sample] = await store.query<{ num_names: string[] }>(sampleNamesSql(window));
    expect(sample.num_names).toEqual(['a', 'b', 'c']);
    const [shape] = await store.query<{ dups: string; other: string }>(windowShapeSql(window, sample.num_names));
    expect(shape).toEqual({ dups: '0', other: '0' });
    const layout = new Map(sample.num_names.map((n, i) => [n, i + 1]));
    const general = await counts(numericCountsSql(window, plan.numeric, true));
    expect(general.length).toBeGreaterThan(10);
    expect(await counts(numericCountsSql(window, plan.numeric, false, layout))).toEqual(general);
  });

  it('sees a row with another layout and a redelivered duplicate, so the general path is taken', async () => {
    const odd = [message(1000, { b: 5, a: 7, c: 1 }), message(1001, { a: null, b: 3, c: 2 })];
    await store.insert('predictions', odd.map((m) => predictionRow(decodePrediction(m), START)) as unknown as Record<string, unknown>[]);
    await store.insert('predictions', [predictionRow(decodePrediction(message(5, { a: 15, b: 55, c: 5 })), START + 1000)] as unknown as Record<string, unknown>[]);
    const [shape] = await store.query<{ dups: string; other: string }>(windowShapeSql(window, ['a', 'b', 'c']));
    expect(Number(shape.dups)).toBe(1);
    expect(Number(shape.other)).toBe(2);
  });

  it('an empty window has a shape too', async () => {
    const empty = { model: 'm', start: START + 5 * HOUR, end: START + 6 * HOUR };
    expect(await store.query(sampleNamesSql(empty))).toEqual([]);
    expect(await store.query(windowShapeSql(empty, []))).toEqual([{ dups: '0', other: '0' }]);
  });
});
