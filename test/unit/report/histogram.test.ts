import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quantileEcdf } from '../../../src/baseline/index.js';
import { categoryBars, displayEdges, histogramOf, numericHistogram } from '../../../src/report/index.js';
import { countAtMost, quantileSorted, sortFloat64 } from '../../../src/stats/index.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/report/histogram.json', import.meta.url), 'utf8')) as {
  reference: number[];
  current: (number | null)[];
  expected: { edges: number[]; reference: number[]; current: number[]; clipped: { reference: number; current: number } };
};
const sorted = sortFloat64(Float64Array.from(fixture.reference));
const current = Float64Array.from(fixture.current, (v) => v ?? NaN);

describe('numeric display histogram', () => {
  it('matches numpy: equal-width bins over both samples 0.5–99.5 % range, outliers clipped into the outer bins, missing left out', () => {
    const h = numericHistogram({ kind: 'exact', sorted }, current);
    const e = fixture.expected;
    expect(h.edges).toHaveLength(31);
    h.edges.forEach((x, i) => expect(x).toBeCloseTo(e.edges[i], 9));
    h.reference.forEach((x, i) => expect(x).toBeCloseTo(e.reference[i], 12));
    h.current.forEach((x, i) => expect(x).toBeCloseTo(e.current[i], 12));
    expect(h.clipped).toEqual(e.clipped);
    expect(h.approximate).toBe(false);
  });

  it('draws the baseline from its quantiles when it keeps no sample, close to the exact shares', () => {
    const quantiles = Array.from({ length: 101 }, (_, i) => quantileSorted(sorted, i / 100));
    const approx = numericHistogram({ kind: 'quantiles', ecdf: quantileEcdf(quantiles), ksBound: 0.006 }, current);
    expect(approx.approximate).toBe(true);
    expect(approx.reference.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    // cumulative shares at each edge agree with the exact sample's within a percentile step plus 1/M
    let cumulative = 0;
    for (let i = 0; i < 30; i++) {
      cumulative += approx.reference[i];
      const exact = countAtMost(sorted, approx.edges[i + 1]) / sorted.length;
      expect(Math.abs(cumulative - exact)).toBeLessThan(0.011);
    }
  });

  it('histogramOf turns bin counts computed elsewhere (ClickHouse) into the same shares', () => {
    const edges = displayEdges({ kind: 'exact', sorted }, { low: 40, high: 160 }, 4);
    expect(edges).toEqual([40, 70, 100, 130, 160]);
    const h = histogramOf({ kind: 'exact', sorted }, edges, [1, 2, 3, 4], 1);
    expect(h.current).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(h.clipped.current).toBe(1);
  });

  it('gives a constant column one unit of room instead of zero-width bins', () => {
    const h = numericHistogram({ kind: 'exact', sorted: Float64Array.from([5, 5, 5]) }, Float64Array.from([5, 5]), 2);
    expect(h.edges).toEqual([4.5, 5, 5.5]);
    expect(h.current).toEqual([0, 1]);
    expect(h.reference).toEqual([0, 1]);
  });
});

describe('category bars', () => {
  it('shares per category, largest first, missing named, the tail folded into "other"', () => {
    const ref = new Map<string | null, number>([['DE', 50], ['FR', 30], ['US', 10], ['IT', 6], [null, 4]]);
    const cur = new Map<string | null, number>([['DE', 20], ['FR', 20], ['BR', 50], ['IT', 10]]);
    const bars = categoryBars(ref, cur, 4);
    // BR and DE tie at 0.5 (current vs baseline share): by name
    expect(bars.categories).toEqual(['BR', 'DE', 'FR', '(3 other)']);
    expect(bars.reference.map((x) => Number(x.toFixed(12)))).toEqual([0, 0.5, 0.3, 0.2]);
    expect(bars.current.map((x) => Number(x.toFixed(12)))).toEqual([0.5, 0.2, 0.2, 0.1]);
    expect(categoryBars(ref, cur).categories).toContain('(missing)');
  });
});
