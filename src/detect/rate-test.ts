// Sequential test of a rise in a data-quality share (values out of the baseline's range, unseen categories):
// H0 "share ≤ expected + tolerance", where `expected` is the share the baseline itself predicts for new data.
//
// Each window's count of such values is binomial, k ~ Bin(N, q), so its exact log-likelihood k·ln q + (N−k)·ln(1−q)
// has a monotone likelihood ratio in q: a 30-row window weighs little and a 50 000-row one decides fast, and the
// sampling wobble of the share stays below the tolerance the test is calibrated against.
import { SequentialDriftTest, type SequentialTestOptions } from './sequential.js';

/** One window's share beside the share expected without change, with the values it was measured on. */
export interface RateWindow {
  /** share in the window, in [0, 1] */
  rate: number;
  /** values the share is over (N) */
  rows: number;
  /** share expected when nothing changed, in [0, 1) */
  expected: number;
}

const EDGE = 1e-12;

export class RateRiseTest extends SequentialDriftTest<RateWindow> {
  readonly kind = 'rate_rise';

  constructor(options: Partial<SequentialTestOptions> & { arl0: number }) {
    super({ tolerance: 0.02, ...options });
  }

  protected observe(w: RateWindow): number {
    if (!(w.rate >= 0 && w.rate <= 1)) throw new RangeError(`rate must be a share in [0, 1], got ${w.rate}`);
    if (!(w.expected >= 0 && w.expected < 1)) throw new RangeError(`expected must be a share in [0, 1), got ${w.expected}`);
    if (!(w.rows >= 1)) throw new RangeError(`rows must be ≥ 1, got ${w.rows}`);
    return w.rate - w.expected;
  }

  protected logLikelihood(w: RateWindow, rise: number): number {
    const q = Math.min(1 - EDGE, Math.max(EDGE, w.expected + rise));
    const k = w.rate * w.rows;
    return k * Math.log(q) + (w.rows - k) * Math.log(1 - q);
  }
}
