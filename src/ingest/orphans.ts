// Labels for a prediction driftwatch never saw: stored (the prediction may be a producer's bug, or still on its
// way), but counted, because a label that matches nothing never reaches an accuracy. One cheap periodic query over
// the labels ingested in a time slice, looked up among the predictions of the week before.
import { sqlDateTime, type Store } from '../store/index.js';

/** Predictions older than this before a label arrived are not looked for (labels come within the label horizon). */
export const ORPHAN_LOOKBACK_MS = 7 * 86_400_000;

/** Orphan labels per model among those ingested in [fromMs, toMs) (whole seconds). */
export async function orphanLabels(store: Store, fromMs: number, toMs: number): Promise<Array<{ model: string; orphans: number }>> {
  const rows = await store.query<{ model: string; orphans: string | number }>(
    `SELECT model, uniqExact(prediction_id) AS orphans FROM labels
     WHERE ingested_at >= ${sqlDateTime(fromMs)} AND ingested_at < ${sqlDateTime(toMs)}
       AND (model, prediction_id) NOT IN (SELECT model, prediction_id FROM predictions WHERE ts >= ${sqlDateTime(fromMs - ORPHAN_LOOKBACK_MS)})
     GROUP BY model ORDER BY model`,
  );
  return rows.map((r) => ({ model: r.model, orphans: Number(r.orphans) }));
}
