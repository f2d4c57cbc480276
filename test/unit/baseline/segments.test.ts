// Per-segment baselines (issue 17): which values get a profile (top N by rows, each ≥ min rows, the rest as
// __other__), their row counts and features, the JSON checks, and the live plan of a segment: its slots, on the
// window's grid, add up exactly to the segment's own bins.
import { describe, expect, it } from 'vitest';
import { buildBaseline, parseBaseline, segmentBaseline, SEGMENT_OTHER, type BaselineProfile, type NumericProfile, type Table } from '../../../src/baseline/index.js';
import { baselineJson, segmentFlags } from '../../../src/cli/commands/baseline.js';
import { planFromBaseline, slotOf } from '../../../src/evaluate/index.js';
import { segmentPlan } from '../../../src/evaluate/plan.js';
import { featureReference, rangeReference } from '../../../src/evaluate/results.js';
import { segmentReference } from '../../../src/evaluate/segment-reference.js';
import { distanceCounts, psiCounts } from '../../../src/evaluate/window-stats.js';
import { binIndex, SeededRandom } from '../../../src/replay/index.js';
import { nextUp } from '../../../src/stats/index.js';

const SHARES: Array<[string, number]> = [['US', 500], ['GB', 300], ['DE', 200], ['FR', 120], ['ES', 60], ['IT', 20]];

/** Rows in blocks per country (counts above); DE's amounts 1 higher; `tag` is missing everywhere in IT. */
function training(): { table: Table; country: string[]; amount: number[] } {
  const rng = new SeededRandom(3);
  const country = SHARES.flatMap(([c, n]) => Array.from({ length: n }, () => c));
  const amount = country.map((c) => rng.normal() + (c === 'DE' ? 1 : 0));
  const score = amount.map((x) => 1 / (1 + Math.exp(-x)));
  const tag = country.map((c, i) => (c === 'IT' ? NaN : i % 7));
  const columns = new Map([
    ['country', { kind: 'categorical' as const, values: country }],
    ['amount', { kind: 'numeric' as const, values: Float64Array.from(amount) }],
    ['tag', { kind: 'numeric' as const, values: Float64Array.from(tag) }],
    ['score', { kind: 'numeric' as const, values: Float64Array.from(score) }],
  ]);
  return { table: { source: 'mem', rows: country.length, columns }, country, amount };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const build = (top: number, minRows: number): BaselineProfile =>
  buildBaseline(training().table, { model: 'm', createdAt: 0, prediction: 'score', segments: { columns: ['country'], top, minRows } });

describe('baseline segment profiles', () => {
  it('profiles the top N values with at least min rows, the rest together as __other__, with their row counts', () => {
    const p = build(3, 150);
    const s = p.segments!.country;
    expect([s.top, s.min_rows]).toEqual([3, 150]);
    expect(Object.fromEntries(Object.entries(s.values).map(([v, x]) => [v, x.rows]))).toEqual({ US: 500, GB: 300, DE: 200, [SEGMENT_OTHER]: 200 });
    // top 3, but DE has fewer than the min rows: it joins the rest
    const q = build(3, 250);
    expect(Object.fromEntries(Object.entries(q.segments!.country.values).map(([v, x]) => [v, x.rows]))).toEqual({ US: 500, GB: 300, [SEGMENT_OTHER]: 400 });
    // the rest below the min rows gets no profile
    expect(Object.keys(build(5, 50).segments!.country.values)).toEqual(['US', 'GB', 'DE', 'FR', 'ES']);
  });

  it("a segment's features are its own rows', without the segment column; the prediction apart; a feature without values left out", () => {
    const p = build(3, 150);
    const { amount } = training();
    const de = p.segments!.country.values.DE;
    expect(Object.keys(de.features).sort()).toEqual(['amount', 'tag']);
    const a = de.features.amount as NumericProfile;
    const own = amount.slice(800, 1000);
    expect(a.count).toBe(200);
    expect(a.mean).toBeCloseTo(own.reduce((x, y) => x + y, 0) / own.length, 12);
    expect(a.mean).toBeGreaterThan((p.features.amount as NumericProfile).mean + 0.5);
    expect(de.prediction).toMatchObject({ column: 'score', kind: 'numeric', count: 200 });
    // IT alone has no tag: its profile leaves tag out (the model's is used there)
    const it = build(6, 10).segments!.country.values.IT;
    expect(Object.keys(it.features)).toEqual(['amount']);
    expect(segmentBaseline(build(6, 10), 'country', 'IT')!.features.tag).toEqual(build(6, 10).features.tag);
    // the segment's view: its rows, its profiles, no segment column; none for a value without a profile
    const view = segmentBaseline(p, 'country', 'DE')!;
    expect(view.rows).toBe(200);
    // its own bins, sample and range (out of range: outside the segment's training values)
    expect(view.features.amount).toEqual(a);
    expect((view.features.amount as NumericProfile).min).toBeGreaterThan((p.features.amount as NumericProfile).min);
    expect(view.features.country).toBeUndefined();
    expect(segmentBaseline(p, 'country', 'FR')).toBeNull();
  });

  it('refuses a numeric or unknown segment column and bad flags', () => {
    const t = training().table;
    expect(() => buildBaseline(t, { model: 'm', createdAt: 0, segments: { columns: ['amount'] } })).toThrow(/numeric/);
    expect(() => buildBaseline(t, { model: 'm', createdAt: 0, segments: { columns: ['nope'] } })).toThrow(/no column "nope"/);
    expect(() => segmentFlags(undefined, '3', undefined)).toThrow(/need --segments/);
    expect(() => segmentFlags('country', '0', undefined)).toThrow(/segment-top/);
    expect(() => segmentFlags('country', undefined, 'x')).toThrow(/segment-min-rows/);
    expect(segmentFlags('country, device', '4', '100')).toEqual({ columns: ['country', 'device'], top: 4, minRows: 100 });
  });

  it('round-trips through JSON; old baselines stay readable; bad segment profiles are refused', () => {
    const p = build(3, 150);
    const back = parseBaseline(JSON.parse(baselineJson(p)), 'b.json');
    expect(back.segments!.country.values.DE.rows).toBe(200);
    const { segments: _drop, ...old } = JSON.parse(baselineJson(p)) as Record<string, unknown>;
    expect(parseBaseline(old, 'old.json').segments).toBeUndefined();
    const bad = (edit: (s: Json) => void) => {
      const j = JSON.parse(baselineJson(p));
      edit(j.segments);
      return () => parseBaseline(j, 'b.json');
    };
    expect(bad((s) => (s.country.values.DE.rows = 0))).toThrow(/rows/);
    expect(bad((s) => (s.country.values.DE.features.amount = { kind: 'categorical', frequencies: {}, missing: 0 }))).toThrow(/amount.*categorical/);
    expect(bad((s) => (s.country.values.DE.features.amount.psi.counts = [1]))).toThrow(/psi/);
    expect(bad((s) => delete s.country.top)).toThrow(/top/);
  });
});

describe('segment plans on the window grid', () => {
  it("the window's slots add up exactly to each segment's PSI and distance bins", () => {
    const p = build(3, 150);
    const plan = planFromBaseline(p);
    const rng = new SeededRandom(9);
    const xs = Array.from({ length: 5000 }, () => rng.normal() * 1.5 + 0.5);
    for (const value of ['US', 'DE', SEGMENT_OTHER]) {
      const seg = segmentPlan(plan, segmentBaseline(p, 'country', value)!);
      const amount = seg.numeric.find((n) => n.name === 'amount')!;
      const whole = plan.numeric.find((n) => n.name === 'amount')!;
      // the same slots as the window's plan (the queries count once), other bins
      expect([amount.grid, amount.splitCells, amount.thresholds]).toEqual([whole.grid, whole.splitCells, whole.thresholds]);
      const f = p.segments!.country.values[value].features.amount as NumericProfile;
      expect(amount.edges).toEqual(f.psi.edges);
      expect(amount.reference.psi).toEqual(f.psi.counts);
      const fine = new Array<number>(amount.slotBin.length).fill(0);
      for (const x of xs) fine[slotOf(amount, x)] += 1;
      const psi = new Array<number>(f.psi.edges.length + 1).fill(0);
      for (const x of xs) psi[binIndex(f.psi.edges, x)] += 1;
      expect(psiCounts(amount, fine), value).toEqual(psi);
      const d = amount.distance!;
      const dist = new Array<number>(d.reference.length).fill(0);
      for (const x of xs) dist[binIndex(d.splits, x)] += 1;
      expect(distanceCounts({ distance: d, slotDistance: amount.slotDistance! }, fine), value).toEqual(dist);
      // out of range (the outer distance bins): outside the segment's own training range, not the model's
      const outside = (lo: number, hi: number) => xs.filter((x) => x < lo || x > hi).length;
      expect(dist[0] + dist[dist.length - 1], value).toBe(outside(f.min, f.max));
      if (value === 'DE') expect(outside(f.min, f.max)).toBeGreaterThan(outside((p.features.amount as NumericProfile).min, (p.features.amount as NumericProfile).max) + 50);
      expect(seg.modelRange).toEqual([]);
      // the segment's own sample in its slots is its baseline count per slot
      expect(amount.reference.fine.reduce((a, b) => a + b, 0)).toBe(f.count);
      expect(seg.baselineRows).toBe(p.segments!.country.values[value].rows);
    }
  });

  it("past the query's level budget a feature's segment splits are left out, and its segments keep the model's plan", () => {
    const rng = new SeededRandom(11);
    const rows = 3000;
    const columns = new Map<string, { kind: 'numeric'; values: Float64Array } | { kind: 'categorical'; values: string[] }>([
      ['v', { kind: 'categorical', values: Array.from({ length: rows }, (_, i) => String(i % 6)) }],
    ]);
    // 150 features: 240 / 150 → at most 2 levels, which 6 segments' deciles near the model's exceed
    for (let k = 0; k < 150; k++) columns.set(`f${k}`, { kind: 'numeric', values: Float64Array.from({ length: rows }, () => rng.next()) });
    const p = buildBaseline({ source: 'mem', rows, columns }, { model: 'm', createdAt: 0, segments: { columns: ['v'], minRows: 100 } });
    const plan = planFromBaseline(p);
    expect(Math.max(...plan.numeric.map((n) => n.thresholds.length))).toBeLessThanOrEqual(2);
    const seg = segmentPlan(plan, segmentBaseline(p, 'v', '0')!, { model: p });
    const kept = seg.numeric.filter((n, k) => n === plan.numeric[k]);
    expect(kept.length).toBeGreaterThan(0);
    // first the segments' own range ends are left out: such a feature keeps the segment's bins, the model's range
    expect(seg.modelRange.length).toBeGreaterThan(0);
    expect(seg.modelRange.filter((name) => kept.some((n) => n.name === name))).toEqual([]);
    for (const name of seg.modelRange) {
      const n = seg.numeric.find((x) => x.name === name)!;
      const m = p.features[name] as NumericProfile;
      expect([n.distance!.splits[0], n.distance!.splits.at(-1)]).toEqual([m.min, nextUp(m.max)]);
    }
    // and says so: those features are compared with the model within a segment compared with its own profile
    const s = { id: 1, feature: 'v', value: '0', name: 'v=0' };
    const ref = segmentReference(p, plan, s, { dimensions: [{ feature: 'v', values: ['0', '1', '2', '3', '4', '5'], offset: 0 }], count: 7 });
    expect(ref.reference).toBe('segment');
    expect(ref.modelFeatures.sort()).toEqual(kept.map((n) => n.name).sort());
    expect(featureReference(ref, kept[0].name)).toBe('model');
    expect(ref.modelRange).toEqual(seg.modelRange);
    expect(rangeReference(ref, seg.modelRange[0])).toBe('model');
    expect(featureReference(ref, seg.modelRange[0])).toBe('segment');
    const ownRange = seg.numeric.find((n, k) => n !== plan.numeric[k] && !seg.modelRange.includes(n.name));
    if (ownRange) expect(rangeReference(ref, ownRange.name)).toBe('segment');
    // the features that did take the segment's splits count exactly into its bins
    for (const [k, n] of seg.numeric.entries()) {
      if (n === plan.numeric[k]) continue;
      const f = p.segments!.v.values['0'].features[n.name] as NumericProfile;
      expect(n.reference.psi).toEqual(f.psi.counts);
    }
  });
});
