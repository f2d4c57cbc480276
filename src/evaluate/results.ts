// How a window's evaluation becomes rows: drift_results (one row per feature × statistic, plus the window's row
// count and its quality) and the evaluations mark that says the window is done. Also the rows' JSON-line form.
import { estimateJson, estimateRows, ESTIMATE_FEATURE, MULTIVARIATE_FEATURE, type WindowEstimate } from './estimate-window.js';
import type { SegmentEvaluation } from './segment-window.js';
import type { FeatureResult, QualityResult } from './window-stats.js';

/** Feature names of the rows that are not features. */
export const QUALITY_FEATURE = '__quality__';
export const WINDOW_FEATURE = '__window__';

export interface WindowEvaluation {
  model: string;
  /** epoch ms, [start, end) */
  start: number;
  end: number;
  baselineVersion: string;
  rows: number;
  features: FeatureResult[];
  quality: QualityResult;
  /** feature names seen in the window's predictions that the baseline has no reference for */
  unknownFeatures: string[];
  /** epoch ms */
  evaluatedAt: number;
  /** estimated quality and multivariate drift (when the baseline has a calibration or a PCA) */
  estimate?: WindowEstimate;
  /** per segment of the model's segment features (segments.ts), its rows, features and estimates */
  segments?: SegmentEvaluation[];
}

export interface DriftResultRow {
  model: string;
  feature: string;
  window_start: number;
  window_end: number;
  n: number;
  statistic: string;
  value: number;
  p_value: number | null;
  baseline_version: string;
  evaluated_at: number;
  details: string;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** Every drift_results row of one window; statistics that do not apply (null) get no row. */
export function driftResultRows(e: WindowEvaluation): DriftResultRow[] {
  const common = { model: e.model, window_start: seconds(e.start), window_end: seconds(e.end), baseline_version: e.baselineVersion, evaluated_at: seconds(e.evaluatedAt) };
  const rows: DriftResultRow[] = [{ ...common, feature: WINDOW_FEATURE, n: e.rows, statistic: 'rows', value: e.rows, p_value: null, details: JSON.stringify(e.rows === 0 ? { empty: true } : { unknown_features: e.unknownFeatures }) }];
  const add = (feature: string, n: number, statistic: string, value: number | null, pValue: number | null = null, details: object = {}) => {
    if (value !== null && Number.isFinite(value)) rows.push({ ...common, feature, n, statistic, value, p_value: pValue !== null && Number.isFinite(pValue) ? pValue : null, details: JSON.stringify(details) });
  };
  for (const f of e.features) {
    add(f.feature, f.rows, 'psi', f.psi, null, { counts: f.counts.counts, missing: f.counts.missing });
    add(f.feature, f.present, 'ks', f.ksStatistic, f.ksPValue, { upper_bound: f.ksUpperBound });
    add(f.feature, f.rows, 'js', f.jsDistance);
    add(f.feature, f.rows, 'chi2', f.chi2, f.chi2PValue);
    add(f.feature, f.rows, 'missing_rate', f.missingRate);
    add(f.feature, f.rows, 'hellinger', f.hellinger);
    add(f.feature, f.present, 'out_of_range_rate', f.outOfRangeRate);
    add(f.feature, f.present, 'unseen_rate', f.unseenRate);
    add(f.feature, f.rows, 'type_mismatch_rate', f.typeMismatchRate);
  }
  const q = e.quality;
  for (const [statistic, value] of [['accuracy', q.accuracy], ['precision', q.precision], ['recall', q.recall], ['f1', q.f1], ['mae', q.mae], ['rmse', q.rmse]] as const) {
    add(QUALITY_FEATURE, q.labelled, statistic, value, null, { label_coverage: q.labelCoverage });
  }
  add(QUALITY_FEATURE, q.rows, 'label_coverage', q.labelCoverage, null, { labelled: q.labelled });
  if (e.estimate) for (const r of estimateRows(e.estimate)) add(r.feature, r.n, r.statistic, r.value, null, r.details);
  for (const s of e.segments ?? []) rows.push(...segmentRows(e, s));
  return rows;
}

/**
 * A segment's rows: its window row, features, realized quality and estimates as for the whole window, with the segment after the
 * statistic (`psi{country=DE}`) so every reader asking for a statistic by name keeps reading whole-model rows only
 * (segmentFree); `segment: {feature, value}` and `reference` ("segment": its own baseline profile, "model") in their details.
 */
function segmentRows(e: WindowEvaluation, s: SegmentEvaluation): DriftResultRow[] {
  const own = driftResultRows({ ...e, rows: s.rows, features: s.features, quality: s.quality ?? e.quality, estimate: s.estimate, segments: undefined });
  return own
    .filter((r) => s.quality || r.feature !== QUALITY_FEATURE)
    .map((r) => ({ ...r, statistic: segmentStatistic(r.statistic, s.name), details: JSON.stringify({ ...(JSON.parse(r.details) as object), segment: { feature: s.feature, value: s.value }, reference: featureReference(s, r.feature), ...(r.statistic === 'out_of_range_rate' ? { range: rangeReference(s, r.feature) } : {}) }) }));
}

/** Whose training range a segment's out-of-range share counts against: the segment's own, or the model's. */
export function rangeReference(s: Pick<SegmentEvaluation, 'reference' | 'modelFeatures' | 'modelRange'>, feature: string): 'segment' | 'model' {
  return featureReference(s, feature) === 'segment' && !s.modelRange?.includes(feature) ? 'segment' : 'model';
}

/** What a segment's feature was compared with: "segment" (its own profile) or "model". */
export function featureReference(s: Pick<SegmentEvaluation, 'reference' | 'modelFeatures'>, feature: string): 'segment' | 'model' {
  // the estimates always use the model's calibration and PCA
  const model = s.modelFeatures?.includes(feature) || feature === ESTIMATE_FEATURE || feature === MULTIVARIATE_FEATURE;
  return s.reference === 'segment' && !model ? 'segment' : 'model';
}

/** The statistic name of a segment's row. */
export function segmentStatistic(statistic: string, segment: string): string {
  return `${statistic}{${segment}}`;
}

/** SQL condition: a drift_results row of the whole model, not of a segment (statistic names have no brace). */
export const WHOLE_MODEL_ROWS = "position(statistic, '{') = 0";

export interface EvaluationRow {
  model: string;
  window_start: number;
  window_end: number;
  baseline_version: string;
  rows: number;
  labelled: number;
  labels_at: number;
  evaluated_at: number;
  evaluated_at_ms: number;
  status: 'evaluated' | 'empty' | 'failed';
}

export function evaluationRow(e: WindowEvaluation): EvaluationRow {
  return {
    model: e.model, window_start: seconds(e.start), window_end: seconds(e.end), baseline_version: e.baselineVersion,
    rows: e.rows, labelled: e.quality.labelled, labels_at: seconds(e.quality.labelsAt),
    evaluated_at: seconds(e.evaluatedAt), evaluated_at_ms: e.evaluatedAt, status: e.rows === 0 ? 'empty' : 'evaluated',
  };
}

/**
 * The mark of a window ClickHouse refused to evaluate with an error retrying cannot cure (bad SQL, a schema it does
 * not accept): the window counts as looked at, so the evaluator moves on instead of failing on it forever.
 */
export function failedEvaluationRow(model: string, start: number, end: number, at: number): EvaluationRow {
  return {
    model, window_start: seconds(start), window_end: seconds(end), baseline_version: '', rows: 0, labelled: 0, labels_at: 0,
    evaluated_at: seconds(at), evaluated_at_ms: at, status: 'failed',
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `driftwatch evaluate --json`: one line per (window, feature), then the window's quality line (feature null) with
 * its estimates; for a model with segments, then the same per segment (lines with `segment`).
 */
export function jsonLines(e: WindowEvaluation): Record<string, unknown>[] {
  const window = { model: e.model, window_start: iso(e.start), window_end: iso(e.end) };
  const featureLines = (features: readonly FeatureResult[], extra: object = {}) => features.map((f) => ({
    ...window, ...extra, feature: f.feature, n: f.rows, psi: f.psi, ks_statistic: f.ksStatistic, ks_p_value: f.ksPValue,
    js_distance: f.jsDistance, missing_rate: f.missingRate, ks_upper_bound: f.ksUpperBound, chi2_p_value: f.chi2PValue,
    hellinger: f.hellinger, out_of_range_rate: f.outOfRangeRate, unseen_rate: f.unseenRate, type_mismatch_rate: f.typeMismatchRate,
  }));
  const lines: Record<string, unknown>[] = featureLines(e.features);
  const quality = (q: QualityResult) => ({
    labelled: q.labelled, label_coverage: q.labelCoverage, accuracy: q.accuracy, precision: q.precision, recall: q.recall, f1: q.f1, mae: q.mae, rmse: q.rmse,
  });
  lines.push({ ...window, feature: null, n: e.rows, ...quality(e.quality), baseline_version: e.baselineVersion, unknown_features: e.unknownFeatures, ...estimateJson(e.estimate) });
  for (const s of e.segments ?? []) {
    lines.push(...s.features.map((f) => ({ ...featureLines([f], { segment: s.name })[0], reference: featureReference(s, f.feature) })), { ...window, segment: s.name, reference: s.reference, feature: null, n: s.rows, ...(s.quality ? quality(s.quality) : {}), ...estimateJson(s.estimate) });
  }
  return lines;
}
