// The data-quality gauges of an evaluated window (issue 16): distances on the full-range bins and the shares.
import type { EvaluateMetrics } from '../telemetry/evaluate-metrics.js';
import type { FeatureResult } from './window-stats.js';

/** The data-quality gauges of one feature's window. */
export function observeQuality(m: EvaluateMetrics, labels: { model: string; feature: string; segment?: string }, f: FeatureResult): void {
  if (f.hellinger !== null) m.hellinger.set(labels, f.hellinger);
  if (f.outOfRangeRate !== null) m.outOfRangeRatio.set(labels, f.outOfRangeRate);
  if (f.unseenRate !== null) m.unseenRatio.set(labels, f.unseenRate);
  if (f.typeMismatchRate !== null) m.typeMismatchRatio.set(labels, f.typeMismatchRate);
}
