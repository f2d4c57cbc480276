// `driftwatch report`: a self-contained HTML drift report (summary in words, per-feature baseline vs current charts,
// drift and quality over time, alerts) built from aggregates only. Charts: Vega-Lite specs rendered to static SVG by
// Vega in Node (`view.toSVG()`, no DOM, no canvas), so the page carries no script and fetches nothing; Vega is
// maintained (v6, 2025), declarative (specs are data the tests inspect) and covers histograms, grouped bars, layered
// time series and dual axes without hand-drawn geometry.
export { bySeverity, type ReportModel, type FeatureSection, type NumericHistogram, type CategoryBars, type WindowPoint, type QualityPoint, type AlertLine } from './model.js';
export { numericHistogram, categoryBars, displayEdges, histogramOf, DISPLAY_BINS } from './histogram.js';
export { offlineReport, featureSection, type OfflineOptions } from './offline.js';
export { storeReport, qualityPoints, DEFAULT_RANGE_MS, type StoreReportOptions } from './store-report.js';
export { replayWindowRows, replayAlertLine } from './replay.js';
export { type DriftRow } from './store-queries.js';
export { summaryLines } from './words.js';
export { renderReport, escapeHtml } from './html.js';
export { writeReport, type ReportSource } from './write.js';
