// The data-quality streams of a model (issue 16): per numeric feature whose baseline range is known, the share of
// a window's values outside it; per categorical feature, the share in categories the baseline never saw. Each is
// compared with the share the baseline itself predicts for unchanged data (data-quality.ts).
import { expectedOutOfRangeShare, expectedUnseenShare, unseenCount } from '../stats/index.js';
import type { FeatureReference, ModelReference } from './reference.js';
import type { FeatureCounts } from './statistics.js';
import type { WindowSummary } from './windows.js';

export type QualityStatistic = 'out_of_range_rate' | 'unseen_rate';

export interface QualityWindow {
  feature: string;
  statistic: QualityStatistic;
  rate: number;
  /** non-missing values the share is over */
  rows: number;
  expected: number;
}

function statisticOf(f: FeatureReference): QualityStatistic | null {
  if (f.kind === 'categorical') return 'unseen_rate';
  return f.min !== undefined && f.max !== undefined ? 'out_of_range_rate' : null;
}

/** How many quality streams a model has (the false-page budget is split over them too). */
export function qualityStreamCount(ref: ModelReference): number {
  return Object.values(ref.features).filter((f) => statisticOf(f) !== null).length;
}

function windowOf(feature: string, f: FeatureReference, c: FeatureCounts): QualityWindow | null {
  if (f.kind === 'numeric' && c.kind === 'numeric') {
    if (c.outOfRange === undefined || statisticOf(f) === null) return null;
    const rows = c.counts.reduce((s, x) => s + x, 0);
    const baselineValues = f.counts.reduce((s, x) => s + x, 0);
    return rows > 0 ? { feature, statistic: 'out_of_range_rate', rate: c.outOfRange / rows, rows, expected: expectedOutOfRangeShare(baselineValues) } : null;
  }
  if (f.kind === 'categorical' && c.kind === 'categorical') {
    const rows = Object.values(c.counts).reduce((s, x) => s + x, 0);
    return rows > 0 ? { feature, statistic: 'unseen_rate', rate: unseenCount(f.counts, c.counts) / rows, rows, expected: expectedUnseenShare(Object.values(f.counts)) } : null;
  }
  return null;
}

/** The window's share per quality stream (none for a feature the window has no values of). */
export function qualityWindows(ref: ModelReference, w: WindowSummary): QualityWindow[] {
  const out: QualityWindow[] = [];
  for (const [feature, f] of Object.entries(ref.features)) {
    const c = w.features[feature];
    const q = c ? windowOf(feature, f, c) : null;
    if (q) out.push(q);
  }
  return out;
}
