// Model declarations: which models are evaluated, on which windows, against which baseline. Written in YAML
// (a `models:` list) or in code; unknown keys are refused so a typo never falls back to a default.
import { parse as parseYaml } from 'yaml';
import { InputError, type FeatureKind, type ModelTask } from '../domain/index.js';
import { parseDuration } from '../domain/time.js';

export interface ModelDeclaration {
  id: string;
  /** declared feature kinds; features the baseline has but this map lacks are discovered from the baseline */
  features: Record<string, FeatureKind>;
  task: ModelTask | null;
  /** pinned baseline version; null = the latest one in the baselines table */
  baselineVersion: string | null;
  /** tumbling window length (windows are aligned to multiples of it since the epoch) */
  windowMs: number;
  /** a window is evaluated once this long after its end has passed (late predictions) */
  graceMs: number;
  /** labels are awaited this long after a window's end; later ones do not trigger a re-evaluation */
  labelHorizonMs: number;
  /**
   * a window's quality enters the accuracy test once this share of its predictions is labelled, or at the label
   * horizon, whichever comes first; absent: 0.9 (detect/label-gate.ts)
   */
  labelCoverage?: number;
  /**
   * drift, data quality and the estimates also per value of these (categorical features or `model_version`): the
   * `segmentTop` values with most rows in each window, the others together as SEGMENT_OTHER (evaluate/segments.ts)
   */
  segments?: string[];
  /** values per segment feature evaluated on their own; absent: DEFAULT_SEGMENT_TOP */
  segmentTop?: number;
}

/** Segment values evaluated on their own per segment feature unless a model says otherwise; at most MAX_SEGMENT_TOP. */
export const DEFAULT_SEGMENT_TOP = 10;
export const MAX_SEGMENT_TOP = 100;
/** Segment features per model at most (each one multiplies the streams the false-page budget is split over). */
export const MAX_SEGMENT_FEATURES = 4;

export const MODEL_DEFAULTS = { windowMs: 3_600_000, graceMs: 300_000, labelHorizonMs: 7 * 86_400_000 } as const;

const MODEL_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const KEYS = ['id', 'features', 'task', 'baseline_version', 'window', 'grace', 'label_horizon', 'label_coverage', 'segments', 'segment_top'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkModelId(id: unknown, where = 'model id'): string {
  if (typeof id !== 'string' || !MODEL_ID.test(id)) throw new InputError(`${where} must be 1-128 letters, digits or _.:-, got ${JSON.stringify(id)}`);
  return id;
}

function duration(v: unknown, where: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new InputError(`${where} must be a duration such as "1h", got ${JSON.stringify(v)}`);
  const ms = parseDuration(v);
  if (!(ms >= 0)) throw new InputError(`${where} must not be negative`);
  return ms;
}

/** One declaration from its YAML/JSON form (snake_case keys, durations as "1h"). */
export function readModel(raw: unknown, where = 'model'): ModelDeclaration {
  if (!isObj(raw)) throw new InputError(`${where}: expected a mapping`);
  for (const k of Object.keys(raw)) if (!KEYS.includes(k)) throw new InputError(`${where}: unknown key "${k}" (allowed: ${KEYS.join(', ')})`);
  const id = checkModelId(raw.id, `${where}.id`);
  const features: Record<string, FeatureKind> = {};
  if (raw.features !== undefined) {
    if (!isObj(raw.features)) throw new InputError(`${where}.features must map feature names to numeric|categorical`);
    for (const [name, kind] of Object.entries(raw.features)) {
      if (kind !== 'numeric' && kind !== 'categorical') throw new InputError(`${where}.features.${name} must be numeric or categorical`);
      features[name] = kind;
    }
  }
  const task = raw.task ?? null;
  if (task !== null && task !== 'binary' && task !== 'multiclass' && task !== 'regression') throw new InputError(`${where}.task must be binary, multiclass or regression`);
  const version = raw.baseline_version ?? null;
  if (version !== null && (typeof version !== 'string' || version === '')) throw new InputError(`${where}.baseline_version must be a string`);
  const windowMs = duration(raw.window, `${where}.window`, MODEL_DEFAULTS.windowMs);
  if (windowMs < 1000 || windowMs % 1000 !== 0) throw new InputError(`${where}.window must be a whole number of seconds ≥ 1s`);
  const coverage = raw.label_coverage;
  if (coverage !== undefined && (typeof coverage !== 'number' || !(coverage > 0 && coverage <= 1))) {
    throw new InputError(`${where}.label_coverage must be a share of labelled predictions in (0, 1], got ${JSON.stringify(coverage)}`);
  }
  const segments = readSegments(raw.segments, raw.segment_top, features, where);
  return {
    id,
    features,
    task,
    baselineVersion: version,
    windowMs,
    graceMs: duration(raw.grace, `${where}.grace`, MODEL_DEFAULTS.graceMs),
    labelHorizonMs: duration(raw.label_horizon, `${where}.label_horizon`, MODEL_DEFAULTS.labelHorizonMs),
    ...(coverage !== undefined ? { labelCoverage: coverage } : {}),
    ...segments,
  };
}

/** `segments: [feature, …]` and `segment_top: N`: distinct names, none of a feature declared numeric. */
function readSegments(raw: unknown, top: unknown, features: Record<string, FeatureKind>, where: string): Pick<ModelDeclaration, 'segments' | 'segmentTop'> {
  const out: Pick<ModelDeclaration, 'segments' | 'segmentTop'> = {};
  if (raw !== undefined) {
    if (!Array.isArray(raw) || raw.some((n) => typeof n !== 'string' || n === '')) throw new InputError(`${where}.segments must be a list of categorical feature names or model_version`);
    const names = raw as string[];
    if (new Set(names).size !== names.length) throw new InputError(`${where}.segments names a feature twice`);
    if (names.length > MAX_SEGMENT_FEATURES) throw new InputError(`${where}.segments: at most ${MAX_SEGMENT_FEATURES} segment features, got ${names.length}`);
    const numeric = names.find((n) => features[n] === 'numeric');
    if (numeric !== undefined) throw new InputError(`${where}.segments: "${numeric}" is declared numeric; segments are categorical features or model_version`);
    if (names.length) out.segments = [...names];
  }
  if (top !== undefined) {
    if (typeof top !== 'number' || !Number.isInteger(top) || top < 1 || top > MAX_SEGMENT_TOP) throw new InputError(`${where}.segment_top must be a whole number in [1, ${MAX_SEGMENT_TOP}], got ${JSON.stringify(top)}`);
    out.segmentTop = top;
  }
  return out;
}

/** A declaration in its YAML/JSON form (what readModel reads back): how declarations made through the API are saved. */
export function writeModel(m: ModelDeclaration): Record<string, unknown> {
  return {
    id: m.id,
    features: { ...m.features },
    task: m.task,
    baseline_version: m.baselineVersion,
    window: `${m.windowMs}ms`,
    grace: `${m.graceMs}ms`,
    label_horizon: `${m.labelHorizonMs}ms`,
    ...(m.labelCoverage !== undefined ? { label_coverage: m.labelCoverage } : {}),
    ...(m.segments ? { segments: [...m.segments] } : {}),
    ...(m.segmentTop !== undefined ? { segment_top: m.segmentTop } : {}),
  };
}

/** A `models:` list (or a document holding one); ids must be unique. */
export function readModels(raw: unknown): ModelDeclaration[] {
  const list = isObj(raw) && 'models' in raw ? raw.models : raw;
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw new InputError('models must be a list');
  const out = list.map((m, i) => readModel(m, `models[${i}]`));
  const seen = new Set<string>();
  for (const m of out) {
    if (seen.has(m.id)) throw new InputError(`model "${m.id}" is declared twice`);
    seen.add(m.id);
  }
  return out;
}

export function parseModelsYaml(text: string): ModelDeclaration[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new InputError(`models file is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  return readModels(raw);
}

/** A declaration with defaults, for code and the CLI's one-off runs. */
export function declareModel(id: string, options: Partial<Omit<ModelDeclaration, 'id'>> = {}): ModelDeclaration {
  return {
    id: checkModelId(id),
    features: options.features ?? {},
    task: options.task ?? null,
    baselineVersion: options.baselineVersion ?? null,
    windowMs: options.windowMs ?? MODEL_DEFAULTS.windowMs,
    graceMs: options.graceMs ?? MODEL_DEFAULTS.graceMs,
    labelHorizonMs: options.labelHorizonMs ?? MODEL_DEFAULTS.labelHorizonMs,
    ...(options.labelCoverage !== undefined ? { labelCoverage: options.labelCoverage } : {}),
    ...(options.segments ? { segments: [...options.segments] } : {}),
    ...(options.segmentTop !== undefined ? { segmentTop: options.segmentTop } : {}),
  };
}

/** Models known to the evaluator: from config at start, more through the API while running. */
export class ModelRegistry {
  private readonly models = new Map<string, ModelDeclaration>();
  private readonly listeners: Array<(model: ModelDeclaration) => void> = [];

  constructor(models: readonly ModelDeclaration[] = []) {
    for (const m of models) this.declare(m);
  }

  declare(model: ModelDeclaration): void {
    if (model.windowMs <= 0) throw new InputError(`model "${model.id}": window must be positive`);
    this.models.set(model.id, model);
    for (const listener of this.listeners) listener(model);
  }

  /** Called after every later declaration (the service saves those made through the API). */
  onDeclare(listener: (model: ModelDeclaration) => void): void {
    this.listeners.push(listener);
  }

  get(id: string): ModelDeclaration | undefined {
    return this.models.get(id);
  }

  list(): ModelDeclaration[] {
    return [...this.models.values()];
  }
}
