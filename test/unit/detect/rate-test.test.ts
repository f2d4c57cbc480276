// The data-quality rate stream: its false-alarm rate at the tolerance boundary stays within its budget (1/arl0 per
// window), the ordinary wobble of the share never pages, and a jump in the share pages within a few windows.
import { describe, expect, it } from 'vitest';
import { RateRiseTest } from '../../../src/detect/index.js';
import { SeededRandom } from '../../../src/stats/index.js';

function binomial(random: SeededRandom, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random.next() < p) k++;
  return k;
}

describe('RateRiseTest', () => {
  const expected = 0.001;
  const tolerance = 0.02;

  it('alarms at most about once per arl0 windows when the share sits at expected + tolerance (the worst case under H0)', () => {
    const arl0 = 100;
    const random = new SeededRandom(16);
    let alarms = 0;
    const windows = 6000;
    const t = new RateRiseTest({ arl0, tolerance });
    for (let i = 0; i < windows; i++) {
      const rows = 50 + (i % 7) * 100; // windows of very different sizes
      t.update({ rate: binomial(random, rows, expected + tolerance) / rows, rows, expected }, i);
      if (t.driftDetected) {
        alarms++;
        t.reset();
      }
    }
    // Shiryaev–Roberts: mean time to a false alarm ≥ arl0, so ≤ windows/arl0 alarms in expectation (60), with room for noise
    expect(alarms).toBeLessThanOrEqual((windows / arl0) * 1.3);
  });

  it('never pages on the normal wobble of the share, and pages within 3 windows when it jumps to 8 %', () => {
    const random = new SeededRandom(61);
    const t = new RateRiseTest({ arl0: 30 * 24 * 10, tolerance });
    for (let i = 0; i < 24 * 30; i++) {
      t.update({ rate: binomial(random, 500, expected) / 500, rows: 500, expected }, i);
      expect(t.driftDetected).toBe(false);
    }
    let after = 0;
    for (; after < 10 && !t.driftDetected; after++) t.update({ rate: binomial(random, 500, 0.08) / 500, rows: 500, expected }, 1000 + after);
    expect(t.driftDetected).toBe(true);
    expect(after).toBeLessThanOrEqual(3);
  });

  it('refuses a window that is not a share', () => {
    const t = new RateRiseTest({ arl0: 10 });
    expect(() => t.update({ rate: 1.5, rows: 10, expected: 0 }, 0)).toThrow(/share/);
    expect(() => t.update({ rate: 0.1, rows: 0, expected: 0 }, 0)).toThrow(/rows/);
  });

  it('restores from a snapshot and goes on identically', () => {
    const a = new RateRiseTest({ arl0: 1000 });
    for (let i = 0; i < 5; i++) a.update({ rate: 0.015, rows: 300, expected: 0.001 }, i);
    const b = new RateRiseTest({ arl0: 1000 }).restore(a.snapshot());
    a.update({ rate: 0.05, rows: 300, expected: 0.001 }, 9);
    b.update({ rate: 0.05, rows: 300, expected: 0.001 }, 9);
    expect(b.evidence).toBe(a.evidence);
  });
});
