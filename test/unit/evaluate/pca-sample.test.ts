// The time sample of a large window's reconstruction error: about the target's share of the window's seconds, in
// whole-second slices spread evenly over it, and no sample at all for windows within the target.
import { describe, expect, it } from 'vitest';
import { pcaSampleSql, sampleSlices } from '../../../src/evaluate/pca-sample.js';

const H = 3_600_000;
const T0 = 1_764_000_000_000;

describe('sampleSlices', () => {
  it('samples nothing for a window within the target, or without one', () => {
    expect(sampleSlices(T0, T0 + H, 200_000, 200_000)).toBeNull();
    expect(sampleSlices(T0, T0 + H, 10, 200_000)).toBeNull();
    expect(sampleSlices(T0, T0 + H, 10_000_000, 0)).toBeNull();
    // the target's share would take the whole window
    expect(sampleSlices(T0, T0 + 10_000, 1_000, 999)).toBeNull();
  });

  it('takes about the target share of an hour at 10M rows in at most 16 slices, evenly spread, disjoint, on whole seconds', () => {
    const slices = sampleSlices(T0, T0 + H, 10_000_000, 200_000)!;
    // 200 000 / 10M of 3 600 s = 72 s: 15 slices of 5 s = 75 s, one every 240 s
    expect(slices).toHaveLength(15);
    expect(slices.map(([a, b]) => (b - a) / 1000)).toEqual(new Array(15).fill(5));
    expect(slices.map(([a]) => (a - T0) / 1000)).toEqual(Array.from({ length: 15 }, (_, i) => 240 * i));
    for (const [a, b] of slices) {
      expect(a % 1000).toBe(0);
      expect(b).toBeLessThanOrEqual(T0 + H);
    }
  });

  it('keeps the sampled seconds between the wanted and twice the wanted, whatever the size', () => {
    for (const [rows, target] of [[1e6, 2e5], [3e6, 1e5], [5e7, 2e5], [2448, 300], [1e7, 1]] as const) {
      const slices = sampleSlices(T0, T0 + H, rows, target)!;
      const wanted = Math.ceil((3600 * target) / rows);
      const seconds = slices.reduce((s, [a, b]) => s + (b - a) / 1000, 0);
      expect(seconds).toBeGreaterThanOrEqual(wanted);
      expect(seconds).toBeLessThan(2 * wanted + 16);
      expect(slices.length).toBeLessThanOrEqual(16);
      for (let i = 1; i < slices.length; i++) expect(slices[i][0]).toBeGreaterThanOrEqual(slices[i - 1][1]);
    }
  });
});

describe('pcaSampleSql', () => {
  it('reads the slices one subquery each, with FINAL when asked', () => {
    const profile = { multivariate: { features: ['a'], mean: [0], std: [1], components: [[1]], error_edges: [0.5] } } as never;
    const sql = pcaSampleSql({ model: 'm', start: T0, end: T0 + H }, [[T0, T0 + 5000], [T0 + 240_000, T0 + 245_000]], profile, true);
    expect(sql.match(/FROM predictions FINAL WHERE model = 'm' AND ts >= /g)).toHaveLength(2);
    expect(sql).toContain('UNION ALL');
    expect(sql).toContain('toInt32(-3) AS bin');
  });
});
