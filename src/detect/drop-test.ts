// Sequential test of a drop in an accuracy-type metric (a proportion): H0 "drop ≤ tolerance".
//
// The drop D = baseline − window value is ≈ Normal(δ, p(1−p)(1/M + 1/N)) with p the pooled proportion, so
// both the window's and the baseline's sample sizes set how much one window counts.
import { SequentialDriftTest, type SequentialTestOptions } from './sequential.js';

/** One window's metric value beside the baseline's, with the rows each was measured on. */
export interface MetricWindow {
  /** metric in the window, a proportion in [0, 1] (accuracy, precision, recall…) */
  value: number;
  rows: number;
  /** metric on the baseline */
  baseline: number;
  baselineRows: number;
}

function checkProportion(name: string, v: number): void {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be a proportion in [0, 1], got ${v}`);
}

export class MetricDropTest extends SequentialDriftTest<MetricWindow> {
  readonly kind = 'metric_drop';

  constructor(options: Partial<SequentialTestOptions> & { arl0: number }) {
    super({ tolerance: 0.05, ...options });
  }

  protected observe(w: MetricWindow): number {
    checkProportion('value', w.value);
    checkProportion('baseline', w.baseline);
    if (!(w.rows >= 1) || !(w.baselineRows >= 1)) throw new RangeError(`rows and baselineRows must be ≥ 1, got ${w.rows} and ${w.baselineRows}`);
    return w.baseline - w.value;
  }

  protected logLikelihood(w: MetricWindow, drop: number): number {
    const total = w.rows + w.baselineRows;
    // pooled proportion, kept off 0 and 1 so a perfect window still has a variance
    const pooled = Math.min(Math.max((w.value * w.rows + w.baseline * w.baselineRows) / total, 0.5 / total), 1 - 0.5 / total);
    const variance = pooled * (1 - pooled) * (1 / w.rows + 1 / w.baselineRows);
    const d = w.baseline - w.value - drop;
    return (-d * d) / (2 * variance);
  }
}
