import { describe, expect, it } from 'vitest';
import { PsiDriftTest } from '../../../src/detect/index.js';

describe('PSI exactly 0', () => {
  it('counts as evidence against drift instead of breaking the test (it used to throw "likelihood ratio is NaN")', () => {
    const t = new PsiDriftTest({ arl0: 1000 });
    for (let i = 0; i < 50; i++) t.update({ psi: 0, rows: 10_000, baselineRows: 20_000, bins: 10 }, i);
    expect(t.phase).toBe('watching');
    expect(t.driftDetected).toBe(false);
    // and a real drift afterwards still raises: the zero windows did not poison the evidence
    let at = 50;
    while (!t.driftDetected && at < 100) t.update({ psi: 0.5, rows: 10_000, baselineRows: 20_000, bins: 10 }, at++);
    expect(t.driftDetected).toBe(true);
  });
  it('in the drifting phase, PSI 0 is evidence of recovery', () => {
    const t = new PsiDriftTest({ arl0: 1000 });
    let at = 0;
    while (!t.driftDetected) t.update({ psi: 1, rows: 10_000, baselineRows: 20_000, bins: 10 }, at++);
    while (!t.resolved && at < 100) t.update({ psi: 0, rows: 10_000, baselineRows: 20_000, bins: 10 }, at++);
    expect(t.resolved).toBe(true);
  });
});
