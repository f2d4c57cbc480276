// The reference side of a drift comparison, from either a raw data file (exact) or a baseline profile
// (exact sample up to 10 000 values, quantiles beyond), plus the checks that turn a JSON file into a profile.
import { InputError, type FeatureKind } from '../domain/index.js';
import { binCounts, decileEdges, describeSorted, discreteValues, sortSample, type CategoricalReference, type NumericReference, type WeightedEcdf } from '../stats/index.js';
import { BASELINE_SCHEMA_VERSION, type BaselineProfile, type FeatureProfile } from './profile.js';
import { checkEstimates } from './estimates.js';
import { checkSegments } from './segments.js';
import type { Column, Table } from './table.js';

export type ColumnReference = ({ kind: 'numeric' } & NumericReference) | ({ kind: 'categorical' } & CategoricalReference);

export interface ReferenceSet {
  source: string;
  columns: Map<string, ColumnReference>;
  /** the baseline the reference came from (none for a data file) */
  profile?: BaselineProfile;
}

/** The exact reference of one data column. */
export function columnReference(name: string, column: Column): ColumnReference {
  if (column.kind === 'categorical') {
    const frequencies = new Map<string | null, number>();
    for (const v of column.values) frequencies.set(v, (frequencies.get(v) ?? 0) + 1);
    return { kind: 'categorical', frequencies };
  }
  const sample = sortSample(column.values);
  if (sample.values.length === 0) throw new InputError(`column "${name}": the reference has no values`, 'empty');
  const edges = decileEdges(sample.values);
  const { std, min, max } = describeSorted(sample.values);
  return {
    kind: 'numeric',
    count: sample.values.length,
    missing: sample.missing,
    edges,
    counts: binCounts(sample.values, edges),
    std,
    min,
    max,
    discrete: discreteValues(sample.values),
    distribution: { kind: 'exact', sorted: sample.values },
  };
}

export function referenceFromTable(table: Table): ReferenceSet {
  if (table.rows === 0) throw new InputError(`${table.source}: the reference file has no rows`, 'empty');
  const columns = new Map<string, ColumnReference>();
  for (const [name, column] of table.columns) columns.set(name, columnReference(name, column));
  return { source: table.source, columns };
}

/**
 * Quantiles q_0..q_{Q−1} at probabilities i/(Q−1) as a weighted ECDF: the trapezoid rule puts half a step at each
 * end, so the ECDF at q_i is (i + ½)/(Q−1), within ½/(Q−1) + 1/M of the full sample's (the profile's ks_bound covers it).
 */
export function quantileEcdf(quantiles: readonly number[]): WeightedEcdf {
  const q = quantiles.length;
  if (q < 2) throw new RangeError('a quantile summary needs at least 2 quantiles');
  const cumulative = quantiles.map((_, i) => (i === q - 1 ? 1 : (i + 0.5) / (q - 1)));
  return { values: Float64Array.from(quantiles), cumulative };
}

function referenceFromProfile(feature: FeatureProfile): ColumnReference {
  if (feature.kind === 'categorical') {
    const frequencies = new Map<string | null, number>(Object.entries(feature.frequencies));
    if (feature.missing > 0) frequencies.set(null, feature.missing);
    return { kind: 'categorical', frequencies };
  }
  const d = feature.distribution;
  const sorted = d.kind === 'exact' ? Float64Array.from(d.values) : undefined;
  return {
    kind: 'numeric',
    count: feature.count,
    missing: feature.missing,
    edges: feature.psi.edges,
    counts: feature.psi.counts,
    std: feature.std,
    // a quantile summary's ends are the sample's min and max (probabilities 0 and 1)
    min: feature.min ?? d.values[0],
    max: feature.max ?? d.values[d.values.length - 1],
    // baselines written before `discrete` existed: recomputed from an exact sample, else binned by deciles
    discrete: feature.discrete ?? (sorted ? discreteValues(sorted) : undefined),
    distribution: sorted ? { kind: 'exact', sorted } : { kind: 'quantiles', ecdf: quantileEcdf(d.values), ksBound: (d as { ks_bound: number }).ks_bound },
  };
}

/** Feature columns, and the prediction column under its own name, of a baseline. */
export function referenceFromBaseline(profile: BaselineProfile, source: string): ReferenceSet {
  const columns = new Map<string, ColumnReference>();
  for (const [name, feature] of Object.entries(profile.features)) columns.set(name, referenceFromProfile(feature));
  if (profile.prediction) columns.set(profile.prediction.column, referenceFromProfile(profile.prediction));
  return { source, columns, profile };
}

export function kindsOf(reference: ReferenceSet): Map<string, FeatureKind> {
  return new Map([...reference.columns].map(([name, c]) => [name, c.kind]));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

function checkFeature(name: string, f: unknown, where: string): void {
  const bad = (what: string) => new InputError(`${where}: feature "${name}": ${what}`, 'bad_baseline');
  if (!isObject(f)) throw bad('not an object');
  if (f.kind === 'categorical') {
    if (!isObject(f.frequencies) || typeof f.missing !== 'number') throw bad('needs "frequencies" and "missing"');
    return;
  }
  if (f.kind !== 'numeric') throw bad(`unknown kind ${JSON.stringify(f.kind)}`);
  const psi = f.psi as Record<string, unknown> | undefined;
  if (!isObject(psi) || !numbers(psi.edges) || !numbers(psi.counts) || psi.counts.length !== psi.edges.length + 1) throw bad('"psi" needs edges and one more count than edges');
  if (typeof f.count !== 'number' || typeof f.missing !== 'number' || typeof f.std !== 'number') throw bad('needs numeric "count", "missing" and "std"');
  const d = f.distribution as Record<string, unknown> | undefined;
  if (!isObject(d) || !numbers(d.values) || d.values.length === 0) throw bad('"distribution" needs "values"');
  if (d.kind === 'quantiles' && typeof d.ks_bound !== 'number') throw bad('quantile distribution needs "ks_bound"');
  if (d.kind !== 'exact' && d.kind !== 'quantiles') throw bad(`unknown distribution kind ${JSON.stringify(d.kind)}`);
  const discrete = f.discrete as Record<string, unknown> | undefined;
  if (discrete !== undefined && (!isObject(discrete) || !numbers(discrete.values) || !numbers(discrete.counts) || discrete.values.length !== discrete.counts.length)) {
    throw bad('"discrete" needs "values" and as many "counts"');
  }
}

/** Validates parsed JSON as a baseline profile of a schema version this build reads. */
export function parseBaseline(value: unknown, where: string): BaselineProfile {
  if (!isObject(value)) throw new InputError(`${where}: a baseline must be a JSON object`, 'bad_baseline');
  if (value.schema_version !== BASELINE_SCHEMA_VERSION) {
    throw new InputError(`${where}: baseline schema_version ${JSON.stringify(value.schema_version)} is not supported (this build reads ${BASELINE_SCHEMA_VERSION})`, 'bad_baseline');
  }
  if (typeof value.model !== 'string' || !isObject(value.features)) throw new InputError(`${where}: a baseline needs "model" and "features"`, 'bad_baseline');
  for (const [name, f] of Object.entries(value.features)) checkFeature(name, f, where);
  if (value.prediction !== null && value.prediction !== undefined) {
    if (!isObject(value.prediction) || typeof value.prediction.column !== 'string') throw new InputError(`${where}: "prediction" needs a "column"`, 'bad_baseline');
    checkFeature(value.prediction.column, value.prediction, where);
  }
  checkEstimates(value, where);
  checkSegments(value, where, checkFeature);
  return value as unknown as BaselineProfile;
}

/** Is this parsed JSON file a baseline (rather than a data file)? */
export function looksLikeBaseline(value: unknown): boolean {
  return isObject(value) && 'schema_version' in value && 'features' in value;
}
