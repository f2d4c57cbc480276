// Reads stored predictions back in timestamp order, page by page (demo scale; the evaluator pushes aggregates down instead).
import type { Prediction } from '../domain/index.js';
import { sqlString, type Store } from '../store/index.js';

interface Row { prediction_id: string; ts_ms: string; num_names: string[]; num_values: number[]; cat_names: string[]; cat_values: string[]; missing_names: string[] }

export async function* storedPredictions(store: Store, model: string, pageSize = 20_000): AsyncGenerator<Prediction> {
  for (let offset = 0; ; offset += pageSize) {
    const rows = await store.query<Row>(
      `SELECT prediction_id, ts_ms, num_names, num_values, cat_names, cat_values, missing_names FROM predictions FINAL
       WHERE model = ${sqlString(model)} ORDER BY ts_ms, prediction_id LIMIT ${pageSize} OFFSET ${offset}`,
    );
    for (const r of rows) {
      const features: Prediction['features'] = {};
      r.num_names.forEach((n, i) => (features[n] = r.num_values[i]));
      r.cat_names.forEach((n, i) => (features[n] = r.cat_values[i]));
      for (const n of r.missing_names) features[n] = null;
      yield { model, modelVersion: '', predictionId: r.prediction_id, timestamp: Number(r.ts_ms), features, prediction: null, label: null, metadata: null };
    }
    if (rows.length < pageSize) return;
  }
}
