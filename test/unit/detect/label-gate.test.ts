import { describe, expect, it } from 'vitest';
import { LabelGate, type LabelledWindow } from '../../../src/detect/index.js';

const HOUR = 3_600_000;
const window = (i: number, rows: number, labelled: number, correct = labelled): LabelledWindow => ({ start: i * HOUR, end: (i + 1) * HOUR, rows, labelled, correct });
const gate = () => new LabelGate({ coverage: 0.9, horizonMs: 24 * HOUR, minLabelled: 1 });
const starts = (r: ReturnType<LabelGate['release']>) => r.map((x) => [x.window.start / HOUR, x.outcome, x.why]);

describe('label gate', () => {
  it('lets a window go once its labels reach the coverage, and not before', () => {
    const g = gate();
    g.offer(window(0, 100, 10));
    expect(g.release(1.5 * HOUR)).toEqual([]);
    g.relabel(window(0, 100, 89));
    expect(g.release(3 * HOUR)).toEqual([]);
    g.relabel(window(0, 100, 90, 80));
    expect(g.release(4 * HOUR)).toEqual([{ outcome: 'judged', why: 'coverage', window: window(0, 100, 90, 80) }]);
    expect(g.release(100 * HOUR)).toEqual([]); // exactly once
  });

  it('keeps window order: a complete window waits for an earlier incomplete one until it completes or reaches its horizon', () => {
    const g = gate();
    g.offer(window(0, 100, 5));
    g.offer(window(1, 100, 100));
    g.offer(window(2, 100, 100));
    expect(g.release(3 * HOUR)).toEqual([]);
    expect(g.waiting().map((w) => w.start / HOUR)).toEqual([0, 1, 2]);
    // window 0 reaches its horizon (end 1 h + 24 h) with 5 labels: judged on them, then the others follow in order
    expect(starts(g.release(25 * HOUR))).toEqual([[0, 'judged', 'horizon'], [1, 'judged', 'coverage'], [2, 'judged', 'coverage']]);
  });

  it('labels that land out of order are released in window order once the earliest completes', () => {
    const g = gate();
    for (let i = 0; i < 4; i++) g.offer(window(i, 50, 0));
    g.relabel(window(3, 50, 50));
    g.relabel(window(1, 50, 50));
    expect(g.release(5 * HOUR)).toEqual([]);
    g.relabel(window(0, 50, 46));
    expect(starts(g.release(5 * HOUR))).toEqual([[0, 'judged', 'coverage'], [1, 'judged', 'coverage']]);
    g.relabel(window(2, 50, 45));
    expect(starts(g.release(5 * HOUR))).toEqual([[2, 'judged', 'coverage'], [3, 'judged', 'coverage']]);
  });

  it('reports a window whose labels never came, without judging it', () => {
    const g = new LabelGate({ coverage: 0.9, horizonMs: 2 * HOUR, minLabelled: 30 });
    g.offer(window(0, 400, 0));
    g.offer(window(1, 400, 29));
    g.offer(window(2, 400, 30));
    expect(starts(g.release(5 * HOUR))).toEqual([[0, 'unlabelled', 'horizon'], [1, 'unlabelled', 'horizon'], [2, 'judged', 'horizon']]);
    expect(g.counts).toEqual({ judged: 1, unlabelled: 2, waiting: 0 });
  });

  it('never takes a window again once it was let go (a re-evaluation or a new owner offering it)', () => {
    const g = gate();
    g.offer(window(0, 10, 10));
    g.offer(window(1, 10, 0));
    expect(starts(g.release(2 * HOUR))).toEqual([[0, 'judged', 'coverage']]);
    expect(g.offer(window(0, 10, 10))).toBe(false);
    expect(g.relabel(window(5, 10, 10))).toBe(false); // a window never offered is not added by labels
    expect(g.waiting().map((w) => w.start / HOUR)).toEqual([1]);
  });

  it('continues from a snapshot exactly as it would have gone on', () => {
    const a = gate();
    const b = gate();
    const steps: Array<(g: LabelGate) => unknown> = [
      (g) => g.offer(window(0, 100, 20)),
      (g) => g.offer(window(1, 100, 95)),
      (g) => g.release(3 * HOUR),
      (g) => g.relabel(window(0, 100, 92, 60)),
    ];
    for (const step of steps) step(a);
    steps.slice(0, 3).forEach((step) => step(b));
    const restored = gate().restore(JSON.parse(JSON.stringify(b.snapshot())));
    steps[3](restored);
    expect(restored.release(4 * HOUR)).toEqual(a.release(4 * HOUR));
    expect(restored.snapshot()).toEqual(a.snapshot());
  });

  it('refuses impossible counts and settings with a clear error', () => {
    expect(() => gate().offer(window(0, 10, 11))).toThrow(/correct ≤ labelled ≤ rows/);
    expect(() => new LabelGate({ coverage: 0, horizonMs: 1, minLabelled: 1 })).toThrow(/coverage/);
    expect(() => new LabelGate({ coverage: 0.5, horizonMs: -1, minLabelled: 1 })).toThrow(/horizon/);
    expect(() => gate().restore({ pending: 'x' } as never)).toThrow(/snapshot/);
  });
});
