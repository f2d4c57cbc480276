import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kindsOf, readTable, referenceFromTable } from '../../../src/baseline/index.js';
import { offlineReport } from '../../../src/report/index.js';
import { DEFAULT_DRIFT_RULE } from '../../../src/stats/index.js';

const DRIFT = new URL('../../fixtures/drift/', import.meta.url).pathname;
// scipy/numpy values of the `driftwatch drift` fixtures (test/fixtures/drift/make_drift_fixture.py)
const expected = JSON.parse(readFileSync(`${DRIFT}expected.json`, 'utf8')).small as Record<string, { psi: number; ks?: { statistic: number; p_value: number }; chi2?: { statistic: number; p_value: number } }>;

async function report() {
  const reference = referenceFromTable(await readTable(`${DRIFT}ref.csv`, { kinds: new Map([['country', 'categorical']]) }));
  const current = await readTable(`${DRIFT}cur.csv`, { kinds: kindsOf(reference), columns: new Set(reference.columns.keys()) });
  return offlineReport(reference, current, { rule: DEFAULT_DRIFT_RULE, generatedAt: Date.UTC(2026, 10, 24) });
}

describe('offline report (same comparison as driftwatch drift)', () => {
  it('has the scipy statistics of every shared column, drifted first, then by PSI', async () => {
    const model = await report();
    expect(model.features.map((f) => [f.name, f.drifted])).toEqual([
      ['country', true],
      ['score', true],
      ['amount', false],
      ['age', false],
    ]);
    for (const f of model.features) {
      const e = expected[f.name];
      expect(f.psi).toBeCloseTo(e.psi, 10);
      const test = e.ks ?? e.chi2!;
      expect(f.test!.statistic).toBeCloseTo(test.statistic, 8);
      expect(f.test!.pValue / test.p_value).toBeCloseTo(1, 6);
    }
  });

  it('draws each column: 30 bins for numeric, one bar per category, shares summing to 1', async () => {
    const model = await report();
    for (const f of model.features) {
      const h = f.histogram!;
      expect(h.kind).toBe(f.kind);
      expect(h.reference.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
      expect(h.current.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
      if (h.kind === 'numeric') expect(h.edges).toHaveLength(31);
    }
    const country = model.features[0].histogram!;
    expect(country.kind === 'categorical' && country.categories).toContain('IT');
  });

  it('names the reference columns the current file lacks and says there is no time axis', async () => {
    const model = await report();
    expect(model.notes.join(' ')).toMatch(/Not in .*cur\.csv: label, prediction/);
    expect(model.notes.join(' ')).toMatch(/no time axis/);
    expect(model.timeline).toEqual([]);
  });
});
