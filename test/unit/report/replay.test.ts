import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../src/alerting/alert.js';
import { replayAlertLine, replayWindowRows, storeReport } from '../../../src/report/index.js';
import type { StreamResult, WindowSummary } from '../../../src/replay/index.js';
import { fakeStore } from './fake-store.js';
import { HOUR, MODEL, START, scenario } from './scenario.js';

function window(i: number, amountPsi: number, phase: StreamResult['phase']): [WindowSummary, StreamResult[]] {
  const w: WindowSummary = { model: MODEL, start: START + i * HOUR, end: START + (i + 1) * HOUR, rows: 400, features: {}, labeled: 100, correct: 90 };
  const base = { model: MODEL, rows: 400, logEvidence: 0, logThreshold: 10 };
  return [
    w,
    [
      { ...base, feature: 'amount', statistic: 'psi', value: amountPsi, phase },
      { ...base, feature: 'age', statistic: 'psi', value: 0.01, phase: 'watching' },
      { ...base, feature: '__accuracy__', statistic: 'accuracy', value: 0.9, rows: 100, phase: 'watching' },
    ],
  ];
}

describe('report of an in-process replay (the demo)', () => {
  it('reads windows and alerts from memory, the baseline and histograms from the store', async () => {
    const store = fakeStore(scenario());
    const results = [window(0, 0.01, 'watching'), window(1, 0.4, 'drifting'), window(30, 0.5, 'drifting')].flatMap(([w, r]) => replayWindowRows(w, r));
    const event = { at: START + 2 * HOUR, feature: 'amount', kind: 'feature_drift', status: 'firing', statistic: 'psi', value: 0.4, reason: 'evidence reached …' } as unknown as AlertEvent;
    const model = await storeReport(store, { model: MODEL, from: START, to: START + 24 * HOUR, now: START + 24 * HOUR, history: { results, alerts: [replayAlertLine(event)] } });
    expect(store.sql.some((q) => /drift_results|alert_events/.test(q))).toBe(false);
    expect(model.features[0]).toMatchObject({ name: 'amount', drifted: true, psi: 0.4 });
    // window 30 is outside the range
    expect(model.timeline.filter((p) => p.feature === 'amount').map((p) => p.value)).toEqual([0.01, 0.4]);
    expect(model.quality).toEqual([
      { start: START, end: START + HOUR, metric: 'accuracy', value: 0.9, labeled: 100, rows: 400 },
      { start: START + HOUR, end: START + 2 * HOUR, metric: 'accuracy', value: 0.9, labeled: 100, rows: 400 },
    ]);
    expect(model.alerts[0].reason).toBe('evidence reached …');
  });
});
