import { describe, expect, it } from 'vitest';
import { unseenBy, unsettledFrom } from '../../../src/evaluate/settle.js';

describe('settle rule', () => {
  const now = 1_000_000_500;
  it('stops at the first window whose rows were ingested within the settle time', () => {
    const newest = new Map([[0, now - 60_000], [60_000, now - 3_000], [120_000, now - 60_000]]);
    expect(unsettledFrom([0, 60_000, 120_000], newest, now, 10_000)).toBe(1);
    expect(unsettledFrom([0, 120_000], newest, now, 10_000)).toBe(2);
    expect(unsettledFrom([180_000], newest, now, 10_000)).toBe(1); // no rows: nothing to wait for
  });

  it('a row ingested at or after (evaluation − settle) cannot have been seen by it; an older one was', () => {
    const evaluatedAt = 2_000_000_700;
    expect(unseenBy(2_000_000_000 - 10_000, evaluatedAt, 10_000)).toBe(true);
    expect(unseenBy(2_000_000_000 - 11_000, evaluatedAt, 10_000)).toBe(false);
    // consistent with unsettledFrom: a window evaluated at `now` had its newest row before the quiet boundary
    const newestSeen = Math.floor((now - 10_000) / 1000) * 1000 - 1000;
    expect(unsettledFrom([0], new Map([[0, newestSeen]]), now, 10_000)).toBe(1);
    expect(unseenBy(newestSeen, now, 10_000)).toBe(false);
  });
});
