// Windowed drift and quality evaluation pushed down into ClickHouse: model declarations, the plans derived from
// baselines, the push-down SQL, the statistics over its aggregates, the evaluator (evaluateWindow, tick) and its rows.
export { ModelRegistry, readModel, readModels, writeModel, parseModelsYaml, declareModel, checkModelId, MODEL_DEFAULTS, type ModelDeclaration } from './models.js';
export { fixedBaselines, storedBaselines, type BaselineSource } from './baselines.js';
export { planFromBaseline, segmentedPlan, FLAT_KEYS, MIN_SEGMENT_GRID_CELLS, slotOf, gridCell, slotsPerCell, GRID_CELLS, MAX_GRID_CELLS, PREDICTION_FEATURE, type Grid, type WindowPlan, type NumericPlan, type CategoricalPlan, type FeaturePlan } from './plan.js';
export { LayoutBook, MAX_LAYOUTS, type SpanShape, type LayoutNames } from './shape.js';
export { valueOf, layoutHashes, numericCountsSql, categoryCountsSql, qualitySql, layoutsSql, layoutNamesSql, duplicatesSql, labelsPresentSql, labelArrivalsSql, keyLayout, keySpace, type KeyLayout, type SegmentKeys, type FeatureLayout, type WindowRange } from './sql.js';
export { numericCounts, numericResult, psiCounts, categoricalResult, qualityResult, windowSummary, type FeatureResult, type QualityCounts, type QualityResult } from './window-stats.js';
export { driftResultRows, evaluationRow, jsonLines, QUALITY_FEATURE, WINDOW_FEATURE, type WindowEvaluation, type DriftResultRow } from './results.js';
export { Evaluator, timeSlices, type EvaluatorOptions, type TickReport, type JudgeState } from './evaluator.js';
export { readResults, type ResultQuery, type StoredResult } from './read.js';
