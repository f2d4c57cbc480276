// The detection policy over closed windows, shared by replay and the live evaluator: per window, each
// (model, feature) gets its PSI and each model its accuracy when labels are in; one sequential test per
// stream decides; the decisions go to the alert lifecycle.
import type { StreamDecision } from '../alerting/lifecycle.js';
import { streamArl0 } from '../alerting/budget.js';
import { MetricDropTest, PsiDriftTest, RateRiseTest, type SequentialDriftTest, type SequentialTestSnapshot } from '../detect/index.js';
import type { AlertPolicy } from './policy.js';
import { toleranceFor } from './policy.js';
import { qualityStreamCount, qualityWindows } from './quality-streams.js';
import type { ModelReference } from './reference.js';
import { alignBins, psiOfBins } from './statistics.js';
import type { WindowSummary } from './windows.js';
import { segmentStream } from '../alerting/segment.js';

/** One stream's statistic in one window, with the test's state after it (drift_results, /metrics). */
export interface StreamResult {
  model: string;
  feature: string;
  statistic: 'psi' | 'accuracy' | 'out_of_range_rate' | 'unseen_rate';
  value: number;
  rows: number;
  phase: 'watching' | 'drifting';
  /** ln of the sequential evidence and of the threshold that ends the phase */
  logEvidence: number;
  logThreshold: number;
}

export interface JudgedWindow {
  results: StreamResult[];
  decisions: StreamDecision[];
}

/** Which of a window's streams one call judges. */
export interface JudgedParts {
  inputs: boolean;
  quality: boolean;
}
const BOTH: JudgedParts = { inputs: true, quality: true };
export const INPUTS_ONLY: JudgedParts = { inputs: true, quality: false };
export const QUALITY_ONLY: JudgedParts = { inputs: false, quality: true };

/** Feature name used for the accuracy stream of a model. */
export const ACCURACY_STREAM = '__accuracy__';

function fmt(x: number): string {
  return Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toExponential(2);
}

function expFmt(logValue: number): string {
  return logValue > 700 ? `e^${logValue.toFixed(0)}` : Math.exp(logValue).toPrecision(3);
}

export class WindowJudge {
  readonly arl0: number;
  /** streams the false-page budget is split over */
  readonly streams: number;
  private readonly tests = new Map<string, SequentialDriftTest<never>>();

  /**
   * `segments`: per model, how many segments its windows can have at most (segment features × (top N + 1)); each
   * segment has its own input streams (features and data quality; no accuracy), and the budget is split over them too.
   */
  constructor(private readonly references: Map<string, ModelReference>, private readonly policy: AlertPolicy, readonly windowMs: number, segments: ReadonlyMap<string, number> = new Map()) {
    const inputs = (r: ModelReference) => Object.keys(r.features).length + qualityStreamCount(r);
    const counted = [...references.values()].reduce((n, r) => n + inputs(r) + (r.accuracy ? 1 : 0) + (segments.get(r.model) ?? 0) * inputs(r), 0);
    this.streams = Math.max(1, policy.streams ?? counted);
    this.arl0 = streamArl0({ days: policy.falsePageDays, streams: this.streams, windowMs });
  }

  private common(): { arl0: number; hysteresis: number; resolveArl0: number } {
    return { arl0: this.arl0, hysteresis: this.policy.hysteresis, resolveArl0: this.policy.resolveEvidence };
  }

  private test<T extends SequentialDriftTest<never>>(key: string, make: () => T): T {
    let t = this.tests.get(key) as T | undefined;
    if (!t) {
      t = make();
      this.tests.set(key, t);
    }
    return t;
  }

  /** Whether the model's quality streams wait for labels (label-gate) instead of taking each window at once. */
  hasQuality(model: string): boolean {
    return this.references.get(model)?.accuracy !== undefined;
  }

  /**
   * One window through the model's tests: its input streams (features) and its quality streams (accuracy), or only
   * one of the two — the live service and replay take a window's inputs when it closes and its quality once its
   * labels have landed (detect/label-gate.ts).
   */
  judge(w: WindowSummary, parts: JudgedParts = BOTH, reference?: ModelReference): JudgedWindow {
    // `reference`: a segment compared with its own baseline profile (evaluate/segment-reference.ts)
    const ref = reference ?? this.references.get(w.model);
    const out: JudgedWindow = { results: [], decisions: [] };
    if (!ref) return out;
    const common = this.common();
    if (parts.inputs) this.judgeInputs(w, ref, out);
    if (parts.quality && ref.accuracy && w.labeled >= this.policy.minRows) {
      const value = w.correct / w.labeled;
      const tolerance = toleranceFor(this.policy, w.model, null, 'accuracyDrop');
      const t = this.test(`${w.model}\u0000${ACCURACY_STREAM}`, () => new MetricDropTest({ ...common, tolerance })) as unknown as MetricDropTest;
      t.update({ value, rows: w.labeled, baseline: ref.accuracy.value, baselineRows: ref.accuracy.rows }, w.end);
      this.collect(out, t, { model: w.model, feature: ACCURACY_STREAM, statistic: 'accuracy', value, rows: w.labeled }, w, ref);
    }
    return out;
  }

  private judgeInputs(w: WindowSummary, ref: ModelReference, out: JudgedWindow): void {
    const common = this.common();
    // a segment's streams: their own tests (the segment after the statistic in the key), named feature{segment}
    const key = (feature: string, statistic: string) => `${w.model}\u0000${feature}\u0000${statistic}${w.segment === undefined ? '' : `\u0000${w.segment}`}`;
    const named = (feature: string) => (w.segment === undefined ? feature : segmentStream(feature, w.segment));
    for (const [feature, fref] of Object.entries(ref.features)) {
      const counts = w.features[feature];
      if (!counts || w.rows < this.policy.minRows) continue;
      const bins = alignBins(fref, counts);
      const psi = psiOfBins(bins);
      const tolerance = toleranceFor(this.policy, w.model, feature, 'psi');
      const t = this.test(key(feature, 'psi'), () => new PsiDriftTest({ ...common, tolerance })) as unknown as PsiDriftTest;
      t.update({ psi, rows: w.rows, baselineRows: ref.rows, bins: bins.reference.length }, w.end);
      this.collect(out, t, { model: w.model, feature: named(feature), statistic: 'psi', value: psi, rows: w.rows }, w, ref);
    }
    for (const q of w.rows >= this.policy.minRows ? qualityWindows(ref, w) : []) {
      const tolerance = toleranceFor(this.policy, w.model, q.feature, 'dataQuality');
      const t = this.test(key(q.feature, q.statistic), () => new RateRiseTest({ ...common, tolerance })) as unknown as RateRiseTest;
      t.update({ rate: q.rate, rows: q.rows, expected: q.expected }, w.end);
      this.collect(out, t, { model: w.model, feature: named(q.feature), statistic: q.statistic, value: q.rate, rows: q.rows }, w, ref, q.expected);
    }
  }

  private collect(out: JudgedWindow, t: PsiDriftTest | MetricDropTest | RateRiseTest, r: Omit<StreamResult, 'phase' | 'logEvidence' | 'logThreshold'>, w: WindowSummary, ref: ModelReference, expected = 0): void {
    out.results.push({ ...r, phase: t.phase, logEvidence: t.evidence, logThreshold: t.threshold });
    if (!t.driftDetected && !t.resolved) return;
    const decided = t.decisionEvidence ?? Number.NaN;
    const threshold = t.driftDetected ? Math.log(this.arl0) : Math.log(this.policy.resolveEvidence);
    const psi = r.statistic === 'psi';
    const quality = r.statistic === 'out_of_range_rate' || r.statistic === 'unseen_rate';
    const share = r.statistic === 'out_of_range_rate' ? 'out-of-range share' : 'unseen-category share';
    const what = psi ? `PSI ${fmt(r.value)}` : quality ? `${share} ${fmt(r.value)} (expected ${fmt(expected)})` : `accuracy ${fmt(r.value)} (baseline ${fmt(ref.accuracy?.value ?? NaN)})`;
    const unit = psi ? 'PSI' : quality ? `${share} rise` : 'accuracy drop';
    const over = `over ${r.rows} rows${w.segment === undefined ? '' : ` of segment ${w.segment}`}`;
    const reason = t.driftDetected
      ? `${what} ${over}: evidence that ${unit} > ${t.tolerance} reached ${expFmt(decided)} ≥ ${expFmt(threshold)} (1 false page per ${this.policy.falsePageDays} days across all streams) after ${t.windows} windows; baseline ${ref.rows} rows`
      : `${what} ${over}: evidence that ${unit} < ${fmt(t.hysteresis * t.tolerance)} reached ${expFmt(decided)} ≥ ${expFmt(threshold)}`;
    out.decisions.push({
      model: r.model,
      feature: r.feature,
      // its own kind: a quality alert and the PSI alert of one feature raise and resolve apart (alert ids differ)
      kind: psi ? 'feature_drift' : quality ? 'data_quality' : 'metric_drop',
      outcome: t.driftDetected ? 'raised' : 'resolved',
      statistic: r.statistic,
      value: r.value,
      reason,
      severity: psi || quality ? this.policy.severity.featureDrift : this.policy.severity.metricDrop,
      window: { start: w.start, end: w.end },
      baselineVersion: ref.baselineVersion,
      evidence: { logEvidence: decided, logThreshold: threshold, tolerance: t.tolerance, windows: t.windows, rows: r.rows, baselineRows: psi || quality ? ref.rows : (ref.accuracy?.rows ?? 0) },
    });
  }

  /** Every stream's test state, to persist between runs of the service. */
  snapshot(): Record<string, SequentialTestSnapshot> {
    return Object.fromEntries([...this.tests].map(([k, t]) => [k, t.snapshot()]));
  }

  restore(state: Record<string, SequentialTestSnapshot>): this {
    const common = this.common();
    for (const [key, s] of Object.entries(state)) {
      const [model, feature] = key.split('\u0000');
      const t = s.kind === 'psi'
        ? new PsiDriftTest({ ...common, tolerance: toleranceFor(this.policy, model, feature, 'psi') })
        : s.kind === 'rate_rise'
          ? new RateRiseTest({ ...common, tolerance: toleranceFor(this.policy, model, feature, 'dataQuality') })
          : new MetricDropTest({ ...common, tolerance: toleranceFor(this.policy, model, null, 'accuracyDrop') });
      this.tests.set(key, t.restore(s) as unknown as SequentialDriftTest<never>);
    }
    return this;
  }
}
