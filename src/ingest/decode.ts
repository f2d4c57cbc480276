// Validation of prediction and label messages (DESIGN.md contract). Every rejection names the field, so a
// dead letter's reason tells the producer's owner exactly what to fix. Whatever is accepted can be stored as it
// is: finite numbers, well-formed Unicode, timestamps the DateTime column holds, feature names that are plain data.
import { InputError, type FeatureValue, type LabelEvent, type Prediction } from '../domain/index.js';
import { parseTimestamp } from '../domain/time.js';

export const MAX_ID = 256;
export const MAX_FEATURES = 2_000;
/** Deeper metadata is refused: nothing legitimate nests this far, and storing it (JSON.stringify) could overflow. */
export const MAX_DEPTH = 64;
/** ClickHouse's DateTime is unsigned 32-bit seconds: 1970-01-01T00:00:00Z … 2106-02-07T06:28:15Z. */
export const STORE_TIME_RANGE = { minMs: 0, maxMs: 4_294_967_295_999 } as const;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own property only, so a field named like an Object.prototype member is never read from the prototype. */
function field(obj: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}

/** String.prototype.isWellFormed (Node 20; not yet in the TypeScript lib this project targets): no lone surrogate. */
const isWellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** A string the store can hold as it is (ClickHouse refuses a lone UTF-16 surrogate); `what` names it, on failure. */
function text(v: string, what: () => string): string {
  if (!isWellFormed(v)) throw new InputError(`${what()} is not valid Unicode (it holds a lone surrogate)`, 'bad_unicode');
  return v;
}

/** `s` with every lone surrogate replaced by U+FFFD, for text driftwatch writes itself (reasons, payloads). */
export function wellFormed(s: string): string {
  return LONE_SURROGATE.test(s) ? s.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd') : s;
}

function requiredString(obj: Record<string, unknown>, name: string, allowNumber = false): string {
  const v = field(obj, name);
  if (v === undefined || v === null) throw new InputError(`missing "${name}"`, 'missing_field');
  if (allowNumber && typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') throw new InputError(`"${name}" must be a string, got ${typeName(v)}`, 'wrong_type');
  if (v.length === 0) throw new InputError(`"${name}" must not be empty`, 'wrong_type');
  if (v.length > MAX_ID) throw new InputError(`"${name}" is longer than ${MAX_ID} characters`, 'too_long');
  return text(v, () => `"${name}"`);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && !Number.isFinite(v)) return 'a number beyond the double range';
  return typeof v;
}

export interface TimeWindow {
  /** epoch ms, inclusive */
  minMs: number;
  maxMs: number;
}

function timestampOf(obj: Record<string, unknown>, window: TimeWindow | undefined): number {
  const raw = field(obj, 'timestamp');
  if (raw === undefined || raw === null) throw new InputError('missing "timestamp"', 'missing_field');
  const ts = parseTimestamp(raw);
  const shown = () => (typeof raw === 'string' ? JSON.stringify(wellFormed(raw)) : typeof raw === 'object' ? JSON.stringify(raw) : String(raw)).slice(0, 40);
  if (ts === undefined) throw new InputError(`"timestamp" must be RFC 3339 or epoch seconds/milliseconds, got ${shown()}`, 'wrong_type');
  const lo = Math.max(STORE_TIME_RANGE.minMs, window?.minMs ?? -Infinity);
  const hi = Math.min(STORE_TIME_RANGE.maxMs, window?.maxMs ?? Infinity);
  if (ts < lo || ts > hi) {
    throw new InputError(`"timestamp" out of range: ${shown()} is ${new Date(ts).toISOString()}, accepted ${new Date(lo).toISOString()} … ${new Date(hi).toISOString()}`, 'timestamp_out_of_range');
  }
  return ts;
}

function scalar(v: unknown, name: string): number | string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new InputError(`"${name}" must be a finite number (it is beyond the double range)`, 'not_finite');
    return v;
  }
  if (typeof v === 'string') return text(v, () => `"${name}"`);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw new InputError(`"${name}" must be a number, string, boolean or null, got ${typeName(v)}`, 'wrong_type');
}

/** Feature names already found valid: every message of a model repeats them, so each is checked once (bounded). */
const validNames = new Set<string>();
const MAX_VALID_NAMES = 100_000;

function featureName(name: string): string {
  if (validNames.has(name)) return name;
  checkFeatureName(name);
  if (validNames.size >= MAX_VALID_NAMES) validNames.clear();
  validNames.add(name);
  return name;
}

function checkFeatureName(name: string): void {
  if (name.length === 0) throw new InputError('a feature name must not be empty', 'bad_feature_name');
  if (name.length > MAX_ID) throw new InputError(`feature name "${wellFormed(name.slice(0, 40))}…" is longer than ${MAX_ID} characters`, 'bad_feature_name');
  if (CONTROL.test(name)) throw new InputError(`feature name ${JSON.stringify(wellFormed(name)).slice(0, 60)} holds a control character`, 'bad_feature_name');
  text(name, () => `feature name ${JSON.stringify(name).slice(0, 60)}`);
}

export interface DecodeOptions {
  /** When non-empty, predictions for any other model are rejected. */
  models?: ReadonlySet<string>;
  /** Event times accepted (always also within STORE_TIME_RANGE). */
  window?: TimeWindow;
}

function modelOf(value: Record<string, unknown>, options: DecodeOptions): string {
  const model = requiredString(value, 'model');
  if (options.models && options.models.size > 0 && !options.models.has(model)) {
    throw new InputError(`unknown model "${model}"`, 'unknown_model');
  }
  return model;
}

/** A prediction's fields; each feature, validated, goes to `feature` as it is read (ingest builds its row from
 *  them directly, with no object of features in between). */
export type PredictionFields = Omit<Prediction, 'features'>;

export function decodePredictionFields(value: unknown, options: DecodeOptions, feature: (name: string, v: FeatureValue) => void): PredictionFields {
  if (!isObject(value)) throw new InputError(`a prediction must be a JSON object, got ${typeName(value)}`, 'wrong_type');
  const model = modelOf(value, options);
  const predictionId = requiredString(value, 'prediction_id', true);
  const timestamp = timestampOf(value, options.window);
  const version = field(value, 'model_version');
  const modelVersion = version === undefined || version === null ? '' : requiredString(value, 'model_version', true);
  const given = field(value, 'features');
  if (!isObject(given)) throw new InputError(`"features" must be an object, got ${typeName(given)}`, given === undefined ? 'missing_field' : 'wrong_type');
  const names = Object.keys(given);
  if (names.length > MAX_FEATURES) throw new InputError(`more than ${MAX_FEATURES} features`, 'too_large');
  for (const name of names) feature(featureName(name), scalar(given[name], `features.${name}`));
  const metadata = field(value, 'metadata');
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) {
    throw new InputError(`"metadata" must be an object, got ${typeName(metadata)}`, 'wrong_type');
  }
  if (isObject(metadata) && deeperThan(metadata, MAX_DEPTH)) throw new InputError(`"metadata" is nested more than ${MAX_DEPTH} levels deep`, 'too_deep');
  return {
    model,
    modelVersion,
    predictionId,
    timestamp,
    prediction: scalar(field(value, 'prediction'), 'prediction'),
    label: scalar(field(value, 'label'), 'label'),
    metadata: (metadata as Record<string, unknown> | undefined) ?? null,
  };
}

export function decodePrediction(value: unknown, options: DecodeOptions = {}): Prediction {
  // No prototype: a feature named "__proto__" or "constructor" is a feature like any other.
  const features: Record<string, FeatureValue> = Object.create(null) as Record<string, FeatureValue>;
  const p = decodePredictionFields(value, options, (name, v) => (features[name] = v));
  return { model: p.model, modelVersion: p.modelVersion, predictionId: p.predictionId, timestamp: p.timestamp, features, prediction: p.prediction, label: p.label, metadata: p.metadata };
}

export function decodeLabel(value: unknown, options: DecodeOptions = {}): LabelEvent {
  if (!isObject(value)) throw new InputError(`a label must be a JSON object, got ${typeName(value)}`, 'wrong_type');
  const model = modelOf(value, options);
  const predictionId = requiredString(value, 'prediction_id', true);
  const timestamp = timestampOf(value, options.window);
  const label = scalar(field(value, 'label'), 'label');
  if (label === null) throw new InputError('missing "label"', 'missing_field');
  return { model, predictionId, label, timestamp };
}

/** Whether `value` nests objects and arrays more than `limit` levels deep, found without recursion. */
export function deeperThan(value: object, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > limit) return true;
    for (const child of Object.values(v as object)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** Parses raw bytes into JSON, with the size limit and a reason a person can act on (V8 parses any depth). */
export function parseJsonMessage(raw: Buffer | string | null | undefined, maxBytes: number): unknown {
  if (raw === null || raw === undefined) throw new InputError('empty message (null value)', 'empty');
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > maxBytes) throw new InputError(`message of ${size} bytes exceeds the ${maxBytes}-byte limit`, 'too_large');
  const json = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (json.trim() === '') throw new InputError('empty message', 'empty');
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new InputError(`not JSON: ${(error as Error).message}`, 'not_json');
  }
}
