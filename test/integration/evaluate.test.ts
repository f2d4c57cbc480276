// The evaluator against a real ClickHouse: push-down counts give the statistics numpy/scipy give on the raw rows
// (test/fixtures/evaluate/make_fixture.py), quality follows late labels, restarts neither skip nor repeat a window,
// a failed write is retried and an empty window is recorded.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, type BaselineProfile, type Column } from '../../src/baseline/index.js';
import { Evaluator, ModelRegistry, declareModel, storedBaselines, type EvaluatorOptions } from '../../src/evaluate/index.js';
import { StoreError, type Store } from '../../src/store/index.js';
import { freshStore } from '../support/services.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/evaluate/window.json', import.meta.url), 'utf8')) as {
  rows: number; missing: number; edges: number[]; current_counts: number[]; psi: number; ks_statistic: number; ks_p_value: number; js_distance: number;
  hellinger: number; out_of_range_rate: number;
};

const HOUR = 3_600_000;
const START = 1_764_000_000_000; // a multiple of one hour
const train = (i: number) => ((i * 7919) % 1000) / 10;
const current = (i: number) => (i % 50 === 0 ? null : ((i * 104729) % 997) / 10 + 5);
const score = (i: number) => ((i * 37) % 100) / 100;
const truth = (i: number) => ((score(i) >= 0.5) !== (i % 4 === 0) ? 1 : 0); // every 4th prediction is wrong
const COUNTRIES = ['DE', 'FR', 'US'];

function baseline(): BaselineProfile {
  const n = 2000;
  const columns = new Map<string, Column>([
    ['amount', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => train(i)) }],
    ['country', { kind: 'categorical', values: Array.from({ length: n }, (_, i) => COUNTRIES[i % 3]) }],
    ['score', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => score(i)) }],
    ['label', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => truth(i)) }],
  ]);
  return buildBaseline({ source: 'train', rows: n, columns }, { model: 'fraud', createdAt: START - HOUR, version: 'v1', label: 'label', prediction: 'score' });
}

function predictionRow(i: number, ts: number) {
  const amount = current(i);
  // window rows: country drifts towards US
  const country = i % 5 === 0 ? 'US' : COUNTRIES[i % 3];
  return {
    model: 'fraud', model_version: '1', prediction_id: `p-${i}`, ts: Math.floor(ts / 1000), ts_ms: ts,
    num_names: amount === null ? [] : ['amount'], num_values: amount === null ? [] : [amount],
    cat_names: ['country'], cat_values: [country], missing_names: amount === null ? ['amount'] : [],
    prediction_num: score(i), prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000),
  };
}

const labelRow = (i: number, ingestedAt: number) => ({ model: 'fraud', prediction_id: `p-${i}`, label_num: truth(i), label_str: null, ts: Math.floor((START + HOUR) / 1000), ts_ms: START + HOUR, ingested_at: ingestedAt });

/** A store whose chosen calls fail (the first `times` of them) with a retryable error, like a ClickHouse timeout. */
function flaky(store: Store, fail: (what: string) => boolean, times: number): Store & { failures: number } {
  const s = Object.create(store) as Store & { failures: number };
  s.failures = 0;
  const maybe = (what: string) => {
    if (fail(what) && s.failures < times) {
      s.failures += 1;
      throw new StoreError('timeout', 'clickhouse_unavailable', true);
    }
  };
  s.query = async <T,>(sql: string) => (maybe(sql), store.query<T>(sql));
  s.insert = async (table: string, rows: Record<string, unknown>[]) => (maybe(`insert ${table}`), store.insert(table, rows));
  return s;
}

describe('window evaluation pushed down into ClickHouse', () => {
  let store: Store;
  const models = new ModelRegistry([declareModel('fraud', { windowMs: HOUR, graceMs: 60_000, labelHorizonMs: 24 * HOUR })]);
  const evaluator = (s: Store, extra: Partial<EvaluatorOptions> = {}) => new Evaluator({ store: s, models, baselines: storedBaselines(s), retryDelayMs: 1, clock: () => START + 5 * HOUR, ...extra });

  beforeAll(async () => {
    store = await freshStore('evaluate');
    const profile = baseline();
    await store.insert('baselines', [{ model: 'fraud', version: profile.version, created_at: Math.floor((START - HOUR) / 1000), profile: JSON.stringify(profile) }]);
    // window 0 holds 600 predictions; window 1 none; window 2 one; a duplicate delivery of row 7 must not count twice
    const rows = Array.from({ length: 600 }, (_, i) => predictionRow(i, START + i * 1000));
    // (the duplicate in its own insert: ClickHouse ≥ 20.x collapses duplicates inside one insert, 18.16 does not)
    await store.insert('predictions', [...rows, predictionRow(1000, START + 2 * HOUR + 5)]);
    await store.insert('predictions', [predictionRow(7, START + 7000)]);
    await store.insert('labels', Array.from({ length: 300 }, (_, i) => labelRow(i, Math.floor(START / 1000) + 4 * 3600)));
  });
  afterAll(async () => store.close());

  it('evaluates every closed window once, matching numpy/scipy on the raw rows, and records the empty one', async () => {
    const report = await evaluator(store).tick(START + 3 * HOUR + 2 * 60_000);
    expect(report.failed).toEqual([]);
    expect(report.evaluated.map((e) => [e.start - START, e.rows])).toEqual([[0, 600], [HOUR, 0], [2 * HOUR, 1]]);
    const w0 = report.evaluated[0];
    const amount = w0.features.find((f) => f.feature === 'amount')!;
    const present = fixture.rows - fixture.missing;
    expect(amount.counts).toEqual({ kind: 'numeric', counts: fixture.current_counts, missing: fixture.missing, outOfRange: Math.round(fixture.out_of_range_rate * present) });
    expect(amount.psi).toBeCloseTo(fixture.psi, 12);
    expect(amount.jsDistance).toBeCloseTo(fixture.js_distance, 12);
    expect(amount.hellinger!).toBeCloseTo(fixture.hellinger, 12);
    expect(amount.outOfRangeRate!).toBeCloseTo(fixture.out_of_range_rate, 14);
    expect(amount.missingRate).toBeCloseTo(fixture.missing / fixture.rows, 15);
    // binned CDF: the exact D lies between the statistic and its bound
    expect(amount.ksStatistic!).toBeLessThanOrEqual(fixture.ks_statistic + 1e-12);
    expect(amount.ksUpperBound!).toBeGreaterThanOrEqual(fixture.ks_statistic);
    expect(amount.ksUpperBound! - amount.ksStatistic!).toBeLessThan(0.05);
    const country = w0.features.find((f) => f.feature === 'country')!;
    const us = Array.from({ length: 600 }, (_, i) => (i % 5 === 0 ? 'US' : COUNTRIES[i % 3])).filter((c) => c === 'US').length;
    expect(country.counts).toEqual({ kind: 'categorical', counts: { US: us, DE: expect.any(Number), FR: expect.any(Number) }, missing: 0 });
    expect(country.chi2PValue!).toBeLessThan(1e-6);
    // labels for the first 300 predictions: 3 in 4 correct
    const labelled = Array.from({ length: 300 }, (_, i) => i);
    expect(w0.quality.labelCoverage).toBeCloseTo(0.5, 15);
    expect(w0.quality.accuracy).toBeCloseTo(labelled.filter((i) => i % 4 !== 0).length / 300, 15);
    const marks = await store.query<{ status: string; n: string }>('SELECT status, count() AS n FROM evaluations FINAL GROUP BY status ORDER BY status');
    expect(marks.map((m) => [m.status, Number(m.n)])).toEqual([['empty', 1], ['evaluated', 2]]);
    const [psiRow] = await store.query<{ value: number; n: string }>(`SELECT value, n FROM drift_results FINAL WHERE feature = 'amount' AND statistic = 'psi' AND window_start = toDateTime(${START / 1000})`);
    expect(psiRow.value).toBeCloseTo(fixture.psi, 12);
  });

  it('after a restart evaluates nothing twice and skips nothing', async () => {
    const again = await evaluator(store).tick(START + 3 * HOUR + 2 * 60_000);
    expect(again.evaluated).toEqual([]);
    const next = await evaluator(store).tick(START + 4 * HOUR + 2 * 60_000);
    expect(next.evaluated.map((e) => e.start - START)).toEqual([3 * HOUR]);
  });

  it('re-evaluates a window when late labels arrive, with the new coverage', async () => {
    await store.insert('labels', Array.from({ length: 300 }, (_, k) => labelRow(300 + k, Math.floor(START / 1000) + 4 * 3600 + 60)));
    const report = await evaluator(store).tick(START + 4 * HOUR + 3 * 60_000);
    expect(report.evaluated).toEqual([]);
    expect(report.reevaluated.map((e) => [e.start - START, e.quality.labelCoverage])).toEqual([[0, 1]]);
    expect(report.reevaluated[0].quality.accuracy).toBeCloseTo(0.75, 15);
    const quiet = await evaluator(store).tick(START + 4 * HOUR + 4 * 60_000);
    expect(quiet.reevaluated).toEqual([]);
    // a running evaluator joins labels with predictions only when labels arrived since its last check
    const joins: string[] = [];
    const counting = Object.create(store) as Store;
    counting.query = async <T,>(sql: string) => (sql.includes('ANY INNER JOIN') && joins.push(sql), store.query<T>(sql));
    const running = evaluator(counting);
    await running.tick(START + 4 * HOUR + 5 * 60_000);
    await running.tick(START + 4 * HOUR + 6 * 60_000);
    expect(joins).toHaveLength(1);
    await store.insert('labels', [labelRow(5, Math.floor(START / 1000) + 4 * 3600 + 390)]);
    const again = await running.tick(START + 4 * HOUR + 7 * 60_000);
    expect(joins).toHaveLength(2);
    expect(again.reevaluated.map((e) => e.start - START)).toEqual([0]);
  });

  it('looks once more at a window whose last labels were stored in the second its evaluation saw, after it settled', async () => {
    const own = await freshStore('evaluate_second');
    try {
      const profile = baseline();
      await own.insert('baselines', [{ model: 'fraud', version: profile.version, created_at: Math.floor((START - HOUR) / 1000), profile: JSON.stringify(profile) }]);
      await own.insert('predictions', Array.from({ length: 600 }, (_, i) => predictionRow(i, START + i * 1000)));
      const second = Math.floor(START / 1000) + 2 * 3600; // labels ingested in this second, in two batches
      await own.insert('labels', Array.from({ length: 100 }, (_, i) => labelRow(i, second)));
      let now = second * 1000 + 200;
      const running = evaluator(own, { clock: () => now });
      const first = await running.tick(now);
      expect(first.evaluated.map((e) => [e.start - START, e.quality.labelled])).toEqual([[0, 100]]);
      // the second batch of the same second is stored after the evaluation ran
      await own.insert('labels', Array.from({ length: 50 }, (_, i) => labelRow(100 + i, second)));
      now += 30_000;
      expect((await running.tick(now)).reevaluated).toEqual([]); // not settled yet
      now += 40_000;
      const settled = await running.tick(now);
      expect(settled.reevaluated.map((e) => [e.start - START, e.quality.labelled])).toEqual([[0, 150]]);
      now += 30_000;
      expect((await running.tick(now)).reevaluated).toEqual([]);
      expect((await evaluator(own, { clock: () => now }).tick(now)).reevaluated).toEqual([]); // nor after a restart
    } finally {
      await own.close();
    }
  });

  it('retries a ClickHouse timeout and never leaves a window half-written', async () => {
    const timeouts = flaky(store, (what) => what.includes('FROM predictions FINAL'), 2);
    const e = await evaluator(timeouts).evaluateWindow('fraud', START, START + HOUR);
    expect(timeouts.failures).toBe(2);
    expect(e.rows).toBe(600);
    // the evaluations mark cannot be written: the window stays due, so the next tick does it again
    const broken = flaky(store, (what) => what === 'insert evaluations', 100);
    const failed = await evaluator(broken, { attempts: 2 }).tick(START + 5 * HOUR + 2 * 60_000);
    expect(failed.failed).toHaveLength(1);
    const healed = await evaluator(store).tick(START + 5 * HOUR + 2 * 60_000);
    expect(healed.evaluated.map((x) => x.start - START)).toEqual([4 * HOUR]);
  });

  it('fills the gap before a later window that a backfill evaluated', async () => {
    const e = evaluator(store);
    await e.evaluateWindow('fraud', START + 7 * HOUR, START + 8 * HOUR);
    const report = await e.tick(START + 8 * HOUR + 2 * 60_000);
    expect(report.evaluated.map((x) => (x.start - START) / HOUR)).toEqual([5, 6]);
  });

  it('records a window ClickHouse refuses with an error retrying cannot cure, and moves on instead of looping', async () => {
    const own = await freshStore('evalrefused');
    try {
      const profile = baseline();
      await own.insert('baselines', [{ model: 'fraud', version: profile.version, created_at: Math.floor((START - HOUR) / 1000), profile: JSON.stringify(profile) }]);
      await own.insert('predictions', [predictionRow(1, START + 1000), predictionRow(2, START + HOUR + 1000)]);
      // the quality query now fails on every version (18.16: unknown column, 47; 26: the name resolves to the
      // predictions' column, a correlated subquery in a JOIN, 48), while the label checks still work
      await own.insert('labels', [labelRow(1, Math.floor(START / 1000) + 3600)]);
      await own.command('ALTER TABLE labels DROP COLUMN label_str');
      const refused = await evaluator(own).tick(START + 2 * HOUR + 2 * 60_000);
      expect(refused.failed.map((f) => [f.start - START, /ClickHouse error (47|48):/.test(f.error)])).toEqual([[0, true], [HOUR, true]]);
      expect(refused.evaluated).toEqual([]);
      const marks = await own.query<{ s: string; status: string }>('SELECT toUInt32(window_start) AS s, status FROM evaluations ORDER BY s');
      expect(marks.map((m) => [Number(m.s) * 1000 - START, m.status])).toEqual([[0, 'failed'], [HOUR, 'failed']]);
      // the next tick neither retries them nor stops: nothing is left due
      expect(await evaluator(own).tick(START + 2 * HOUR + 2 * 60_000)).toEqual({ evaluated: [], reevaluated: [], failed: [], labelled: [] });
    } finally {
      await own.close();
    }
  });
});
