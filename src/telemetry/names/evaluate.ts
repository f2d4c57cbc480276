// Metric names of the window evaluator; dashboards and alert rules import these, never literals.
// Feature gauges are labelled model, feature; model gauges model.
export const FEATURE_PSI = 'driftwatch_feature_psi';
export const FEATURE_KS_STATISTIC = 'driftwatch_feature_ks_statistic';
export const FEATURE_JS_DISTANCE = 'driftwatch_feature_js_distance';
export const FEATURE_MISSING_RATIO = 'driftwatch_feature_missing_ratio';
export const FEATURE_HELLINGER = 'driftwatch_feature_hellinger';
export const FEATURE_OUT_OF_RANGE_RATIO = 'driftwatch_feature_out_of_range_ratio';
export const FEATURE_UNSEEN_RATIO = 'driftwatch_feature_unseen_ratio';
export const FEATURE_TYPE_MISMATCH_RATIO = 'driftwatch_feature_type_mismatch_ratio';
export const MODEL_ACCURACY = 'driftwatch_model_accuracy';
export const LABEL_COVERAGE_RATIO = 'driftwatch_label_coverage_ratio';
export const WINDOW_ROWS = 'driftwatch_window_rows';
export const LAST_EVALUATED_WINDOW_END_SECONDS = 'driftwatch_last_evaluated_window_end_seconds';
export const EVALUATION_SECONDS = 'driftwatch_evaluation_seconds';
export const EVALUATIONS_TOTAL = 'driftwatch_evaluations_total';
/** windows whose accuracy the label gate let go, by outcome (judged | unlabelled), and those still awaiting labels */
export const LABELLED_WINDOWS_TOTAL = 'driftwatch_labelled_windows_total';
export const WINDOWS_AWAITING_LABELS = 'driftwatch_windows_awaiting_labels';
// Estimated quality before labels (CBPE) and multivariate drift, per model (estimate-metrics.ts).
export const MODEL_ESTIMATED_ACCURACY = 'driftwatch_model_estimated_accuracy';
export const MODEL_ESTIMATED_PRECISION = 'driftwatch_model_estimated_precision';
export const MODEL_ESTIMATED_RECALL = 'driftwatch_model_estimated_recall';
export const MODEL_ESTIMATED_F1 = 'driftwatch_model_estimated_f1';
export const MODEL_ESTIMATED_ROC_AUC = 'driftwatch_model_estimated_roc_auc';
export const MODEL_ESTIMATION_ERROR = 'driftwatch_model_estimation_error';
export const MODEL_RECONSTRUCTION_ERROR = 'driftwatch_model_reconstruction_error';
export const MODEL_MULTIVARIATE_DRIFT = 'driftwatch_model_multivariate_drift';
