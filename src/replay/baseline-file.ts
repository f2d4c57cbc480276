// Reads the references replay compares windows with, from a baseline JSON file: a baseline profile written
// by `driftwatch baseline build` (schema_version 1), a model reference (see reference.ts), a list of
// either, or { "models": [...] }.
import type { BaselineProfile } from '../baseline/index.js';
import { InputError } from '../domain/index.js';
import type { FeatureReference, ModelReference } from './reference.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCounts = (v: unknown): v is number[] => Array.isArray(v) && v.every((c) => Number.isInteger(c) && c >= 0);

function feature(v: unknown, where: string): FeatureReference {
  if (!isObj(v)) throw new InputError(`${where}: expected an object`);
  const missing = v.missing ?? 0;
  if (!Number.isInteger(missing) || (missing as number) < 0) throw new InputError(`${where}.missing must be a count`);
  if (v.kind === 'numeric') {
    if (!Array.isArray(v.edges) || !v.edges.every((e) => typeof e === 'number' && Number.isFinite(e))) throw new InputError(`${where}.edges must be numbers`);
    const edges = v.edges as number[];
    if (edges.some((e, i) => i > 0 && e < edges[i - 1])) throw new InputError(`${where}.edges must be sorted`);
    if (!isCounts(v.counts) || v.counts.length !== edges.length + 1) throw new InputError(`${where}.counts must be ${edges.length + 1} counts (one more than edges)`);
    const range = typeof v.min === 'number' && typeof v.max === 'number' && v.min <= v.max ? { min: v.min, max: v.max } : {};
    return { kind: 'numeric', edges, counts: v.counts, missing: missing as number, ...range };
  }
  if (v.kind === 'categorical') {
    if (!isObj(v.counts) || !Object.values(v.counts).every((c) => Number.isInteger(c) && (c as number) >= 0)) throw new InputError(`${where}.counts must map categories to counts`);
    return { kind: 'categorical', counts: v.counts as Record<string, number>, missing: missing as number };
  }
  throw new InputError(`${where}.kind must be "numeric" or "categorical"`);
}

/** The PSI bins and accuracy of a baseline profile, as a model reference. */
export function referenceFromProfile(p: BaselineProfile): ModelReference {
  const features: Record<string, FeatureReference> = {};
  for (const [name, f] of Object.entries(p.features)) {
    features[name] = f.kind === 'numeric'
      ? { kind: 'numeric', edges: [...f.psi.edges], counts: [...f.psi.counts], missing: f.missing, min: f.min, max: f.max }
      : { kind: 'categorical', counts: { ...f.frequencies }, missing: f.missing };
  }
  const q = p.quality;
  const accuracy = q && (q.task === 'binary' || q.task === 'multiclass') && q.rows > 0 ? { value: q.metrics.accuracy, rows: q.rows } : undefined;
  return { model: p.model, baselineVersion: p.version, rows: p.rows, features, ...(accuracy ? { accuracy } : {}) };
}

function model(v: unknown, where: string): ModelReference {
  if (!isObj(v)) throw new InputError(`${where}: expected an object`);
  if (v.schema_version !== undefined) {
    if (v.schema_version !== 1) throw new InputError(`${where}: baseline schema_version ${String(v.schema_version)} is not supported (expected 1)`);
    const p = v as unknown as BaselineProfile;
    const f = Object.values(p.features ?? {});
    if (typeof p.model !== 'string' || !Number.isInteger(p.rows) || f.some((x) => !isObj(x) || (x.kind === 'numeric' ? !isObj(x.psi) : !isObj((x as { frequencies?: unknown }).frequencies)))) {
      throw new InputError(`${where}: not a valid baseline profile`);
    }
    return model(referenceFromProfile(p), where);
  }
  if (typeof v.model !== 'string' || !v.model) throw new InputError(`${where}.model must be a name`);
  if (!Number.isInteger(v.rows) || (v.rows as number) < 1) throw new InputError(`${where}.rows must be a positive integer`);
  if (!isObj(v.features)) throw new InputError(`${where}.features must be an object`);
  const features: Record<string, FeatureReference> = {};
  for (const [name, f] of Object.entries(v.features)) features[name] = feature(f, `${where}.features.${name}`);
  const out: ModelReference = { model: v.model, baselineVersion: typeof v.baselineVersion === 'string' ? v.baselineVersion : '1', rows: v.rows as number, features };
  if (v.accuracy !== undefined) {
    const a = v.accuracy;
    if (!isObj(a) || typeof a.value !== 'number' || !(a.value >= 0 && a.value <= 1) || !Number.isInteger(a.rows) || (a.rows as number) < 1) {
      throw new InputError(`${where}.accuracy must be { value in [0, 1], rows ≥ 1 }`);
    }
    out.accuracy = { value: a.value, rows: a.rows as number };
  }
  return out;
}

export function readReferences(raw: unknown): Map<string, ModelReference> {
  const list = Array.isArray(raw) ? raw : isObj(raw) && Array.isArray(raw.models) ? raw.models : [raw];
  const out = new Map<string, ModelReference>();
  list.forEach((m, i) => {
    const r = model(m, `baseline[${i}]`);
    if (out.has(r.model)) throw new InputError(`baseline: model ${r.model} appears twice`);
    out.set(r.model, r);
  });
  if (out.size === 0) throw new InputError('baseline: no model in it');
  return out;
}
