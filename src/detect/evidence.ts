// Shiryaev–Roberts e-detector over a mixture of alternatives: the evidence that accumulates across windows.
//
// For each alternative k, R_k,t = (1 + R_k,t−1) · Λ_k,t, where Λ_k,t is the window's likelihood ratio of
// alternative k against the boundary of H0. The detector raises when R_t = Σ w_k R_k,t ≥ A. Under H0 every
// Λ has expectation ≤ 1, so R_t − t is a supermartingale and the average run length to a false alarm is ≥ A
// (Pollak; Shin, Ramdas & Rinaldo, "E-detectors", 2023). Everything is kept in log space: R overflows fast.

export interface EvidenceState {
  logR: number[];
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

export class MixtureEvidence {
  private logR: number[];
  private readonly logWeights: number[];

  constructor(readonly alternatives: number) {
    if (!Number.isInteger(alternatives) || alternatives < 1) throw new RangeError(`alternatives must be a positive integer, got ${alternatives}`);
    this.logWeights = Array.from({ length: alternatives }, () => -Math.log(alternatives));
    this.logR = Array.from({ length: alternatives }, () => -Infinity);
  }

  /** ln R_t, the detection statistic (−∞ before any evidence). */
  get logStatistic(): number {
    let total = -Infinity;
    for (let k = 0; k < this.logR.length; k++) total = logAddExp(total, this.logWeights[k] + this.logR[k]);
    return total;
  }

  /** Adds one window: the log likelihood ratio of each alternative against the null boundary. */
  add(logRatios: readonly number[]): number {
    if (logRatios.length !== this.logR.length) throw new RangeError(`expected ${this.logR.length} likelihood ratios, got ${logRatios.length}`);
    for (let k = 0; k < this.logR.length; k++) {
      const ratio = logRatios[k];
      if (Number.isNaN(ratio)) throw new RangeError('likelihood ratio is NaN');
      this.logR[k] = logAddExp(0, this.logR[k]) + ratio; // ln((1 + R) · Λ)
    }
    return this.logStatistic;
  }

  reset(): void {
    this.logR = this.logR.map(() => -Infinity);
  }

  snapshot(): EvidenceState {
    return { logR: this.logR.map((v) => (v === -Infinity ? -1e308 : v)) };
  }

  restore(state: EvidenceState): void {
    if (!Array.isArray(state?.logR) || state.logR.length !== this.logR.length || state.logR.some((v) => typeof v !== 'number')) {
      throw new RangeError(`evidence snapshot must hold ${this.logR.length} numbers`);
    }
    this.logR = state.logR.map((v) => (v <= -1e308 ? -Infinity : v));
  }
}
