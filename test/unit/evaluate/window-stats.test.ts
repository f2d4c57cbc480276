// The statistics the evaluator derives from push-down counts, without ClickHouse: counts made with slotOf (what
// the SQL computes) give numpy/scipy's PSI, JS and a KS interval holding scipy's D (test/fixtures/evaluate);
// baselines kept as quantiles keep D inside the widened bound; quality from confusion counts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildBaseline, type Column } from '../../../src/baseline/index.js';
import { gridCell, keyLayout, numericCounts, numericResult, planFromBaseline, psiCounts, qualityResult, slotOf } from '../../../src/evaluate/index.js';
import { SeededRandom, binCounts, ksTest, sortSample } from '../../../src/stats/index.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/evaluate/window.json', import.meta.url), 'utf8')) as {
  rows: number; missing: number; current_counts: number[]; psi: number; ks_statistic: number; ks_p_value: number; js_distance: number;
  hellinger: number; out_of_range_rate: number;
};

function plan(values: Float64Array) {
  const columns = new Map<string, Column>([['x', { kind: 'numeric', values }]]);
  return planFromBaseline(buildBaseline({ source: 't', rows: values.length, columns }, { model: 'm', createdAt: 0, version: 'v' })).numeric[0];
}

function counted(p: ReturnType<typeof plan>, values: readonly (number | null)[]) {
  const fine = new Array<number>(p.slotBin.length).fill(0);
  let missing = 0;
  for (const v of values) {
    if (v === null) missing++;
    else fine[slotOf(p, v)]++;
  }
  return { fine, missing };
}

describe('window statistics from binned counts', () => {
  const train = Float64Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 1000) / 10);
  const current = Array.from({ length: 600 }, (_, i) => (i % 50 === 0 ? null : ((i * 104729) % 997) / 10 + 5));

  it('matches numpy/scipy on the fixture window (exact baseline sample)', () => {
    const p = plan(train);
    const { fine, missing } = counted(p, current);
    const r = numericResult(p, current.length, fine, missing);
    expect(r.counts).toEqual({ kind: 'numeric', counts: fixture.current_counts, missing: fixture.missing, outOfRange: Math.round(fixture.out_of_range_rate * (fixture.rows - fixture.missing)) });
    expect(r.psi).toBeCloseTo(fixture.psi, 12);
    expect(r.jsDistance).toBeCloseTo(fixture.js_distance, 12);
    expect(r.hellinger!).toBeCloseTo(fixture.hellinger, 12);
    expect(r.outOfRangeRate!).toBeCloseTo(fixture.out_of_range_rate, 14);
    expect(r.outOfRangeRate!).toBeGreaterThan(0);
    expect(r.ksStatistic!).toBeLessThanOrEqual(fixture.ks_statistic + 1e-12);
    expect(r.ksUpperBound!).toBeGreaterThanOrEqual(fixture.ks_statistic);
    expect(r.missingRate).toBe(12 / 600);
  });

  it('slots refine the PSI bins exactly: their sums are binCounts, values on an edge included', () => {
    const p = plan(train);
    const values = [...Array.from({ length: 5000 }, (_, i) => -20 + (i * 0.0291) % 150), ...p.edges, ...p.edges.map((e) => e - 1e-9), ...p.edges.map((e) => e + 1e-9)];
    const { fine } = counted(p, values);
    expect(psiCounts(p, fine)).toEqual(binCounts(sortSample(Float64Array.from(values)).values, p.edges));
  });

  it('lays a power-of-two grid of 256–512 cells over the baseline, with each edge alone in its cell', () => {
    const p = plan(train);
    expect(p.grid.cells).toBeGreaterThanOrEqual(256);
    expect(p.grid.cells).toBeLessThanOrEqual(513);
    expect(Math.log2(p.grid.scale) % 1).toBe(0);
    expect(p.thresholds).toHaveLength(1);
    // cells holding an edge, or a bound of the distance bins (the baseline's min and just above its max, in the end cells)
    expect(p.splitCells).toEqual([...new Set([...p.edges, ...p.distance!.splits].map((e) => gridCell(p.grid, e)))].sort((a, b) => a - b));
    expect(p.splitCells[0]).toBe(0);
    expect(p.splitCells.at(-1)).toBe(p.grid.cells - 1);
    // slots increase with the value: the binned CDF is a CDF
    const xs = Array.from({ length: 3000 }, (_, i) => -10 + i * 0.04);
    for (let i = 1; i < xs.length; i++) expect(slotOf(p, xs[i])).toBeGreaterThanOrEqual(slotOf(p, xs[i - 1]));
  });

  it('refines the grid where deciles crowd together, and still splits exactly where they share a cell', () => {
    // a heavy tail: nine deciles within [0, 1], the 99th percentile near 1000
    const skewed = Float64Array.from({ length: 5000 }, (_, i) => (i < 4900 ? (i % 1000) / 1000 : 1000 + i));
    const p = plan(skewed);
    expect(p.grid.cells).toBeGreaterThan(512);
    const values = Array.from({ length: 4000 }, (_, i) => (i % 2 ? i / 4000 : i));
    const { fine } = counted(p, [...values, ...p.edges]);
    expect(psiCounts(p, fine)).toEqual(binCounts(sortSample(Float64Array.from([...values, ...p.edges])).values, p.edges));
  });

  it('handles a constant feature (all edges equal) and keeps the PSI exact', () => {
    const p = plan(Float64Array.from({ length: 300 }, () => 4));
    const values = [3, 4, 4, 5];
    const { fine } = counted(p, values);
    expect(psiCounts(p, fine)).toEqual(binCounts(Float64Array.from(values), p.edges));
  });

  it('keeps the exact KS D inside [statistic − baseline error, bound] when the baseline kept only quantiles', () => {
    const rng = new SeededRandom(11);
    const train50k = Float64Array.from({ length: 50_000 }, () => Math.exp(rng.normal()));
    const p = plan(train50k);
    expect(p.reference.ksError).toBeGreaterThan(0);
    expect(p.reference.fine.reduce((s, c) => s + c, 0)).toBe(50_000);
    for (const shift of [0, 0.05, 0.3]) {
      const cur = Array.from({ length: 3000 }, () => Math.exp(rng.normal() + shift));
      const { fine } = counted(p, cur);
      const r = numericResult(p, cur.length, fine, 0);
      const exact = ksTest(sortSample(train50k).values, sortSample(Float64Array.from(cur)).values).statistic;
      expect(exact).toBeGreaterThanOrEqual(r.ksStatistic! - p.reference.ksError);
      expect(exact).toBeLessThanOrEqual(r.ksUpperBound!);
      expect(r.ksUpperBound! - r.ksStatistic!).toBeLessThan(0.05);
    }
  });

  it('decodes push-down keys into slot and missing counts per feature, and refuses a stray key', () => {
    const p = plan(train);
    const keys = keyLayout([p, p]);
    expect(keys.bases).toEqual([0, p.slotBin.length + 1]);
    expect(keys.type).toBe('UInt16');
    const rows = [{ key: '3', c: '4' }, { key: String(keys.slots[0]), c: '6' }, { key: String(keys.bases[1] + 2), c: '10' }];
    const decoded = numericCounts(rows, [p, p]);
    expect(decoded.rows).toEqual([10, 10]);
    expect(decoded.missing).toEqual([6, 0]);
    expect(decoded.fine[0][3]).toBe(4);
    expect(decoded.fine[1][2]).toBe(10);
    expect(() => numericCounts([{ key: keys.bases[1] + keys.slots[1] + 1, c: 1 }], [p, p])).toThrow(/no feature/);
  });

  it('gives no statistic for an empty window, only its zero rows', () => {
    const p = plan(train);
    const r = numericResult(p, 0, new Array(p.slotBin.length).fill(0), 0);
    expect([r.psi, r.ksStatistic, r.jsDistance, r.missingRate]).toEqual([null, null, null, null]);
  });

  it('derives quality from confusion counts: precision 3/4, recall 3/5, F1 2/3; coverage labelled/rows', () => {
    const q = qualityResult({ rows: 20, labelled: 10, correct: 7, tp: 3, fp: 1, tn: 4, fn: 2, numericRows: 10, absError: 5, squaredError: 4, labelsAt: 0 });
    expect(q).toMatchObject({ labelCoverage: 0.5, accuracy: 0.7, precision: 0.75, recall: 0.6, mae: 0.5, rmse: Math.sqrt(0.4) });
    expect(q.f1).toBeCloseTo(2 / 3, 15);
    expect(qualityResult({ rows: 5, labelled: 0, correct: 0, tp: 0, fp: 0, tn: 0, fn: 0, numericRows: 0, absError: 0, squaredError: 0, labelsAt: 0 })).toMatchObject({ labelCoverage: 0, accuracy: null, f1: null, rmse: null });
  });
});
