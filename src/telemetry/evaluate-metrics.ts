// The window evaluator's metrics, created once per registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { estimateMetrics, ESTIMATED_METRIC_LABELS, type EstimateMetrics } from './estimate-metrics.js';
import { SegmentSeries } from './segment-series.js';
import * as N from './names/evaluate.js';

export interface EvaluateMetrics {
  psi: Gauge<'model' | 'feature' | 'segment'>;
  ksStatistic: Gauge<'model' | 'feature' | 'segment'>;
  jsDistance: Gauge<'model' | 'feature' | 'segment'>;
  missingRatio: Gauge<'model' | 'feature' | 'segment'>;
  hellinger: Gauge<'model' | 'feature' | 'segment'>;
  outOfRangeRatio: Gauge<'model' | 'feature' | 'segment'>;
  unseenRatio: Gauge<'model' | 'feature' | 'segment'>;
  typeMismatchRatio: Gauge<'model' | 'feature' | 'segment'>;
  accuracy: Gauge<'model' | 'segment'>;
  labelCoverage: Gauge<'model' | 'segment'>;
  windowRows: Gauge<'model' | 'segment'>;
  lastWindowEnd: Gauge<'model'>;
  seconds: Histogram<'kind'>;
  evaluations: Counter<'model' | 'kind' | 'outcome'>;
  labelledWindows: Counter<'model' | 'outcome'>;
  awaitingLabels: Gauge<'model'>;
  estimate?: EstimateMetrics;
  /** which segment series are on /metrics, so those of departed segments are removed (segment-series.ts) */
  segmentSeries: SegmentSeries;
}

export function evaluateMetrics(registry: Registry): EvaluateMetrics {
  const registers = [registry];
  // `segment` only on a segment's series (evaluate/segment-streams.ts); whole-model series carry model and feature
  const feature = ['model', 'feature', 'segment'] as const;
  const estimate = estimateMetrics(registry);
  const m: Omit<EvaluateMetrics, 'segmentSeries'> = {
    psi: new Gauge({ name: N.FEATURE_PSI, help: 'PSI of the feature in the last evaluated window against the baseline.', labelNames: feature, registers }),
    ksStatistic: new Gauge({ name: N.FEATURE_KS_STATISTIC, help: 'KS statistic (binned CDF, a lower bound of the exact D) in the last evaluated window.', labelNames: feature, registers }),
    jsDistance: new Gauge({ name: N.FEATURE_JS_DISTANCE, help: 'Jensen-Shannon distance (base 2) in the last evaluated window (deciles plus the baseline range as outer bins; per value for few distinct values).', labelNames: feature, registers }),
    hellinger: new Gauge({ name: N.FEATURE_HELLINGER, help: 'Hellinger distance in the last evaluated window (the same bins as the JS distance).', labelNames: feature, registers }),
    outOfRangeRatio: new Gauge({ name: N.FEATURE_OUT_OF_RANGE_RATIO, help: 'Share of the numeric feature\'s values outside the baseline\'s [min, max] in the last evaluated window.', labelNames: feature, registers }),
    unseenRatio: new Gauge({ name: N.FEATURE_UNSEEN_RATIO, help: 'Share of the categorical feature\'s values in categories the baseline never saw, in the last evaluated window.', labelNames: feature, registers }),
    typeMismatchRatio: new Gauge({ name: N.FEATURE_TYPE_MISMATCH_RATIO, help: 'Share of predictions whose value for the feature had another type than the baseline\'s (text for a numeric feature), in the last evaluated window.', labelNames: feature, registers }),
    missingRatio: new Gauge({ name: N.FEATURE_MISSING_RATIO, help: 'Share of predictions without a value for the feature in the last evaluated window.', labelNames: feature, registers }),
    accuracy: new Gauge({ name: N.MODEL_ACCURACY, help: 'Accuracy over the labelled predictions of the last window evaluated with labels (of a segment with `segment`).', labelNames: ['model', 'segment'], registers }),
    labelCoverage: new Gauge({ name: N.LABEL_COVERAGE_RATIO, help: 'Share of the last evaluated window\'s predictions that have a label (of a segment with `segment`).', labelNames: ['model', 'segment'], registers }),
    windowRows: new Gauge({ name: N.WINDOW_ROWS, help: 'Predictions in the last evaluated window (of a segment with `segment`).', labelNames: ['model', 'segment'], registers }),
    lastWindowEnd: new Gauge({ name: N.LAST_EVALUATED_WINDOW_END_SECONDS, help: 'End (unix seconds) of the newest evaluated window; alert when it stops moving.', labelNames: ['model'], registers }),
    seconds: new Histogram({ name: N.EVALUATION_SECONDS, help: 'Time to evaluate one window (push-down queries, statistics, writes), by kind (window|labels).', labelNames: ['kind'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers }),
    labelledWindows: new Counter({ name: N.LABELLED_WINDOWS_TOTAL, help: 'Windows whose accuracy entered the tests once labelled (judged) or never got enough labels by the label horizon (unlabelled).', labelNames: ['model', 'outcome'], registers }),
    awaitingLabels: new Gauge({ name: N.WINDOWS_AWAITING_LABELS, help: 'Evaluated windows whose accuracy still waits for labels (label coverage or horizon).', labelNames: ['model'], registers }),
    evaluations: new Counter({ name: N.EVALUATIONS_TOTAL, help: 'Window evaluations by model, kind (window|labels) and outcome (ok|empty|failed).', labelNames: ['model', 'kind', 'outcome'], registers }),
    estimate,
  };
  // every gauge with a `segment` label
  const segmentSeries = new SegmentSeries({
    byFeature: [m.psi, m.ksStatistic, m.jsDistance, m.missingRatio, m.hellinger, m.outOfRangeRatio, m.unseenRatio, m.typeMismatchRatio],
    byModel: [m.windowRows, m.accuracy, m.labelCoverage, ...Object.values(estimate.estimated), estimate.reconstructionError, estimate.multivariateDrift],
    byMetric: [{ gauge: estimate.estimationError, metrics: ESTIMATED_METRIC_LABELS }],
  });
  return { ...m, segmentSeries };
}
