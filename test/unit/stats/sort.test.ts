// The radix sort must order exactly like TypedArray.prototype.sort (−0 before +0, infinities at the ends).
import { describe, expect, it } from 'vitest';
import { SeededRandom, sortFloat64, sortSample } from '../../../src/stats/index.js';

function sameOrder(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

describe('sortFloat64 (radix above 50 000 values)', () => {
  it.each([
    ['normal, mixed signs', (r: SeededRandom) => r.normal(0, 1e3)],
    ['heavy ties (integers 0..9, both zeros)', (r: SeededRandom) => (r.int(10) - 5) * (r.next() < 0.5 ? 0 : 1) || (r.next() < 0.5 ? -0 : 0)],
    ['extremes and subnormals', (r: SeededRandom) => [Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1][r.int(7)] * (r.next() + 0.5)],
    ['all equal', () => 3.25],
  ])('%s', (_name, draw) => {
    const rng = new SeededRandom(42);
    const values = Float64Array.from({ length: 60_000 }, () => draw(rng));
    const expected = values.slice().sort();
    expect(sameOrder(sortFloat64(values.slice()), expected)).toBe(true);
  });

  it('sortSample uses it and still drops NaN as missing', () => {
    const rng = new SeededRandom(8);
    const values = Array.from({ length: 70_000 }, (_, i) => (i % 7 === 0 ? NaN : rng.normal()));
    const s = sortSample(values);
    expect(s.missing).toBe(10_000);
    expect(sameOrder(s.values, Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort())).toBe(true);
  });
});
