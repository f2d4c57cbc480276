// The alert policy users write (policy.yaml): tolerances per model and feature, the false-page budget,
// hysteresis and severities. Unknown keys are refused so a typo never falls back to a default.
import { parse as parseYaml } from 'yaml';
import type { Severity } from '../alerting/alert.js';
import { DEFAULT_FALSE_PAGE_DAYS } from '../alerting/budget.js';
import { InputError } from '../domain/index.js';

export interface Tolerances {
  /** PSI that is not worth a page, for every feature (numeric and categorical) */
  psi: number;
  /** drop in accuracy (a proportion) that is not worth a page */
  accuracyDrop: number;
  /** rise in a data-quality share (out-of-range values, unseen categories) over what the baseline predicts, not worth a page */
  dataQuality: number;
}

export interface AlertPolicy {
  /** "at most one false page per this many days, across everything" */
  falsePageDays: number;
  /** streams the budget is split over; default: counted from the baselines */
  streams: number | null;
  tolerance: Tolerances;
  /** resolve once drift is confidently below hysteresis × tolerance */
  hysteresis: number;
  /** evidence needed to resolve */
  resolveEvidence: number;
  /** windows with fewer rows are skipped for a feature (they still count for nothing, not against) */
  minRows: number;
  severity: { featureDrift: Severity; metricDrop: Severity };
  models: Record<string, { tolerance: Partial<Tolerances>; features: Record<string, Partial<Tolerances>> }>;
}

export const DEFAULT_POLICY: AlertPolicy = {
  falsePageDays: DEFAULT_FALSE_PAGE_DAYS,
  streams: null,
  tolerance: { psi: 0.1, accuracyDrop: 0.05, dataQuality: 0.02 },
  hysteresis: 0.5,
  resolveEvidence: 100,
  minRows: 1,
  severity: { featureDrift: 'warning', metricDrop: 'error' },
  models: {},
};

type Obj = Record<string, unknown>;

function object(v: unknown, where: string, allowed: string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(`${where}: expected a mapping`);
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw new InputError(`${where}: unknown key "${k}" (allowed: ${allowed.join(', ')})`);
  return v as Obj;
}

function positive(v: unknown, where: string, max = Infinity): number {
  if (typeof v !== 'number' || !(v > 0) || v > max) throw new InputError(`${where} must be a number in (0, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

function tolerances(v: unknown, where: string): Partial<Tolerances> {
  const o = object(v, where, ['psi', 'accuracyDrop', 'dataQuality']);
  const out: Partial<Tolerances> = {};
  if (o.psi !== undefined) out.psi = positive(o.psi, `${where}.psi`);
  if (o.accuracyDrop !== undefined) out.accuracyDrop = positive(o.accuracyDrop, `${where}.accuracyDrop`, 1);
  if (o.dataQuality !== undefined) out.dataQuality = positive(o.dataQuality, `${where}.dataQuality`, 0.5);
  return out;
}

function severity(v: unknown, where: string): Severity {
  if (v !== 'critical' && v !== 'error' && v !== 'warning' && v !== 'info') throw new InputError(`${where} must be critical, error, warning or info`);
  return v;
}

/** Reads a policy object (from YAML or JSON), filling defaults. */
export function readPolicy(raw: unknown): AlertPolicy {
  if (raw === null || raw === undefined) return structuredClone(DEFAULT_POLICY);
  const o = object(raw, 'policy', ['falsePages', 'tolerance', 'hysteresis', 'resolveEvidence', 'minRows', 'severity', 'models']);
  const p = structuredClone(DEFAULT_POLICY);
  if (o.falsePages !== undefined) {
    const f = object(o.falsePages, 'policy.falsePages', ['atMostOnePerDays', 'streams']);
    if (f.atMostOnePerDays !== undefined) p.falsePageDays = positive(f.atMostOnePerDays, 'policy.falsePages.atMostOnePerDays');
    if (f.streams !== undefined) {
      if (!Number.isInteger(f.streams) || (f.streams as number) < 1) throw new InputError('policy.falsePages.streams must be a positive integer');
      p.streams = f.streams as number;
    }
  }
  if (o.tolerance !== undefined) p.tolerance = { ...p.tolerance, ...tolerances(o.tolerance, 'policy.tolerance') };
  if (o.hysteresis !== undefined) p.hysteresis = positive(o.hysteresis, 'policy.hysteresis', 0.99);
  if (o.resolveEvidence !== undefined) p.resolveEvidence = Math.max(1, positive(o.resolveEvidence, 'policy.resolveEvidence'));
  if (o.minRows !== undefined) {
    if (!Number.isInteger(o.minRows) || (o.minRows as number) < 1) throw new InputError('policy.minRows must be a positive integer');
    p.minRows = o.minRows as number;
  }
  if (o.severity !== undefined) {
    const s = object(o.severity, 'policy.severity', ['featureDrift', 'metricDrop']);
    if (s.featureDrift !== undefined) p.severity.featureDrift = severity(s.featureDrift, 'policy.severity.featureDrift');
    if (s.metricDrop !== undefined) p.severity.metricDrop = severity(s.metricDrop, 'policy.severity.metricDrop');
  }
  if (o.models !== undefined) {
    for (const [model, m] of Object.entries(object(o.models, 'policy.models', Object.keys(o.models as Obj)))) {
      const mo = object(m, `policy.models.${model}`, ['tolerance', 'features']);
      const features: Record<string, Partial<Tolerances>> = {};
      if (mo.features !== undefined) {
        for (const [name, f] of Object.entries(object(mo.features, `policy.models.${model}.features`, Object.keys(mo.features as Obj)))) {
          features[name] = tolerances(f, `policy.models.${model}.features.${name}`);
        }
      }
      p.models[model] = { tolerance: mo.tolerance === undefined ? {} : tolerances(mo.tolerance, `policy.models.${model}.tolerance`), features };
    }
  }
  return p;
}

export function parsePolicyYaml(text: string): AlertPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new InputError(`policy is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  return readPolicy(raw);
}

/** The tolerance that applies to one stream: feature override, then model override, then the default. */
export function toleranceFor(p: AlertPolicy, model: string, feature: string | null, which: keyof Tolerances): number {
  const m = p.models[model];
  return (feature !== null ? m?.features[feature]?.[which] : undefined) ?? m?.tolerance[which] ?? p.tolerance[which];
}
