// Baseline profiles: PSI bins and moments against numpy, exact sample vs quantiles with a KS bound that holds,
// reference quality by task.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildBaseline,
  numericProfile,
  quantileEcdf,
  readTable,
  referenceQuality,
  EXACT_SAMPLE_LIMIT,
  PROFILE_QUANTILES,
  type NumericProfile,
  type Table,
} from '../../../src/baseline/index.js';
import { compareSorted, compareWeighted, sortSample, SeededRandom } from '../../../src/stats/index.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/drift');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
const CREATED = Date.UTC(2026, 10, 24, 12, 0, 0);

function table(columns: Record<string, number[] | (string | null)[]>): Table {
  const entries = Object.entries(columns).map(([name, values]) =>
    typeof values.find((v) => v !== null) === 'number'
      ? [name, { kind: 'numeric' as const, values: Float64Array.from(values as number[]) }]
      : [name, { kind: 'categorical' as const, values: values as (string | null)[] }],
  );
  return { source: 'mem', rows: Object.values(columns)[0].length, columns: new Map(entries as never) };
}

describe('buildBaseline', () => {
  it('profiles the training file: deciles, counts, moments and missing rate as numpy computes them', async () => {
    const t = await readTable(join(FIXTURES, 'ref.csv'));
    const profile = buildBaseline(t, { model: 'fraud', createdAt: CREATED, label: 'label', prediction: 'prediction' });
    expect(profile.schema_version).toBe(1);
    expect(profile.created_at).toBe('2026-11-24T12:00:00.000Z');
    expect(profile.version).toBe('20261124T120000Z');
    expect(Object.keys(profile.features)).toEqual(['amount', 'age', 'score', 'country']);
    for (const name of ['amount', 'age', 'score']) {
      const f = profile.features[name] as NumericProfile;
      const want = expected.small[name];
      f.psi.edges.forEach((e, i) => expect(e).toBeCloseTo(want.edges[i], 10));
      expect(f.psi.counts).toEqual(want.reference_counts.slice(0, 10));
      expect(f.mean).toBeCloseTo(want.mean, 10);
      expect(f.std).toBeCloseTo(want.std, 10);
      expect(f.distribution.kind).toBe('exact');
    }
    const score = profile.features.score as NumericProfile;
    expect(score.missing).toBe(expected.small.score.reference_counts[10]);
    expect(score.missing_rate).toBeCloseTo(score.missing / 3000, 15);
    expect(profile.features.country).toMatchObject({ kind: 'categorical', missing: 0, count: 3000 });
    expect(profile.prediction?.column).toBe('prediction');
    expect(profile.label?.kind).toBe('numeric');
  });

  it('records reference quality when the label and prediction columns are given (binary: 0/1 labels, scores)', async () => {
    const t = await readTable(join(FIXTURES, 'ref.csv'));
    const q = buildBaseline(t, { model: 'm', createdAt: CREATED, label: 'label', prediction: 'prediction' }).quality!;
    expect(q.task).toBe('binary');
    expect(q.rows).toBe(3000);
    const m = q.metrics as unknown as Record<string, number>;
    expect(m.accuracy).toBeCloseTo(expected.quality.accuracy, 12);
    expect(m.rocAuc).toBeCloseTo(expected.quality.roc_auc, 12);
    expect(m.brier).toBeCloseTo(expected.quality.brier, 12);
    expect(m.logLoss).toBeCloseTo(expected.quality.log_loss, 10);
    expect(buildBaseline(t, { model: 'm', createdAt: CREATED, label: 'label' }).quality).toBeNull();
  });

  it('names a missing label column and refuses empty input', () => {
    expect(() => buildBaseline(table({ a: [1, 2] }), { model: 'm', createdAt: CREATED, label: 'y' })).toThrow(/label column "y" is not in mem/);
    expect(() => buildBaseline({ source: 'x.csv', rows: 0, columns: new Map() }, { model: 'm', createdAt: CREATED })).toThrow(/no rows/);
    expect(() => buildBaseline(table({ a: [NaN, NaN] }), { model: 'm', createdAt: CREATED })).toThrow(/column "a" has no values/);
  });
});

describe('numericProfile resolution', () => {
  const rng = new SeededRandom(7);
  it(`keeps the exact sorted sample up to ${EXACT_SAMPLE_LIMIT} values and ${PROFILE_QUANTILES} quantiles beyond`, () => {
    const exact = numericProfile('x', Float64Array.from({ length: EXACT_SAMPLE_LIMIT }, () => rng.normal()));
    expect(exact.distribution.kind).toBe('exact');
    expect(exact.distribution.values).toHaveLength(EXACT_SAMPLE_LIMIT);
    const values = Float64Array.from({ length: EXACT_SAMPLE_LIMIT + 1 }, () => rng.normal());
    const summarised = numericProfile('x', values);
    if (summarised.distribution.kind !== 'quantiles') throw new Error('expected quantiles');
    expect(summarised.distribution.values).toHaveLength(PROFILE_QUANTILES);
    expect(summarised.distribution.values[0]).toBe(summarised.min);
    expect(summarised.distribution.values[PROFILE_QUANTILES - 1]).toBe(summarised.max);
    expect(summarised.distribution.ks_bound).toBeCloseTo(1 / 1000 + 1 / 10_001, 15);
  });

  it('KS from the quantiles stays within ks_bound of KS on the full sample (seeded, ties and shifts included)', () => {
    const gens: [string, () => number][] = [
      ['normal', () => rng.normal()],
      ['integers with ties', () => rng.int(20)],
      ['exponential', () => -Math.log(1 - rng.next())],
    ];
    let worst = 0;
    for (const [, gen] of gens) {
      for (const m of [12_000, 40_000]) {
        const reference = Float64Array.from({ length: m }, gen);
        const profile = numericProfile('x', reference);
        if (profile.distribution.kind !== 'quantiles') throw new Error('expected quantiles');
        const ecdf = quantileEcdf(profile.distribution.values);
        const sortedRef = sortSample(reference).values;
        for (const [n, shift] of [[50, 0], [2_000, 0.1], [30_000, 0]] as const) {
          const current = sortSample(Float64Array.from({ length: n }, () => gen() + shift)).values;
          const exact = compareSorted(sortedRef, current).ks;
          const approx = compareWeighted(ecdf, current).ks;
          worst = Math.max(worst, Math.abs(exact - approx) / profile.distribution.ks_bound);
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(worst).toBeGreaterThan(0); // the approximation is not exact, so the check has teeth
  });
});

describe('referenceQuality', () => {
  it('is regression when labels and predictions are numbers beyond 0/1', () => {
    const q = referenceQuality({ kind: 'numeric', values: Float64Array.from([1, 2, 3, NaN]) }, { kind: 'numeric', values: Float64Array.from([1.5, 2, 2, 9]) });
    expect(q.task).toBe('regression');
    expect(q.rows).toBe(3);
    expect(q.metrics).toMatchObject({ mae: 0.5, rmse: Math.sqrt(1.25 / 3) });
  });

  it('is multiclass for text labels, and binary accepts true/false labels', () => {
    const q = referenceQuality({ kind: 'categorical', values: ['cat', 'dog', 'dog', null] }, { kind: 'categorical', values: ['cat', 'dog', 'cat', 'cat'] });
    expect(q.task).toBe('multiclass');
    expect(q.metrics).toMatchObject({ accuracy: 2 / 3 });
    const b = referenceQuality({ kind: 'categorical', values: ['true', 'false', 'True'] }, { kind: 'numeric', values: Float64Array.from([0.9, 0.2, 0.4]) });
    expect(b.task).toBe('binary');
    expect(b.metrics).toMatchObject({ accuracy: 2 / 3, rocAuc: 1 });
  });
});
