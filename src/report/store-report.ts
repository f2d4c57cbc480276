// The report of `driftwatch report --model`: what the live evaluator wrote (drift_results per window, alert_events)
// over a time range, the model's baseline, and current histograms aggregated inside ClickHouse.
import { referenceFromBaseline, type ColumnReference } from '../baseline/index.js';
import { InputError } from '../domain/index.js';
import { LayoutBook, PREDICTION_FEATURE } from '../evaluate/index.js';
import { ACCURACY_STREAM } from '../replay/index.js';
import { DEFAULT_DRIFT_RULE, type DriftRule } from '../stats/index.js';
import type { Store } from '../store/index.js';
import { estimatePoints, multivariatePoints } from './estimates.js';
import { categoryBars, displayEdges, foldBin, histogramOf, DISPLAY_BINS, RANGE_TAIL } from './histogram.js';
import { bySeverity, type AlertLine, type FeatureSection, type QualityPoint, type ReportModel, type WindowPoint } from './model.js';
import { readAlertEvents, readBaseline, readCategoryCounts, readDriftResults, readNumericBins, readNumericRanges, type DriftRow, type Range } from './store-queries.js';
import { number, psiSize, utc } from './words.js';
import { qualityOfWindows } from './quality.js';

export const DEFAULT_RANGE_MS = 7 * 24 * 3_600_000;

/**
 * Rows of drift_results that are not features: the evaluator's window and quality rows (src/evaluate/results.ts:
 * `__window__` with statistic "rows", `__quality__` with accuracy, f1, rmse, … and label_coverage) and replay's
 * accuracy stream (`__accuracy__`).
 */
const WINDOW_FEATURE = '__window__';
const QUALITY_FEATURES = new Set(['__quality__', ACCURACY_STREAM]);
/** the quality metric drawn over time: the first of these the model has */
const QUALITY_METRICS = ['accuracy', 'auc', 'roc_auc', 'f1', 'rmse', 'mae', 'precision', 'recall', 'log_loss'];

export interface StoreReportOptions {
  model: string;
  /** epoch ms; defaults to `to` − 7 days */
  from?: number;
  /** epoch ms; defaults to now */
  to?: number;
  /** epoch ms: the report's clock */
  now: number;
  rule?: DriftRule;
  /** windows and alerts already in memory (an in-process replay): used instead of reading drift_results and alert_events */
  history?: { results: DriftRow[]; alerts: AlertLine[] };
}

const isFeature = (r: WindowPoint) => !(r.feature.startsWith('__') && r.feature.endsWith('__'));

/** Quality per window with label coverage: labelled rows (the metric's n) over the window's predictions. */
export function qualityPoints(rows: WindowPoint[]): QualityPoint[] {
  const quality = rows.filter((r) => QUALITY_FEATURES.has(r.feature));
  const metric = QUALITY_METRICS.find((m) => quality.some((r) => r.statistic === m));
  if (!metric) return [];
  const windowRows = new Map<number, number>();
  const seen = (start: number, n: number) => windowRows.set(start, Math.max(windowRows.get(start) ?? 0, n));
  for (const r of rows) {
    if (r.feature === WINDOW_FEATURE && r.statistic === 'rows') seen(r.start, r.n);
    else if (r.statistic === 'label_coverage' || isFeature(r)) seen(r.start, r.n);
  }
  return quality
    .filter((r) => r.statistic === metric)
    .map((r) => ({ start: r.start, end: r.end, metric, value: r.value, labeled: r.n, rows: Math.max(windowRows.get(r.start) ?? 0, r.n) }));
}

function lastAlert(alerts: AlertLine[], feature: string): AlertLine | undefined {
  for (let i = alerts.length - 1; i >= 0; i--) if (alerts[i].feature === feature) return alerts[i];
  return undefined;
}

/** One feature from its windows: latest PSI and test, drifted while its alert fires (or its test says drifting). */
export function featureFromWindows(name: string, kind: 'numeric' | 'categorical', rows: DriftRow[], alerts: AlertLine[], nReference: number): FeatureSection {
  const psi = rows.filter((r) => r.feature === name && r.statistic === 'psi');
  const latest = psi[psi.length - 1];
  const test = [...rows].reverse().find((r) => r.feature === name && (r.statistic === 'ks' || r.statistic === 'chi2') && r.pValue !== null);
  const js = [...rows].reverse().find((r) => r.feature === name && r.statistic === 'js');
  const alert = lastAlert(alerts, name);
  const drifted = alert ? alert.status === 'firing' : latest?.details.phase === 'drifting';
  let reason: string;
  if (!latest) reason = 'no drift results for this feature in the range';
  else {
    const mean = psi.reduce((s, r) => s + r.value, 0) / psi.length;
    const max = psi.reduce((m, r) => Math.max(m, r.value), 0);
    const summary = `latest window (${utc(latest.start)}) PSI ${number(latest.value)} over ${latest.n} rows (${psiSize(latest.value)}); over ${psi.length} windows mean ${number(mean)}, max ${number(max)}`;
    reason = alert ? `${alert.status === 'firing' ? 'alert firing' : 'alert resolved'} since ${utc(alert.at)}: ${alert.reason}. ${summary}` : `${summary}; no alert.`;
  }
  return {
    name,
    kind,
    drifted,
    reason,
    psi: latest?.value ?? 0,
    test: test ? { name: test.statistic === 'ks' ? 'KS' : 'chi2', statistic: test.value, pValue: test.pValue! } : undefined,
    jsDistance: js?.value,
    quality: qualityOfWindows(name, rows),
    nReference,
    nCurrent: latest?.n ?? 0,
  };
}

async function histograms(store: Store, range: Range, reference: Map<string, ColumnReference>): Promise<Map<string, FeatureSection['histogram']>> {
  const out = new Map<string, FeatureSection['histogram']>();
  const numeric = [...reference].filter(([, c]) => c.kind === 'numeric');
  const categorical = [...reference].filter(([, c]) => c.kind === 'categorical').map(([name]) => name);
  // the evaluator's fast paths: FINAL only when the range holds duplicates, features by position from the layouts
  const shape = await new LayoutBook(store).shape({ model: range.model, start: range.from, end: range.to });
  // the categorical counts do not depend on the numeric range: ask for them at the same time
  const categoryQuery = readCategoryCounts(store, range, categorical, shape.final);
  categoryQuery.catch(() => undefined); // its failure is raised where it is awaited, not as an unhandled rejection
  const names = numeric.map(([name]) => name);
  const ranges = numeric.length > 0 ? await readNumericRanges(store, range, RANGE_TAIL, names, shape) : new Map();
  const edges = new Map<string, number[]>();
  for (const [name, c] of numeric) if (c.kind === 'numeric' && ranges.has(name)) edges.set(name, displayEdges(c.distribution, ranges.get(name), DISPLAY_BINS));
  const counts = await readNumericBins(store, range, edges, 2, shape);
  for (const [name, e] of edges) {
    const c = reference.get(name)!;
    if (c.kind !== 'numeric') continue;
    const bins = new Array<number>(DISPLAY_BINS).fill(0);
    let clipped = 0;
    for (const [raw, count] of counts.get(name) ?? []) {
      const f = foldBin(raw, DISPLAY_BINS);
      bins[f.bin] += count;
      if (f.clipped) clipped += count;
    }
    out.set(name, histogramOf(c.distribution, e, bins, clipped));
  }
  const categories = await categoryQuery;
  for (const name of categorical) {
    const c = reference.get(name)!;
    const current = categories.get(name);
    if (c.kind === 'categorical' && current) out.set(name, categoryBars(c.frequencies, current));
  }
  return out;
}

export async function storeReport(store: Store, options: StoreReportOptions): Promise<ReportModel> {
  const to = options.to ?? options.now;
  const from = options.from ?? to - DEFAULT_RANGE_MS;
  if (!(from < to)) throw new InputError(`--from (${utc(from)}) must be before --to (${utc(to)})`);
  const range: Range = { model: options.model, from, to };
  const rule = options.rule ?? DEFAULT_DRIFT_RULE;
  const inRange = <T>(items: T[], at: (x: T) => number) => items.filter((x) => at(x) >= from && at(x) < to);
  const [stored, alerts, baseline] = await Promise.all([
    options.history ? inRange(options.history.results, (r) => r.start) : readDriftResults(store, range),
    options.history ? inRange(options.history.alerts, (a) => a.at) : readAlertEvents(store, range),
    readBaseline(store, options.model),
  ]);
  // the evaluator reports the model's output as a stream of its own: show it under the baseline's name for it
  const predictionName = baseline?.prediction?.column ?? 'prediction';
  const rows = stored.map((r) => (r.feature === PREDICTION_FEATURE ? { ...r, feature: predictionName } : r));
  const notes: string[] = [];
  const reference = baseline ? referenceFromBaseline(baseline, `baseline ${baseline.version}`).columns : new Map<string, ColumnReference>();
  if (!baseline) notes.push(`No baseline for model ${options.model} in ClickHouse: histograms need one (driftwatch baseline build --store).`);
  const names = new Set([...reference.keys(), ...rows.filter(isFeature).map((r) => r.feature)]);
  if (baseline?.prediction && !rows.some((r) => r.feature === predictionName)) names.delete(baseline.prediction.column);
  const shown = await histograms(store, range, new Map([...reference].filter(([name]) => names.has(name))));
  const features = [...names].map((name) => {
    const ref = reference.get(name);
    const section = featureFromWindows(name, ref?.kind ?? 'numeric', rows, alerts, baseline ? (ref?.kind === 'numeric' ? ref.count + ref.missing : baseline.rows) : 0);
    return { ...section, histogram: shown.get(name) };
  });
  if (rows.length === 0) notes.push(`No drift results for model ${options.model} between ${utc(from)} and ${utc(to)}: is the evaluator running (driftwatch serve / evaluate)?`);
  const approximate = features.filter((f) => f.histogram?.kind === 'numeric' && f.histogram.approximate).length;
  if (approximate > 0) notes.push(`${approximate} baseline histogram${approximate === 1 ? ' is' : 's are'} drawn from the baseline's quantiles (the baseline keeps no full sample).`);
  return {
    title: `Drift report — model ${options.model}`,
    source: `ClickHouse database ${store.database}${baseline ? `, baseline ${baseline.version} (${baseline.rows} rows)` : ''}`,
    generatedAt: options.now,
    range: { from, to },
    rule,
    decisionRule:
      'A feature counts as drifted while its drift alert fires: a sequential test per feature accumulates evidence window after window and pages only once the evidence that PSI exceeds its tolerance passes the false-page budget.',
    features: features.sort(bySeverity),
    timeline: rows.filter(isFeature).map(({ feature, start, end, statistic, value, n }) => ({ feature, start, end, statistic, value, n })),
    quality: qualityPoints(rows),
    estimates: estimatePoints(rows),
    multivariate: multivariatePoints(rows),
    alerts,
    notes,
  };
}
