// The baseline profile: what live traffic is compared against, built from the training data. Versioned JSON
// (schema_version), pure: the caller passes the creation time, nothing here reads a clock or a file.
import { InputError } from '../domain/index.js';
import {
  binCounts,
  binaryQuality,
  decileEdges,
  describeSorted,
  discreteValues,
  multiclassQuality,
  quantileSorted,
  regressionQuality,
  sortSample,
  type BinaryQuality,
  type MulticlassQuality,
  type RegressionQuality,
} from '../stats/index.js';
import type { MultivariateBaseline } from '../estimate/index.js';
import type { ScoreCalibration } from '../stats/index.js';
import { calibrationOf, multivariateOf } from './estimates.js';
import { segmentProfiles, type SegmentColumnProfiles, type SegmentOptions } from './segments.js';
import type { Column, Table } from './table.js';

export const BASELINE_SCHEMA_VERSION = 1;
/** Up to this many non-missing values the profile keeps the exact sorted sample (KS then matches scipy exactly). */
export const EXACT_SAMPLE_LIMIT = 10_000;
/** A segment's profile keeps its exact sample up to this many values (quantiles beyond), so segments keep the baseline small. */
export const SEGMENT_EXACT_SAMPLE_LIMIT = 2_000;
/** Beyond it, this many quantiles at probabilities i/(Q−1) (numpy linear). */
export const PROFILE_QUANTILES = 1001;

export interface NumericProfile {
  kind: 'numeric';
  /** Non-missing values. */
  count: number;
  missing: number;
  missing_rate: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** PSI bins: the 9 reference deciles and the 10 counts of (−∞, e1), [e1, e2), …, [e9, +∞). */
  psi: { edges: number[]; counts: number[] };
  /**
   * Few distinct values (≤ DISCRETE_VALUES): each with its count, so JS and Hellinger bin by value. Optional:
   * baselines written before it are read as before.
   */
  discrete?: { values: number[]; counts: number[] };
  distribution:
    | { kind: 'exact'; values: number[] }
    | {
        kind: 'quantiles';
        /** values[i] is the quantile at probability i/(values.length − 1). */
        values: number[];
        /** |KS computed from these quantiles − KS on the full sample| ≤ ks_bound = 1/(Q−1) + 1/count. */
        ks_bound: number;
      };
}

export interface CategoricalProfile {
  kind: 'categorical';
  count: number;
  missing: number;
  missing_rate: number;
  /** Rows per category (missing values are counted in `missing`, not here). */
  frequencies: Record<string, number>;
}

export type FeatureProfile = NumericProfile | CategoricalProfile;

export type QualityProfile =
  | { task: 'binary'; rows: number; metrics: BinaryQuality }
  | { task: 'multiclass'; rows: number; metrics: MulticlassQuality }
  | { task: 'regression'; rows: number; metrics: RegressionQuality };

export interface BaselineProfile {
  schema_version: typeof BASELINE_SCHEMA_VERSION;
  model: string;
  version: string;
  /** RFC 3339, UTC. */
  created_at: string;
  source: string | null;
  rows: number;
  features: Record<string, FeatureProfile>;
  prediction: (FeatureProfile & { column: string }) | null;
  label: (FeatureProfile & { column: string }) | null;
  quality: QualityProfile | null;
  /** binary scores → P(label = 1), for estimating quality without labels (absent in baselines built before it) */
  calibration?: ScoreCalibration | null;
  /** PCA of the standardized numeric features, for multivariate drift (absent in older baselines) */
  multivariate?: MultivariateBaseline | null;
  /** per segment column, profiles of its biggest values (absent: every segment is compared with the whole model) */
  segments?: Record<string, SegmentColumnProfiles>;
}

export interface BaselineOptions {
  model: string;
  /** Epoch ms; the profile's created_at. */
  createdAt: number;
  /** Defaults to created_at written as YYYYMMDDTHHMMSSZ. */
  version?: string;
  label?: string;
  prediction?: string;
  /** segment columns whose values get profiles of their own (baseline/segments.ts) */
  segments?: SegmentOptions;
}

/** Bin edges, counts, moments and the KS resolution of one numeric column. */
export function numericProfile(name: string, values: Float64Array, exactLimit = EXACT_SAMPLE_LIMIT): NumericProfile {
  const sample = sortSample(values);
  const count = sample.values.length;
  if (count === 0) throw new InputError(`column "${name}" has no values; drop it or list it in --categorical`, 'empty');
  const edges = decileEdges(sample.values);
  const { mean, std, min, max } = describeSorted(sample.values);
  const discrete = discreteValues(sample.values);
  let distribution: NumericProfile['distribution'];
  if (count <= exactLimit) distribution = { kind: 'exact', values: Array.from(sample.values) };
  else {
    const q = PROFILE_QUANTILES;
    const quantiles = Array.from({ length: q }, (_, i) => quantileSorted(sample.values, i / (q - 1)));
    distribution = { kind: 'quantiles', values: quantiles, ks_bound: 1 / (q - 1) + 1 / count };
  }
  return {
    kind: 'numeric',
    count,
    missing: sample.missing,
    missing_rate: sample.missing / values.length,
    mean,
    std,
    min,
    max,
    psi: { edges, counts: binCounts(sample.values, edges) },
    ...(discrete ? { discrete } : {}),
    distribution,
  };
}

export function categoricalProfile(values: readonly (string | null)[]): CategoricalProfile {
  const frequencies: Record<string, number> = {};
  let missing = 0;
  for (const v of values) {
    if (v === null) missing++;
    else frequencies[v] = (frequencies[v] ?? 0) + 1;
  }
  return { kind: 'categorical', count: values.length - missing, missing, missing_rate: values.length ? missing / values.length : 0, frequencies };
}

export function columnProfile(name: string, column: Column, exactLimit = EXACT_SAMPLE_LIMIT): FeatureProfile {
  return column.kind === 'numeric' ? numericProfile(name, column.values, exactLimit) : categoricalProfile(column.values);
}

const BINARY_WORDS: Record<string, number> = { '0': 0, '1': 1, false: 0, true: 1 };

/** Label as 0/1 when every present label is binary, else undefined. */
export function asBinary(column: Column): (number | null)[] | undefined {
  const out: (number | null)[] = [];
  for (const v of column.values) {
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) out.push(null);
    else if (v === 0 || v === 1) out.push(v);
    else if (typeof v === 'string' && v.toLowerCase() in BINARY_WORDS) out.push(BINARY_WORDS[v.toLowerCase()]);
    else return undefined;
  }
  return out;
}

const present = (v: unknown): boolean => v !== null && !(typeof v === 'number' && Number.isNaN(v));

/**
 * Reference quality from a label and a prediction column: binary when labels are 0/1 and predictions are scores in
 * [0, 1]; regression when both are numeric; multiclass otherwise (values compared as text). Rows missing either are skipped.
 */
export function referenceQuality(label: Column, prediction: Column): QualityProfile {
  const rows: number[] = [];
  for (let i = 0; i < label.values.length; i++) if (present(label.values[i]) && present(prediction.values[i])) rows.push(i);
  if (rows.length === 0) throw new InputError('no row has both a label and a prediction', 'empty');
  const labels01 = asBinary(label);
  if (labels01 && prediction.kind === 'numeric' && rows.every((i) => prediction.values[i] >= 0 && prediction.values[i] <= 1)) {
    const y = rows.map((i) => labels01[i] as number);
    const p = rows.map((i) => prediction.values[i]);
    return { task: 'binary', rows: rows.length, metrics: binaryQuality(y, p) };
  }
  if (label.kind === 'numeric' && prediction.kind === 'numeric') {
    const y = rows.map((i) => label.values[i]);
    const p = rows.map((i) => prediction.values[i]);
    return { task: 'regression', rows: rows.length, metrics: regressionQuality(y, p) };
  }
  const y = rows.map((i) => String(label.values[i]));
  const p = rows.map((i) => String(prediction.values[i]));
  return { task: 'multiclass', rows: rows.length, metrics: multiclassQuality(y, p) };
}

function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function pickColumn(table: Table, name: string | undefined, what: string): [string, Column] | undefined {
  if (name === undefined) return undefined;
  const column = table.columns.get(name);
  if (!column) throw new InputError(`${what} column "${name}" is not in ${table.source} (columns: ${[...table.columns.keys()].join(', ')})`);
  return [name, column];
}

/** Profiles every feature column; label and prediction columns are profiled apart and feed the reference quality. */
export function buildBaseline(table: Table, options: BaselineOptions): BaselineProfile {
  if (table.rows === 0) throw new InputError(`${table.source}: no rows to build a baseline from`, 'empty');
  if (!options.model) throw new InputError('a baseline needs a model id (--model)');
  const label = pickColumn(table, options.label, 'label');
  const prediction = pickColumn(table, options.prediction, 'prediction');
  const features: Record<string, FeatureProfile> = {};
  for (const [name, column] of table.columns) {
    if (name === label?.[0] || name === prediction?.[0]) continue;
    features[name] = columnProfile(name, column);
  }
  if (Object.keys(features).length === 0) throw new InputError(`${table.source}: no feature columns besides the label and prediction`);
  return {
    schema_version: BASELINE_SCHEMA_VERSION,
    model: options.model,
    version: options.version ?? compactTime(options.createdAt),
    created_at: new Date(options.createdAt).toISOString(),
    source: table.source,
    rows: table.rows,
    features,
    prediction: prediction ? { column: prediction[0], ...columnProfile(prediction[0], prediction[1]) } : null,
    label: label ? { column: label[0], ...columnProfile(label[0], label[1]) } : null,
    quality: label && prediction ? referenceQuality(label[1], prediction[1]) : null,
    calibration: label && prediction ? calibrationOf(asBinary(label[1]), prediction[1]) : null,
    multivariate: multivariateOf(new Map(Object.keys(features).map((name) => [name, table.columns.get(name)!]))),
    ...(options.segments?.columns.length
      ? { segments: segmentProfiles(table, options.segments, (n, c) => columnProfile(n, c, SEGMENT_EXACT_SAMPLE_LIMIT), new Set(label ? [label[0]] : []), prediction?.[0]) }
      : {}),
  };
}
