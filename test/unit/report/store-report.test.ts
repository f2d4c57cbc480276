import { describe, expect, it } from 'vitest';
import { qualityPoints, storeReport } from '../../../src/report/index.js';
import { fakeStore } from './fake-store.js';
import { HOUR, MODEL, SHIFT_FROM, START, WINDOWS, scenario } from './scenario.js';

const range = { model: MODEL, from: START, to: START + WINDOWS * HOUR, now: START + WINDOWS * HOUR };

describe('report from what the service stored', () => {
  it('puts the feature whose alert fires first, with the alert reason, and the rest by latest PSI', async () => {
    const model = await storeReport(fakeStore(scenario()), range);
    expect(model.features[0]).toMatchObject({ name: 'amount', drifted: true, kind: 'numeric' });
    expect(model.features[0].reason).toMatch(/^alert firing since 2026-11-20 11:00 UTC: PSI 0.620 over 300 rows: evidence that PSI > 0.1/);
    expect(model.features.slice(1).every((f) => !f.drifted)).toBe(true);
    const rest = model.features.slice(1).map((f) => f.psi);
    expect(rest).toEqual([...rest].sort((a, b) => b - a));
    expect(model.features[0].test).toMatchObject({ name: 'KS' });
    expect(model.features.find((f) => f.name === 'country')!.test!.name).toBe('chi2');
  });

  it('keeps accuracy out of the features and pairs it with label coverage per window', async () => {
    const model = await storeReport(fakeStore(scenario()), range);
    expect(model.features.map((f) => f.name).sort()).toEqual(['age', 'amount', 'country', 'device', 'score']);
    expect(model.quality.every((q) => q.metric === 'accuracy')).toBe(true);
    expect(model.quality).toHaveLength(WINDOWS);
    expect(model.quality.map((q) => q.labeled / q.rows)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25]);
    expect(model.quality[SHIFT_FROM].value).toBeCloseTo(0.84, 12);
    expect(model.timeline.every((p) => !p.feature.startsWith('__'))).toBe(true);
  });

  it('qualityPoints: the first quality metric the model has, labelled rows over the window’s predictions', () => {
    const w = { start: 0, end: 1 };
    // the evaluator's rows
    expect(
      qualityPoints([
        { ...w, feature: '__window__', statistic: 'rows', value: 200, n: 200 },
        { ...w, feature: 'a', statistic: 'psi', value: 0.1, n: 190 },
        { ...w, feature: '__quality__', statistic: 'rmse', value: 2.5, n: 50 },
        { ...w, feature: '__quality__', statistic: 'label_coverage', value: 0.25, n: 200 },
      ]),
    ).toEqual([{ start: 0, end: 1, metric: 'rmse', value: 2.5, labeled: 50, rows: 200 }]);
    // replay's accuracy stream, no window row: the window's largest feature n
    expect(
      qualityPoints([
        { ...w, feature: 'a', statistic: 'psi', value: 0.1, n: 200 },
        { ...w, feature: '__accuracy__', statistic: 'accuracy', value: 0.9, n: 50 },
      ]),
    ).toEqual([{ start: 0, end: 1, metric: 'accuracy', value: 0.9, labeled: 50, rows: 200 }]);
  });

  it('escapes the model id in every query and rejects an empty range', async () => {
    const store = fakeStore(scenario());
    await storeReport(store, { ...range, model: "x' OR 1=1 --" });
    expect(store.sql.length).toBeGreaterThan(3);
    for (const q of store.sql) expect(q).toContain("model = 'x\\' OR 1=1 --'");
    await expect(storeReport(store, { ...range, from: range.to })).rejects.toThrow(/--from .* must be before --to/);
  });

  it('shows the evaluator’s prediction stream as a feature named after the model output', async () => {
    const s = scenario();
    const base = { model: MODEL, window_start: START / 1000, window_end: START / 1000 + 3600, baseline_version: 'v1', evaluated_at: START / 1000 + 3600 };
    const extra = { ...s, driftResults: [...s.driftResults, { ...base, feature: '__prediction__', n: 300, statistic: 'psi', value: 0.07, p_value: null, details: '{}' }] };
    const model = await storeReport(fakeStore(extra), range);
    expect(model.features.find((f) => f.name === 'prediction')).toMatchObject({ psi: 0.07, histogram: undefined });
    expect(model.features.map((f) => f.name)).not.toContain('__prediction__');
  });

  it('says so when there are no drift results in the range', async () => {
    const model = await storeReport(fakeStore({ ...scenario(), driftResults: [], alertEvents: [] }), range);
    expect(model.notes.join(' ')).toMatch(/No drift results for model fraud between 2026-11-20 00:00 UTC and 2026-11-20 12:00 UTC/);
    expect(model.features.map((f) => f.name).sort()).toEqual(['age', 'amount', 'country', 'device', 'score']);
  });
});
