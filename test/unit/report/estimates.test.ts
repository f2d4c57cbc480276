// The report draws the live estimates it finds in drift_results: estimated accuracy with its interval beside the
// realized accuracy, and the multivariate reconstruction error against its baseline band.
import { describe, expect, it } from 'vitest';
import { renderReport, storeReport } from '../../../src/report/index.js';
import { fakeStore } from './fake-store.js';
import { HOUR, MODEL, START, WINDOWS, scenario } from './scenario.js';

function withEstimates() {
  const s = scenario();
  const windows = [...new Set(s.driftResults.map((r) => r.window_start))];
  windows.forEach((ws, i) => {
    const base = { ...s.driftResults.find((r) => r.window_start === ws)!, p_value: null };
    s.driftResults.push({ ...base, feature: '__estimate__', n: 100, statistic: 'estimated_accuracy', value: 0.8 + i / 1000, details: JSON.stringify({ interval: [0.75, 0.85], level: 0.95 }) });
    s.driftResults.push({ ...base, feature: '__multivariate__', n: 100, statistic: 'reconstruction_error', value: i === windows.length - 1 ? 2 : 1, details: JSON.stringify({ baseline_mean: 1, baseline_std: 0.1, drift: i === windows.length - 1 }) });
  });
  return { s, windows };
}

describe('report: estimates before labels and multivariate drift', () => {
  it('reads them from drift_results, never as features, and draws both', async () => {
    const { s, windows } = withEstimates();
    const model = await storeReport(fakeStore(s), { model: MODEL, from: START, to: START + WINDOWS * HOUR, now: START + WINDOWS * HOUR });
    expect(model.estimates).toHaveLength(windows.length);
    expect(model.estimates![0]).toMatchObject({ value: 0.8, low: 0.75, high: 0.85 });
    expect(model.multivariate!.at(-1)).toMatchObject({ error: 2, drift: true, low: 1 - 3 * 0.1 });
    expect(model.features.map((f) => f.name)).not.toContain('__estimate__');
    const html = await renderReport(model);
    expect(html).toContain('id="multivariate"');
    expect(html).toContain('estimated from calibrated scores before labels');
    const plain = await renderReport(await storeReport(fakeStore(scenario()), { model: MODEL, from: START, to: START + WINDOWS * HOUR, now: START + WINDOWS * HOUR }));
    expect(plain).not.toContain('id="multivariate"');
  });
});
