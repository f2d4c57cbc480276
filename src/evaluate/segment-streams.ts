// The segments' streams in the sequential tests and on /metrics (issue 17): each segment × feature is its own stream
// (replay/judge.ts keys it by segment), counted in the false-page budget as the most segments a window can have.
import type { StreamDecision } from '../alerting/lifecycle.js';
import type { BaselineProfile } from '../baseline/index.js';
import { INPUTS_ONLY, type WindowJudge } from '../replay/index.js';
import { observeEstimate } from '../telemetry/estimate-metrics.js';
import type { EvaluateMetrics } from '../telemetry/evaluate-metrics.js';
import { withMultivariateCounts } from './estimate-window.js';
import { DEFAULT_SEGMENT_TOP, type ModelDeclaration } from './models.js';
import type { WindowPlan } from './plan.js';
import { observeQuality } from './quality-gauges.js';
import { segmentModelReference } from './segment-reference.js';
import type { WindowEvaluation } from './results.js';
import { windowSummary } from './window-stats.js';

const NO_LABELS = { rows: 0, labelled: 0, correct: 0, tp: 0, fp: 0, tn: 0, fn: 0, numericRows: 0, absError: 0, squaredError: 0, labelsAt: 0 };

/** The most segments one window of the model can have: per segment feature its top N and the rest. */
export function segmentStreams(model: Pick<ModelDeclaration, 'segments' | 'segmentTop'>): number {
  return (model.segments?.length ?? 0) * ((model.segmentTop ?? DEFAULT_SEGMENT_TOP) + 1);
}

/**
 * Each segment's window through its own input streams; their decisions name the segment (feature{segment}). `profile`:
 * the model's baseline, whose segment profiles are the references of segments compared with their own.
 */
export function judgeSegments(judge: WindowJudge, plan: WindowPlan, e: WindowEvaluation, profile?: BaselineProfile): StreamDecision[] {
  const decisions: StreamDecision[] = [];
  for (const s of e.segments ?? []) {
    const summary = withMultivariateCounts(windowSummary(plan, e.start, e.end, s.rows, s.features, NO_LABELS), s.estimate);
    // a segment compared with its own profile is tested against its bins and rows, not the model's
    const reference = s.reference === 'segment' && profile ? segmentModelReference(profile, s) : undefined;
    decisions.push(...judge.judge({ ...summary, segment: s.name }, INPUTS_ONLY, reference).decisions);
  }
  return decisions;
}

/**
 * The segments' gauges: the features' series with a `segment` label (whole-model series keep theirs); the series of
 * the model's segments this window did not produce are removed (telemetry/segment-series.ts).
 */
export function observeSegments(m: EvaluateMetrics, e: WindowEvaluation): void {
  for (const s of e.segments ?? []) {
    m.windowRows.set({ model: e.model, segment: s.name }, s.rows);
    const q = s.quality;
    if (q && q.accuracy !== null) m.accuracy.set({ model: e.model, segment: s.name }, q.accuracy);
    if (q && q.labelCoverage !== null) m.labelCoverage.set({ model: e.model, segment: s.name }, q.labelCoverage);
    for (const f of s.features) {
      const labels = { model: e.model, feature: f.feature, segment: s.name };
      if (f.psi !== null) m.psi.set(labels, f.psi);
      if (f.ksStatistic !== null) m.ksStatistic.set(labels, f.ksStatistic);
      if (f.jsDistance !== null) m.jsDistance.set(labels, f.jsDistance);
      if (f.missingRate !== null) m.missingRatio.set(labels, f.missingRate);
      observeQuality(m, labels, f);
    }
    if (m.estimate && s.estimate) observeEstimate(m.estimate, e.model, s.estimate, s.name);
  }
  m.segmentSeries.keep(e.model, (e.segments ?? []).map((s) => ({ name: s.name, features: s.features.map((f) => f.feature) })));
}
