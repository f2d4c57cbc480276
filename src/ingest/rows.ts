// How a decoded prediction or label becomes a ClickHouse row (column layout in store/migrations.ts).
import type { FeatureValue, LabelEvent, Prediction } from '../domain/index.js';
import { decodePredictionFields, type DecodeOptions, type PredictionFields } from './decode.js';

export interface PredictionRow {
  model: string; model_version: string; prediction_id: string; ts: number; ts_ms: number;
  num_names: string[]; num_values: number[]; cat_names: string[]; cat_values: string[]; missing_names: string[];
  prediction_num: number | null; prediction_str: string | null; label_num: number | null; label_str: string | null;
  metadata: string; ingested_at: number;
}

export function predictionRow(p: Prediction, ingestedAtMs: number): PredictionRow {
  const row = emptyRow(p, ingestedAtMs);
  for (const name in p.features) addFeature(row, name, p.features[name]);
  return row;
}

/** The row of a prediction message's JSON, validated as decodePrediction does, without a Prediction in between;
 *  `timestamp` is the event time in ms. */
export function predictionRowOf(json: unknown, options: DecodeOptions, ingestedAtMs: number): { row: PredictionRow; timestamp: number } {
  const num_names: string[] = [];
  const num_values: number[] = [];
  const cat_names: string[] = [];
  const cat_values: string[] = [];
  const missing_names: string[] = [];
  const p = decodePredictionFields(json, options, (name, v) => {
    if (typeof v === 'number') {
      num_names.push(name);
      num_values.push(v);
    } else if (typeof v === 'string') {
      cat_names.push(name);
      cat_values.push(v);
    } else missing_names.push(name);
  });
  const row = emptyRow(p, ingestedAtMs);
  row.num_names = num_names;
  row.num_values = num_values;
  row.cat_names = cat_names;
  row.cat_values = cat_values;
  row.missing_names = missing_names;
  return { row, timestamp: p.timestamp };
}

function emptyRow(p: PredictionFields, ingestedAtMs: number): PredictionRow {
  return {
    model: p.model, model_version: p.modelVersion, prediction_id: p.predictionId,
    ts: Math.floor(p.timestamp / 1000), ts_ms: p.timestamp,
    num_names: [], num_values: [], cat_names: [], cat_values: [], missing_names: [],
    prediction_num: typeof p.prediction === 'number' ? p.prediction : null,
    prediction_str: typeof p.prediction === 'string' ? p.prediction : null,
    label_num: typeof p.label === 'number' ? p.label : null,
    label_str: typeof p.label === 'string' ? p.label : null,
    metadata: p.metadata ? JSON.stringify(p.metadata) : '',
    ingested_at: Math.floor(ingestedAtMs / 1000),
  };
}

function addFeature(row: PredictionRow, name: string, v: FeatureValue): void {
  if (typeof v === 'number') {
    row.num_names.push(name);
    row.num_values.push(v);
  } else if (typeof v === 'string') {
    row.cat_names.push(name);
    row.cat_values.push(v);
  } else row.missing_names.push(name);
}

export interface LabelRow {
  model: string; prediction_id: string; label_num: number | null; label_str: string | null;
  ts: number; ts_ms: number; ingested_at: number;
}

export function labelRow(l: LabelEvent, ingestedAtMs: number): LabelRow {
  return {
    model: l.model, prediction_id: l.predictionId,
    label_num: typeof l.label === 'number' ? l.label : null,
    label_str: typeof l.label === 'string' ? l.label : null,
    ts: Math.floor(l.timestamp / 1000), ts_ms: l.timestamp, ingested_at: Math.floor(ingestedAtMs / 1000),
  };
}
