// Validation of prediction and label messages (DESIGN.md contract). Every rejection names the field, so a
// dead letter's reason tells the producer's owner exactly what to fix.
import { InputError, type FeatureValue, type LabelEvent, type Prediction } from '../domain/index.js';
import { parseTimestamp } from '../domain/time.js';

const MAX_ID = 256;
const MAX_FEATURES = 2_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requiredString(obj: Record<string, unknown>, field: string, allowNumber = false): string {
  const v = obj[field];
  if (v === undefined || v === null) throw new InputError(`missing "${field}"`, 'missing_field');
  if (allowNumber && typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') throw new InputError(`"${field}" must be a string, got ${typeName(v)}`, 'wrong_type');
  if (v.length === 0) throw new InputError(`"${field}" must not be empty`, 'wrong_type');
  if (v.length > MAX_ID) throw new InputError(`"${field}" is longer than ${MAX_ID} characters`, 'too_long');
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function timestampOf(obj: Record<string, unknown>): number {
  if (obj.timestamp === undefined || obj.timestamp === null) throw new InputError('missing "timestamp"', 'missing_field');
  const ts = parseTimestamp(obj.timestamp);
  if (ts === undefined) throw new InputError(`"timestamp" must be RFC 3339 or epoch milliseconds, got ${JSON.stringify(obj.timestamp).slice(0, 40)}`, 'wrong_type');
  return ts;
}

function scalar(v: unknown, field: string): number | string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw new InputError(`"${field}" must be a number, string, boolean or null, got ${typeName(v)}`, 'wrong_type');
}

export interface DecodeOptions {
  /** When non-empty, predictions for any other model are rejected. */
  models?: ReadonlySet<string>;
}

export function decodePrediction(value: unknown, options: DecodeOptions = {}): Prediction {
  if (!isObject(value)) throw new InputError(`a prediction must be a JSON object, got ${typeName(value)}`, 'wrong_type');
  const model = requiredString(value, 'model');
  if (options.models && options.models.size > 0 && !options.models.has(model)) {
    throw new InputError(`unknown model "${model}"`, 'unknown_model');
  }
  const predictionId = requiredString(value, 'prediction_id', true);
  const timestamp = timestampOf(value);
  const modelVersion = value.model_version === undefined || value.model_version === null ? '' : requiredString(value, 'model_version', true);
  if (!isObject(value.features)) throw new InputError(`"features" must be an object, got ${typeName(value.features)}`, value.features === undefined ? 'missing_field' : 'wrong_type');
  const names = Object.keys(value.features);
  if (names.length > MAX_FEATURES) throw new InputError(`more than ${MAX_FEATURES} features`, 'too_large');
  const features: Record<string, FeatureValue> = {};
  for (const name of names) features[name] = scalar(value.features[name], `features.${name}`);
  if (value.metadata !== undefined && value.metadata !== null && !isObject(value.metadata)) {
    throw new InputError(`"metadata" must be an object, got ${typeName(value.metadata)}`, 'wrong_type');
  }
  return {
    model,
    modelVersion,
    predictionId,
    timestamp,
    features,
    prediction: scalar(value.prediction, 'prediction'),
    label: scalar(value.label, 'label'),
    metadata: (value.metadata as Record<string, unknown> | undefined) ?? null,
  };
}

export function decodeLabel(value: unknown, options: DecodeOptions = {}): LabelEvent {
  if (!isObject(value)) throw new InputError(`a label must be a JSON object, got ${typeName(value)}`, 'wrong_type');
  const model = requiredString(value, 'model');
  if (options.models && options.models.size > 0 && !options.models.has(model)) {
    throw new InputError(`unknown model "${model}"`, 'unknown_model');
  }
  const predictionId = requiredString(value, 'prediction_id', true);
  const timestamp = timestampOf(value);
  const label = scalar(value.label, 'label');
  if (label === null) throw new InputError('missing "label"', 'missing_field');
  return { model, predictionId, label, timestamp };
}

/** Parses raw bytes into JSON, with the size limit and a reason a person can act on. */
export function parseJsonMessage(raw: Buffer | string | null, maxBytes: number): unknown {
  if (raw === null) throw new InputError('empty message (null value)', 'empty');
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > maxBytes) throw new InputError(`message of ${size} bytes exceeds the ${maxBytes}-byte limit`, 'too_large');
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`not JSON: ${(error as Error).message}`, 'not_json');
  }
}
