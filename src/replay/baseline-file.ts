// Reads the references replay compares windows with, from a baseline JSON file: one model reference, a
// list of them, or { "models": [...] } (see reference.ts for the shape).
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
    return { kind: 'numeric', edges, counts: v.counts, missing: missing as number };
  }
  if (v.kind === 'categorical') {
    if (!isObj(v.counts) || !Object.values(v.counts).every((c) => Number.isInteger(c) && (c as number) >= 0)) throw new InputError(`${where}.counts must map categories to counts`);
    return { kind: 'categorical', counts: v.counts as Record<string, number>, missing: missing as number };
  }
  throw new InputError(`${where}.kind must be "numeric" or "categorical"`);
}

function model(v: unknown, where: string): ModelReference {
  if (!isObj(v)) throw new InputError(`${where}: expected an object`);
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
