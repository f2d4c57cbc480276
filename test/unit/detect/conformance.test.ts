// One suite every detector passes: seeded determinism, snapshot/restore round trip, parameter checks.
import { describe, expect, it } from 'vitest';
import { MetricDropTest, PsiDriftTest, type SequentialDriftTest } from '../../../src/detect/index.js';
import { SeededRandom } from '../../../src/replay/random.js';

interface Case<X> {
  name: string;
  make: (arl0?: number) => SequentialDriftTest<X>;
  /** a window whose drift is `drift` × tolerance */
  window: (rnd: SeededRandom, drift: number) => X;
  bad: X;
}

function noncentral(rnd: SeededRandom, df: number, nc: number): number {
  let x = 0;
  for (let i = 0; i < df; i++) {
    const z = rnd.normal(i === 0 ? Math.sqrt(nc) : 0);
    x += z * z;
  }
  return x;
}

const psi: Case<{ psi: number; rows: number; baselineRows: number; bins: number }> = {
  name: 'PsiDriftTest',
  make: (arl0 = 1000) => new PsiDriftTest({ arl0 }),
  window: (rnd, drift) => {
    const rows = 50 + Math.floor(rnd.next() * 2000);
    const k = (rows * 20_000) / (rows + 20_000);
    return { psi: noncentral(rnd, 9, k * drift * 0.1) / k, rows, baselineRows: 20_000, bins: 10 };
  },
  bad: { psi: -1, rows: 10, baselineRows: 10, bins: 10 },
};

const drop: Case<{ value: number; rows: number; baseline: number; baselineRows: number }> = {
  name: 'MetricDropTest',
  make: (arl0 = 1000) => new MetricDropTest({ arl0 }),
  window: (rnd, drift) => {
    const rows = 50 + Math.floor(rnd.next() * 2000);
    const p = 0.9 - drift * 0.05;
    let hits = 0;
    for (let i = 0; i < rows; i++) if (rnd.next() < p) hits++;
    return { value: hits / rows, rows, baseline: 0.9, baselineRows: 20_000 };
  },
  bad: { value: 1.5, rows: 10, baseline: 0.9, baselineRows: 10 },
};

function trace<X>(c: Case<X>, seed: number, drifts: number[]): string[] {
  const rnd = new SeededRandom(seed);
  const d = c.make();
  return drifts.map((drift, t) => {
    d.update(c.window(rnd, drift), t * 3_600_000);
    return `${d.phase}:${d.evidence.toFixed(6)}:${d.driftDetected}:${d.resolved}`;
  });
}

const schedule = [...Array(30).fill(0), ...Array(20).fill(3), ...Array(40).fill(0)];

describe.each([psi, drop] as Case<unknown>[])('$name conformance', (c) => {
  it('is deterministic for a seed', () => {
    expect(trace(c, 7, schedule)).toEqual(trace(c, 7, schedule));
    expect(trace(c, 7, schedule)).not.toEqual(trace(c, 8, schedule));
  });

  it('raises on a drift of 3× tolerance and resolves after it ends', () => {
    const t = trace(c, 11, schedule);
    const raisedAt = t.findIndex((s) => s.includes(':true:false'));
    const resolvedAt = t.findIndex((s) => s.endsWith(':false:true'));
    expect(raisedAt).toBeGreaterThanOrEqual(30);
    expect(raisedAt).toBeLessThan(36);
    expect(resolvedAt).toBeGreaterThanOrEqual(50);
    expect(resolvedAt).toBeLessThan(60);
  });

  it('continues identically after snapshot → JSON → restore', () => {
    const rnd1 = new SeededRandom(3);
    const a = c.make();
    const windows = schedule.map((drift) => c.window(rnd1, drift));
    windows.slice(0, 40).forEach((w, t) => a.update(w, t));
    const b = c.make().restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.phase).toBe(a.phase);
    for (let t = 40; t < windows.length; t++) {
      a.update(windows[t], t);
      b.update(windows[t], t);
      expect(b.evidence).toBe(a.evidence);
      expect(b.phase).toBe(a.phase);
    }
  });

  it('keeps its average run length to a false alarm ≥ arl0 at the tolerance boundary', () => {
    // H0 at its edge (drift = tolerance exactly): mean windows until the first alarm must be ≥ A = 20.
    const rnd = new SeededRandom(99);
    const runs: number[] = [];
    for (let r = 0; r < 150; r++) {
      const d = c.make(20);
      let t = 0;
      while (!d.update(c.window(rnd, 1), t).driftDetected && t < 2000) t++;
      runs.push(t + 1);
    }
    const mean = runs.reduce((a, b) => a + b, 0) / runs.length;
    expect(mean).toBeGreaterThanOrEqual(20);
    expect(mean).toBeLessThan(2000); // the boundary is not hopeless: alarms do happen, so the check can fail
  });

  it('rejects invalid windows, parameters and foreign snapshots with a clear message', () => {
    expect(() => c.make().update(c.bad, 0)).toThrow(RangeError);
    expect(() => c.make().update(c.window(new SeededRandom(1), 0), Number.NaN)).toThrow(/epoch ms/);
    expect(() => c.make().restore({ ...c.make().snapshot(), kind: 'other' })).toThrow(/cannot restore/);
  });

  it('reset() starts over', () => {
    const d = c.make();
    const rnd = new SeededRandom(5);
    for (let t = 0; t < 20; t++) d.update(c.window(rnd, 3), t);
    d.reset();
    expect([d.phase, d.windows, d.statistic, d.evidence]).toEqual(['watching', 0, null, -Infinity]);
  });
});

describe('parameters', () => {
  it.each([
    [{ arl0: 0 }, /arl0/],
    [{ arl0: 100, tolerance: 0 }, /tolerance/],
    [{ arl0: 100, hysteresis: 1 }, /hysteresis/],
    [{ arl0: 100, resolveArl0: 0.5 }, /resolveArl0/],
  ])('%o is refused', (options, message) => {
    expect(() => new PsiDriftTest(options)).toThrow(message);
  });
});
