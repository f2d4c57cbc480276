// `driftwatch report`: a self-contained HTML drift report (summary in words, per-feature baseline vs current charts,
// drift and quality over time, alerts) built from aggregates only, charts as inline SVG rendered by Vega.
export { bySeverity, type ReportModel, type FeatureSection, type NumericHistogram, type CategoryBars, type WindowPoint, type QualityPoint, type AlertLine } from './model.js';
export { numericHistogram, categoryBars, displayEdges, histogramOf, DISPLAY_BINS } from './histogram.js';
export { offlineReport, featureSection, type OfflineOptions } from './offline.js';
export { storeReport, qualityPoints, DEFAULT_RANGE_MS, type StoreReportOptions } from './store-report.js';
export { replayWindowRows, replayAlertLine } from './replay.js';
export { type DriftRow } from './store-queries.js';
export { summaryLines } from './words.js';
export { renderReport, escapeHtml } from './html.js';
export { writeReport, type ReportSource } from './write.js';
