// A sequential test of practical significance over the windows of one stream, with hysteresis.
//
// Watching: H0 "drift ≤ tolerance" against alternatives tolerance × {1.5, 2, 3, 5}; raises when the
// Shiryaev–Roberts evidence reaches arl0 (so, under H0, on average at most one false alarm per arl0 windows).
// Drifting: H0 "drift ≥ hysteresis × tolerance" against alternatives hysteresis × tolerance × {0, 0.5};
// resolves when that evidence reaches resolveArl0. Both nulls are composite; testing at their boundary is
// enough because the window likelihoods have a monotone likelihood ratio in the drift size.
import { MixtureEvidence, type EvidenceState } from './evidence.js';

export type DriftPhase = 'watching' | 'drifting';

export interface SequentialTestOptions {
  /** Largest drift that is not worth a page (same unit as the statistic, e.g. PSI 0.1). */
  tolerance: number;
  /** Average number of windows between false alarms this stream may cause, ≥ 1 (see alerting/budget.ts). */
  arl0: number;
  /** Resolve once the drift is confidently below hysteresis × tolerance; in (0, 1), default 0.5. */
  hysteresis?: number;
  /** Evidence needed to resolve (same scale as arl0); default 100. */
  resolveArl0?: number;
}

export interface SequentialTestSnapshot {
  kind: string;
  phase: DriftPhase;
  watching: EvidenceState;
  drifting: EvidenceState;
  statistic: number | null;
  windows: number;
  at: number | null;
  since: number | null;
  decisionEvidence?: number | null;
}

const RAISE_AT = [1.5, 2, 3, 5];
const RESOLVE_AT = [0, 0.5];

export abstract class SequentialDriftTest<X> {
  abstract readonly kind: string;
  readonly tolerance: number;
  readonly arl0: number;
  readonly hysteresis: number;
  readonly resolveArl0: number;

  /** True only on the update that raised the alarm. */
  driftDetected = false;
  /** True only on the update that resolved it. */
  resolved = false;
  phase: DriftPhase = 'watching';
  /** The last window's statistic (e.g. its PSI), null before the first window. */
  statistic: number | null = null;
  /** Windows seen so far. */
  windows = 0;
  /** ln of the evidence when the phase last changed (it restarts at zero after a decision). */
  decisionEvidence: number | null = null;
  /** Time of the last window (epoch ms), and of the last change of phase. */
  at: number | null = null;
  since: number | null = null;

  private readonly watching = new MixtureEvidence(RAISE_AT.length);
  private readonly drifting = new MixtureEvidence(RESOLVE_AT.length);

  constructor(options: SequentialTestOptions) {
    const { tolerance, arl0, hysteresis = 0.5, resolveArl0 = 100 } = options;
    if (!(tolerance > 0) || !Number.isFinite(tolerance)) throw new RangeError(`tolerance must be a positive number, got ${tolerance}`);
    if (!(arl0 >= 1) || !Number.isFinite(arl0)) throw new RangeError(`arl0 must be a finite number ≥ 1 (windows), got ${arl0}`);
    if (!(hysteresis > 0 && hysteresis < 1)) throw new RangeError(`hysteresis must be in (0, 1), got ${hysteresis}`);
    if (!(resolveArl0 >= 1) || !Number.isFinite(resolveArl0)) throw new RangeError(`resolveArl0 must be a finite number ≥ 1, got ${resolveArl0}`);
    this.tolerance = tolerance;
    this.arl0 = arl0;
    this.hysteresis = hysteresis;
    this.resolveArl0 = resolveArl0;
  }

  /** The observed statistic of a window; throws RangeError on an invalid window. */
  protected abstract observe(x: X): number;
  /** ln-likelihood of the window if the true drift were `drift` (up to a term that does not depend on drift). */
  protected abstract logLikelihood(x: X, drift: number): number;

  /** ln of the evidence in the current phase (−∞ before any). */
  get evidence(): number {
    return (this.phase === 'watching' ? this.watching : this.drifting).logStatistic;
  }

  /** ln of the evidence that ends the current phase. */
  get threshold(): number {
    return Math.log(this.phase === 'watching' ? this.arl0 : this.resolveArl0);
  }

  update(x: X, at: number): this {
    if (!Number.isFinite(at)) throw new RangeError(`window time must be epoch ms, got ${at}`);
    this.statistic = this.observe(x);
    this.windows += 1;
    this.at = at;
    this.driftDetected = false;
    this.resolved = false;
    if (this.phase === 'watching') {
      const boundary = this.logLikelihood(x, this.tolerance);
      const ratios = RAISE_AT.map((f) => this.logLikelihood(x, f * this.tolerance) - boundary);
      const evidence = this.watching.add(ratios);
      if (evidence >= this.threshold) this.enter('drifting', at, evidence);
    } else {
      const edge = this.hysteresis * this.tolerance;
      const boundary = this.logLikelihood(x, edge);
      const ratios = RESOLVE_AT.map((f) => this.logLikelihood(x, f * edge) - boundary);
      const evidence = this.drifting.add(ratios);
      if (evidence >= this.threshold) this.enter('watching', at, evidence);
    }
    return this;
  }

  private enter(phase: DriftPhase, at: number, evidence: number): void {
    this.decisionEvidence = evidence;
    this.phase = phase;
    this.since = at;
    this.driftDetected = phase === 'drifting';
    this.resolved = phase === 'watching';
    this.watching.reset();
    this.drifting.reset();
  }

  reset(): this {
    this.phase = 'watching';
    this.statistic = null;
    this.windows = 0;
    this.at = null;
    this.since = null;
    this.decisionEvidence = null;
    this.driftDetected = false;
    this.resolved = false;
    this.watching.reset();
    this.drifting.reset();
    return this;
  }

  snapshot(): SequentialTestSnapshot {
    return {
      kind: this.kind,
      phase: this.phase,
      watching: this.watching.snapshot(),
      drifting: this.drifting.snapshot(),
      statistic: this.statistic,
      windows: this.windows,
      at: this.at,
      since: this.since,
      decisionEvidence: this.decisionEvidence,
    };
  }

  restore(state: SequentialTestSnapshot): this {
    if (state?.kind !== this.kind) throw new RangeError(`snapshot of a ${String(state?.kind)} detector cannot restore a ${this.kind} detector`);
    if (state.phase !== 'watching' && state.phase !== 'drifting') throw new RangeError(`unknown phase ${String(state.phase)}`);
    this.watching.restore(state.watching);
    this.drifting.restore(state.drifting);
    this.phase = state.phase;
    this.statistic = state.statistic;
    this.windows = state.windows;
    this.at = state.at;
    this.since = state.since;
    this.decisionEvidence = state.decisionEvidence ?? null;
    this.driftDetected = false;
    this.resolved = false;
    return this;
  }
}
