// The data-quality part of a feature card (issue 16): missing, out-of-range, unseen-category and type-mismatch shares
// and the Hellinger distance, from `driftwatch drift` offline or from the newest window's drift_results rows.
import type { ColumnDrift } from '../stats/index.js';
import type { DriftRow } from './store-queries.js';

export interface FeatureQuality {
  hellinger?: number;
  missingRate?: number;
  outOfRangeRate?: number;
  unseenRate?: number;
  typeMismatchRate?: number;
}

const STATISTICS: Record<keyof FeatureQuality, string> = {
  hellinger: 'hellinger', missingRate: 'missing_rate', outOfRangeRate: 'out_of_range_rate', unseenRate: 'unseen_rate', typeMismatchRate: 'type_mismatch_rate',
};

/** Labels of the shares on a card, in the reader's words. */
export const QUALITY_LABELS: Array<[keyof FeatureQuality, string]> = [
  ['hellinger', 'Hellinger'], ['missingRate', 'missing'], ['outOfRangeRate', 'out of range'], ['unseenRate', 'unseen categories'], ['typeMismatchRate', 'wrong type'],
];

export function qualityOfColumn(c: ColumnDrift): FeatureQuality {
  return { hellinger: c.hellinger, missingRate: c.missingRate, outOfRangeRate: c.outOfRangeRate, unseenRate: c.unseenRate, typeMismatchRate: c.typeMismatchRate };
}

/** The newest value of each quality statistic among a feature's window rows (rows ascend by window). */
export function qualityOfWindows(name: string, rows: readonly DriftRow[]): FeatureQuality {
  const out: FeatureQuality = {};
  for (const [key, statistic] of Object.entries(STATISTICS) as Array<[keyof FeatureQuality, string]>) {
    const newest = [...rows].reverse().find((r) => r.feature === name && r.statistic === statistic);
    if (newest) out[key] = newest.value;
  }
  return out;
}
