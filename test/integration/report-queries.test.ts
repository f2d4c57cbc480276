// The report's reads from ClickHouse take the evaluator's fast paths (features by position from the name layouts,
// FINAL only when the range holds duplicates) and must count exactly what the general path counts (names searched
// per row, FINAL always), on one layout and on several, with and without redelivered duplicates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayoutBook } from '../../src/evaluate/index.js';
import { decodePrediction } from '../../src/ingest/decode.js';
import { predictionRow } from '../../src/ingest/rows.js';
import { readCategoryCounts, readNumericBins, readNumericRanges } from '../../src/report/store-queries.js';
import type { Store } from '../../src/store/index.js';
import { freshStore } from '../support/services.js';

const START = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;

const row = (i: number, features: Record<string, number | string | null>) =>
  predictionRow(decodePrediction({ model: 'm', prediction_id: `p${i}`, timestamp: START + (i % 3600) * 1000, features }), START) as unknown as Record<string, unknown>;

describe('report queries by position', () => {
  let store: Store;
  const range = { model: 'm', from: START, to: START + HOUR };
  const edges = new Map([['a', [0, 10, 20, 30, 40]], ['b', [0, 25, 50, 75, 100]], ['z', [0, 1, 2, 3, 4]]]);
  const sorted = (m: Map<string, Map<number | string | null, number>>) => [...m].map(([k, v]) => [k, [...v].sort((x, y) => String(x[0]).localeCompare(String(y[0])))]).sort();

  beforeAll(async () => {
    store = await freshStore('reportq');
    // one layout for the first 300 rows
    await store.insert('predictions', Array.from({ length: 300 }, (_, i) => row(i, { a: (i * 3) % 47 - 3, b: (i * 11) % 107, c: ['x', 'y', 'z'][i % 3] })));
  });
  afterAll(async () => store.close());

  async function same(expectFinal: boolean, severalLayouts: boolean) {
    const shape = await new LayoutBook(store).shape({ model: 'm', start: range.from, end: range.to });
    expect(shape.final).toBe(expectFinal);
    expect(shape.featureLayout?.kind).toBe(severalLayouts ? 'layouts' : 'positions');
    const general = await readNumericBins(store, range, edges);
    expect([...general.keys()].sort()).toEqual(['a', 'b']);
    expect(sorted(await readNumericBins(store, range, edges, 2, shape))).toEqual(sorted(general));
    expect(sorted(await readCategoryCounts(store, range, ['c', 'a'], shape.final))).toEqual(sorted(await readCategoryCounts(store, range, ['c', 'a'])));
    // below 8192 values ClickHouse's quantiles are exact, so both paths agree exactly
    const byName = await readNumericRanges(store, range, 0.005);
    expect([...(await readNumericRanges(store, range, 0.005, ['a', 'b', 'z'], shape))].sort()).toEqual([...byName].filter(([n]) => n === 'a' || n === 'b').sort());
  }

  it('one layout, no duplicates: by position without FINAL', async () => {
    await same(false, false);
  });

  it('several layouts and a missing feature, then redelivered duplicates: by layout hash, with FINAL', async () => {
    await store.insert('predictions', Array.from({ length: 200 }, (_, i) => row(300 + i, { b: i % 90, a: i % 2 ? null : i % 33, d: 1, c: i % 4 ? 'x' : null })));
    await same(false, true);
    await store.insert('predictions', Array.from({ length: 50 }, (_, i) => row(i * 5, { a: ((i * 5) * 3) % 47 - 3, b: ((i * 5) * 11) % 107, c: ['x', 'y', 'z'][(i * 5) % 3] })));
    await same(true, true);
  });
});
