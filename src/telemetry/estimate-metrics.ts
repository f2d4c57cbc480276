// Gauges of a window's estimates: quality expected before labels, how far it was off once labels landed, and the
// multivariate reconstruction error with its verdict.
import { Gauge, type Registry } from 'prom-client';
import type { WindowEstimate } from '../evaluate/estimate-window.js';
import { ESTIMATED_METRICS, type QualityName } from '../estimate/index.js';
import * as N from './names/evaluate.js';

export interface EstimateMetrics {
  estimated: Record<QualityName, Gauge<'model' | 'segment'>>;
  estimationError: Gauge<'model' | 'metric' | 'segment'>;
  reconstructionError: Gauge<'model' | 'segment'>;
  multivariateDrift: Gauge<'model' | 'segment'>;
}

const NAMES: Record<QualityName, [string, string]> = {
  accuracy: [N.MODEL_ESTIMATED_ACCURACY, 'accuracy'],
  precision: [N.MODEL_ESTIMATED_PRECISION, 'precision'],
  recall: [N.MODEL_ESTIMATED_RECALL, 'recall'],
  f1: [N.MODEL_ESTIMATED_F1, 'f1'],
  rocAuc: [N.MODEL_ESTIMATED_ROC_AUC, 'roc_auc'],
};

/** The `metric` label values of the estimation error gauge. */
export const ESTIMATED_METRIC_LABELS: readonly string[] = Object.values(NAMES).map(([, label]) => label);

export function estimateMetrics(registry: Registry): EstimateMetrics {
  const registers = [registry];
  const estimated = Object.fromEntries(
    ESTIMATED_METRICS.map((m) => [m, new Gauge({ name: NAMES[m][0], help: `Estimated ${NAMES[m][1]} of the last evaluated window from calibrated scores (CBPE), before labels.`, labelNames: ['model', 'segment'], registers })]),
  ) as Record<QualityName, Gauge<'model' | 'segment'>>;
  return {
    estimated,
    estimationError: new Gauge({ name: N.MODEL_ESTIMATION_ERROR, help: 'Estimated minus realized quality of the last window evaluated with labels, by metric (of a segment with `segment`).', labelNames: ['model', 'metric', 'segment'], registers }),
    reconstructionError: new Gauge({ name: N.MODEL_RECONSTRUCTION_ERROR, help: 'Mean PCA reconstruction error of the last evaluated window (multivariate drift).', labelNames: ['model', 'segment'], registers }),
    multivariateDrift: new Gauge({ name: N.MODEL_MULTIVARIATE_DRIFT, help: '1 when the last window\'s reconstruction error left the baseline mean +- 3 sigma, else 0.', labelNames: ['model', 'segment'], registers }),
  };
}

/** `segment`: a segment's estimates (evaluate/segment-streams.ts), on series of their own. */
export function observeEstimate(m: EstimateMetrics, model: string, e: WindowEstimate, segment?: string): void {
  const labels = segment === undefined ? { model } : { model, segment };
  if (e.performance) for (const q of ESTIMATED_METRICS) if (Number.isFinite(e.performance[q])) m.estimated[q].set(labels, e.performance[q]);
  if (e.error) for (const [q, d] of Object.entries(e.error.difference) as Array<[QualityName, number]>) m.estimationError.set({ model, metric: NAMES[q][1], ...(segment === undefined ? {} : { segment }) }, d);
  if (e.multivariate && Number.isFinite(e.multivariate.reconstruction_error)) {
    m.reconstructionError.set(labels, e.multivariate.reconstruction_error);
    m.multivariateDrift.set(labels, e.multivariate.drift ? 1 : 0);
  }
}
