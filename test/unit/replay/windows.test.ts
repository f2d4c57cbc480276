import { describe, expect, it } from 'vitest';
import type { Prediction } from '../../../src/domain/index.js';
import { StreamWindows, type ModelReference } from '../../../src/replay/index.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);
const ref: ModelReference = {
  model: 'fraud', baselineVersion: 'v1', rows: 100,
  features: {
    amount: { kind: 'numeric', edges: [0, 10], counts: [30, 40, 30], missing: 0 },
    country: { kind: 'categorical', counts: { DE: 60, FR: 40 }, missing: 0 },
  },
  accuracy: { value: 0.9, rows: 100 },
};

function p(t: number, amount: number | null | string, country: string | null, prediction: number | null = null, label: number | null = null): Prediction {
  return { model: 'fraud', modelVersion: '1', predictionId: String(t), timestamp: t, features: { amount, country }, prediction, label, metadata: null };
}

describe('stream windows', () => {
  it('aligns windows to the epoch, counts in reference bins, and closes when the stream moves on', () => {
    const w = new StreamWindows(new Map([['fraud', ref]]), HOUR);
    expect(w.add(p(T0 + 5 * 60_000, -1, 'DE', 0.9, 1))).toEqual([]);
    expect(w.add(p(T0 + 10 * 60_000, 10, 'BR', 0.2, 1))).toEqual([]);
    expect(w.add(p(T0 + 20 * 60_000, null, null))).toEqual([]);
    expect(w.add(p(T0 + 30 * 60_000, 'oops', 'FR'))).toEqual([]);
    const closed = w.add(p(T0 + HOUR, 5, 'DE'));
    expect(closed).toEqual([{
      model: 'fraud', start: T0, end: T0 + HOUR, rows: 4,
      features: { amount: { kind: 'numeric', counts: [1, 0, 1], missing: 2 }, country: { kind: 'categorical', counts: { DE: 1, BR: 1, FR: 1 }, missing: 1 } },
      labeled: 2, correct: 1,
    }]);
    expect(w.add(p(T0 + 50 * 60_000, 5, 'DE'))).toEqual([]);
    expect(w.late).toBe(1);
    expect(w.add({ ...p(T0 + HOUR, 1, 'DE'), model: 'other' })).toEqual([]);
    expect(w.unknownModel).toBe(1);
    expect(w.flush().map((x) => [x.start, x.rows])).toEqual([[T0 + HOUR, 1]]);
  });

  it('skips empty hours instead of emitting empty windows', () => {
    const w = new StreamWindows(new Map([['fraud', ref]]), HOUR);
    w.add(p(T0, 1, 'DE'));
    expect(w.add(p(T0 + 5 * HOUR, 1, 'DE')).map((x) => x.start)).toEqual([T0]);
  });
});
