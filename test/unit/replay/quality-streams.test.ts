// The data-quality streams in the detection policy: counted in the false-page budget, quiet on normal traffic,
// paging (as a data-quality alert, apart from the feature's PSI alert) when unseen categories or out-of-range values jump.
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, WindowJudge, parsePolicyYaml, type ModelReference, type WindowSummary } from '../../../src/replay/index.js';
import { SeededRandom } from '../../../src/stats/index.js';

const HOUR = 3_600_000;
const reference: ModelReference = {
  model: 'shop', baselineVersion: 'v1', rows: 10_000,
  features: {
    amount: { kind: 'numeric', edges: [1, 2, 3, 4, 5, 6, 7, 8, 9], counts: new Array(10).fill(1000), missing: 0, min: 0, max: 10 },
    plan: { kind: 'categorical', counts: { free: 5000, pro: 3000, team: 2000 }, missing: 0 },
  },
};

function window(i: number, random: SeededRandom, unseenShare: number, outShare: number): WindowSummary {
  const rows = 400;
  const plan: Record<string, number> = { free: 0, pro: 0, team: 0, edu: 0 };
  const counts = new Array<number>(10).fill(0);
  let outOfRange = 0;
  for (let r = 0; r < rows; r++) {
    const u = random.next();
    plan[u < unseenShare ? 'edu' : u < 0.5 ? 'free' : u < 0.8 ? 'pro' : 'team']++;
    const x = random.next() < outShare ? 11 + random.next() : random.next() * 10;
    counts[Math.min(9, Math.floor(x))]++;
    if (x < 0 || x > 10) outOfRange++;
  }
  return { model: 'shop', start: i * HOUR, end: (i + 1) * HOUR, rows, labeled: 0, correct: 0, features: { amount: { kind: 'numeric', counts, missing: 0, outOfRange }, plan: { kind: 'categorical', counts: plan, missing: 0 } } };
}

describe('data-quality streams', () => {
  it('count in the budget: two PSI streams and two quality streams', () => {
    expect(new WindowJudge(new Map([['shop', reference]]), DEFAULT_POLICY, HOUR).streams).toBe(4);
  });

  it('stay quiet for a month of normal traffic, then page on a jump in unseen categories, naming the share', () => {
    const judge = new WindowJudge(new Map([['shop', reference]]), DEFAULT_POLICY, HOUR);
    const random = new SeededRandom(7);
    for (let i = 0; i < 24 * 30; i++) {
      const judged = judge.judge(window(i, random, 0, 0));
      expect(judged.decisions).toEqual([]);
      expect(judged.results.map((r) => r.statistic).sort()).toEqual(['out_of_range_rate', 'psi', 'psi', 'unseen_rate']);
    }
    let decision;
    for (let i = 720; i < 730 && !decision; i++) decision = judge.judge(window(i, random, 0.1, 0)).decisions.find((d) => d.statistic === 'unseen_rate');
    expect(decision).toMatchObject({ feature: 'plan', kind: 'data_quality', outcome: 'raised' });
    expect(decision!.reason).toMatch(/^unseen-category share 0\.\d+ \(expected 0\.000\) over 400 rows: evidence that unseen-category share rise > 0\.02/);
  });

  it('page on out-of-range values, unless the policy tolerates that much; the tests survive a snapshot', () => {
    const strict = new WindowJudge(new Map([['shop', reference]]), DEFAULT_POLICY, HOUR);
    const lenient = new WindowJudge(new Map([['shop', reference]]), parsePolicyYaml('tolerance: { dataQuality: 0.3 }'), HOUR);
    const random = new SeededRandom(9);
    const raised = (j: WindowJudge, w: WindowSummary) => j.judge(w).decisions.some((d) => d.statistic === 'out_of_range_rate');
    let strictRaised = false;
    let lenientRaised = false;
    for (let i = 0; i < 6; i++) {
      const w = window(i, random, 0, 0.06);
      strictRaised ||= raised(strict, w);
      lenientRaised ||= raised(lenient, w);
    }
    expect(strictRaised).toBe(true);
    expect(lenientRaised).toBe(false);
    const restored = new WindowJudge(new Map([['shop', reference]]), DEFAULT_POLICY, HOUR).restore(strict.snapshot());
    expect(restored.snapshot()).toEqual(strict.snapshot());
  });
});
