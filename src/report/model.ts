// What a drift report shows, as plain data built from aggregates only (bin shares, per-window statistics, alert
// events): rendering reads nothing else, so the HTML stays small whatever the number of rows.
import type { DriftRule } from '../stats/index.js';
import type { FeatureQuality } from './quality.js';
import type { EstimatePoint, MultivariatePoint } from './estimates.js';

/** Baseline vs current shares over equal-width bins; values outside [edges[0], edges[last]] land in the outer bins. */
export interface NumericHistogram {
  kind: 'numeric';
  edges: number[];
  reference: number[];
  current: number[];
  /** rows outside the drawn range, per side (they are counted in the outer bins) */
  clipped: { reference: number; current: number };
  /** true when the reference side comes from baseline quantiles rather than the exact sample */
  approximate: boolean;
}

/** Baseline vs current shares per category, largest first; the rest folded into one "other" bar. */
export interface CategoryBars {
  kind: 'categorical';
  categories: string[];
  reference: number[];
  current: number[];
}

export interface FeatureTest {
  name: 'KS' | 'chi2';
  statistic: number;
  pValue: number;
}

export interface FeatureSection {
  name: string;
  kind: 'numeric' | 'categorical';
  drifted: boolean;
  /** why drifted or not, in words */
  reason: string;
  psi: number;
  test?: FeatureTest;
  jsDistance?: number;
  wassersteinNormed?: number;
  /** Hellinger and the data-quality shares (quality.ts), where known */
  quality?: FeatureQuality;
  nReference: number;
  nCurrent: number;
  histogram?: NumericHistogram | CategoryBars;
}

/** One stream's statistic in one closed window (a drift_results row). */
export interface WindowPoint {
  feature: string;
  /** epoch ms */
  start: number;
  end: number;
  statistic: string;
  value: number;
  n: number;
}

/** Model quality in one window, with how many of its predictions had a label yet. */
export interface QualityPoint {
  start: number;
  end: number;
  metric: string;
  value: number;
  labeled: number;
  rows: number;
}

export interface AlertLine {
  /** epoch ms */
  at: number;
  feature: string;
  kind: string;
  status: string;
  statistic: string;
  value: number;
  reason: string;
}

export interface ReportModel {
  title: string;
  /** where the data came from, in words */
  source: string;
  /** epoch ms */
  generatedAt: number;
  range?: { from: number; to: number };
  rule: DriftRule;
  /** when a feature counts as drifted, in words (the offline rule, or the live sequential tests) */
  decisionRule: string;
  /** most severe first (see bySeverity) */
  features: FeatureSection[];
  timeline: WindowPoint[];
  quality: QualityPoint[];
  /** estimated accuracy per window before labels, and the multivariate reconstruction error (estimates.ts) */
  estimates?: EstimatePoint[];
  multivariate?: MultivariatePoint[];
  alerts: AlertLine[];
  /** caveats the reader should know (approximations, missing columns, sections without data) */
  notes: string[];
}

/** Drifted features first, then by PSI (comparable across numeric and categorical features), then by name. */
export function bySeverity(a: FeatureSection, b: FeatureSection): number {
  if (a.drifted !== b.drifted) return a.drifted ? -1 : 1;
  if (a.psi !== b.psi) return b.psi - a.psi;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
