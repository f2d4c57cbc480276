// How a decoded prediction or label becomes a ClickHouse row (column layout in store/migrations.ts).
import type { LabelEvent, Prediction } from '../domain/index.js';

export interface PredictionRow {
  model: string; model_version: string; prediction_id: string; ts: number; ts_ms: number;
  num_names: string[]; num_values: number[]; cat_names: string[]; cat_values: string[]; missing_names: string[];
  prediction_num: number | null; prediction_str: string | null; label_num: number | null; label_str: string | null;
  metadata: string; ingested_at: number;
}

export function predictionRow(p: Prediction, ingestedAtMs: number): PredictionRow {
  const row: PredictionRow = {
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
  for (const name in p.features) {
    const v = p.features[name];
    if (typeof v === 'number') {
      row.num_names.push(name);
      row.num_values.push(v);
    } else if (typeof v === 'string') {
      row.cat_names.push(name);
      row.cat_values.push(v);
    } else row.missing_names.push(name);
  }
  return row;
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
