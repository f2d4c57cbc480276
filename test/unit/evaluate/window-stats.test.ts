// The statistics the evaluator derives from push-down counts, without ClickHouse: counts made with fineIndex (what
// the SQL computes) give numpy/scipy's PSI, JS and a KS interval holding scipy's D (test/fixtures/evaluate);
// baselines kept as quantiles keep D inside the widened bound; quality from confusion counts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildBaseline, type Column } from '../../../src/baseline/index.js';
import { KEY_STRIDE, MISSING_KEY, ROWS_KEY, fineIndex, numericCounts, numericResult, planFromBaseline, qualityResult, SUB_BINS } from '../../../src/evaluate/index.js';
import { SeededRandom, binCounts, ksTest, sortSample } from '../../../src/stats/index.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/evaluate/window.json', import.meta.url), 'utf8')) as {
  rows: number; missing: number; current_counts: number[]; psi: number; ks_statistic: number; ks_p_value: number; js_distance: number;
};

function plan(values: Float64Array) {
  const columns = new Map<string, Column>([['x', { kind: 'numeric', values }]]);
  return planFromBaseline(buildBaseline({ source: 't', rows: values.length, columns }, { model: 'm', createdAt: 0, version: 'v' })).numeric[0];
}

function counted(p: ReturnType<typeof plan>, values: readonly (number | null)[]) {
  const fine = new Array<number>((p.edges.length + 1) * p.sub).fill(0);
  let missing = 0;
  for (const v of values) {
    if (v === null) missing++;
    else fine[fineIndex(p, v)]++;
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
    expect(r.counts).toEqual({ kind: 'numeric', counts: fixture.current_counts, missing: fixture.missing });
    expect(r.psi).toBeCloseTo(fixture.psi, 12);
    expect(r.jsDistance).toBeCloseTo(fixture.js_distance, 12);
    expect(r.ksStatistic!).toBeLessThanOrEqual(fixture.ks_statistic + 1e-12);
    expect(r.ksUpperBound!).toBeGreaterThanOrEqual(fixture.ks_statistic);
    expect(r.missingRate).toBe(12 / 600);
  });

  it('sub-bins refine the PSI bins: each sub-bin lies in the PSI bin of binCounts', () => {
    const p = plan(train);
    const values = Array.from({ length: 5000 }, (_, i) => -20 + (i * 0.0291) % 150);
    const { fine } = counted(p, values);
    const coarse = [];
    for (let d = 0; d <= p.edges.length; d++) coarse.push(fine.slice(d * SUB_BINS, (d + 1) * SUB_BINS).reduce((s, c) => s + c, 0));
    expect(coarse).toEqual(binCounts(sortSample(Float64Array.from(values)).values, p.edges));
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

  it('decodes push-down keys into rows, sub-bin counts and missing counts, and refuses a stray key', () => {
    const p = plan(train);
    const rows = [{ key: String(ROWS_KEY), c: '10' }, { key: '3', c: '4' }, { key: String(MISSING_KEY), c: '6' }];
    expect(numericCounts(rows, [p])).toEqual({ rows: 10, fine: [Object.assign(new Array(100).fill(0), { 3: 4 })], missing: [6] });
    expect(() => numericCounts([{ key: KEY_STRIDE + 1, c: 1 }], [p])).toThrow(/no feature/);
  });

  it('gives no statistic for an empty window, only its zero rows', () => {
    const r = numericResult(plan(train), 0, new Array(100).fill(0), 0);
    expect([r.psi, r.ksStatistic, r.jsDistance, r.missingRate]).toEqual([null, null, null, null]);
  });

  it('derives quality from confusion counts: precision 3/4, recall 3/5, F1 2/3; coverage labelled/rows', () => {
    const q = qualityResult({ rows: 20, labelled: 10, correct: 7, tp: 3, fp: 1, tn: 4, fn: 2, numericRows: 10, absError: 5, squaredError: 4, labelsAt: 0 });
    expect(q).toMatchObject({ labelCoverage: 0.5, accuracy: 0.7, precision: 0.75, recall: 0.6, mae: 0.5, rmse: Math.sqrt(0.4) });
    expect(q.f1).toBeCloseTo(2 / 3, 15);
    expect(qualityResult({ rows: 5, labelled: 0, correct: 0, tp: 0, fp: 0, tn: 0, fn: 0, numericRows: 0, absError: 0, squaredError: 0, labelsAt: 0 })).toMatchObject({ labelCoverage: 0, accuracy: null, f1: null, rmse: null });
  });
});
