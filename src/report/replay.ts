// The report of an in-process replay (what `driftwatch demo` runs): its per-window results and alert events in the
// shapes the report reads from drift_results and alert_events, so the same page comes out without a round trip.
import type { AlertEvent } from '../alerting/alert.js';
import type { StreamResult, WindowSummary } from '../replay/index.js';
import type { AlertLine } from './model.js';
import type { DriftRow } from './store-queries.js';

/** One window's stream results; accuracy rows count labelled rows, and the window's size rides along for coverage. */
export function replayWindowRows(w: WindowSummary, results: StreamResult[]): DriftRow[] {
  const rows: DriftRow[] = [{ feature: '__window__', start: w.start, end: w.end, statistic: 'rows', value: w.rows, n: w.rows, pValue: null, details: {} }];
  for (const r of results) {
    rows.push({ feature: r.feature, start: w.start, end: w.end, statistic: r.statistic, value: r.value, n: r.rows, pValue: null, details: { phase: r.phase } });
  }
  return rows;
}

export function replayAlertLine(e: AlertEvent): AlertLine {
  return { at: e.at, feature: e.feature, kind: e.kind, status: e.status, statistic: e.statistic, value: e.value, reason: e.reason };
}
