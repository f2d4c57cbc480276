// Reads stored results back for the API: drift rows (features and prediction) or quality rows of a model's windows.
import type { Store } from '../store/client.js';
import { sqlDateTime, sqlString } from '../store/sql.js';
import { ESTIMATE_FEATURE } from './estimate-window.js';
import { QUALITY_FEATURE, WHOLE_MODEL_ROWS, WINDOW_FEATURE } from './results.js';

export interface ResultQuery {
  model: string;
  /** epoch ms; windows starting in [from, to) */
  from: number;
  to: number;
  kind: 'drift' | 'quality';
  limit?: number;
}

export interface StoredResult {
  feature: string;
  window_start: string;
  window_end: string;
  n: number;
  statistic: string;
  value: number;
  p_value: number | null;
  baseline_version: string;
  evaluated_at: string;
  details: Record<string, unknown>;
}

const iso = (s: unknown) => new Date(Number(s) * 1000).toISOString();

export async function readResults(store: Store, q: ResultQuery): Promise<StoredResult[]> {
  // quality: realized and estimated (before labels); drift: the features, the prediction and the multivariate error
  const quality = [QUALITY_FEATURE, WINDOW_FEATURE, ESTIMATE_FEATURE].map(sqlString).join(', ');
  const which = q.kind === 'quality' ? `feature IN (${quality})` : `feature NOT IN (${quality})`;
  const rows = await store.query<Record<string, unknown>>(
    `SELECT feature, toUInt32(window_start) AS ws, toUInt32(window_end) AS we, n, statistic, value, p_value, baseline_version, toUInt32(evaluated_at) AS ea, details
     FROM drift_results FINAL
     WHERE model = ${sqlString(q.model)} AND window_start >= ${sqlDateTime(q.from)} AND window_start < ${sqlDateTime(q.to)} AND ${which} AND ${WHOLE_MODEL_ROWS}
     ORDER BY window_start, feature, statistic LIMIT ${Math.max(1, Math.min(q.limit ?? 10_000, 100_000))}`,
  );
  return rows.map((r) => ({
    feature: String(r.feature),
    window_start: iso(r.ws),
    window_end: iso(r.we),
    n: Number(r.n),
    statistic: String(r.statistic),
    value: Number(r.value),
    p_value: r.p_value === null || r.p_value === undefined ? null : Number(r.p_value),
    baseline_version: String(r.baseline_version),
    evaluated_at: iso(r.ea),
    details: (() => {
      try {
        return JSON.parse(String(r.details || '{}')) as Record<string, unknown>;
      } catch {
        return {};
      }
    })(),
  }));
}
