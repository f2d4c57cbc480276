// Sequential test of PSI drift: H0 "PSI ≤ tolerance", with evidence weighted by window and baseline size.
//
// Model (REFERENCE.md §7): with M baseline rows, N window rows and B bins, k = MN/(M+N) and
// k·PSI ≈ noncentral χ²(B − 1, λ = k·drift). A 30-row window has k ≈ 30 and moves the evidence little;
// a 50 000-row window against a 20 000-row baseline has k ≈ 14 000 and decides quickly. The guarantee
// holds as far as this approximation does; it is conservative for small windows, whose PSI smoothing shrinks it.
import { noncentralChi2LogPdf } from './chi2.js';
import { SequentialDriftTest, type SequentialTestOptions } from './sequential.js';

/** One window's PSI and the sizes it came from. */
export interface PsiWindow {
  psi: number;
  /** rows in the window (N) */
  rows: number;
  /** rows in the baseline (M) */
  baselineRows: number;
  /** bins of the PSI, B (10 for a numeric feature without missing values) */
  bins: number;
}

export class PsiDriftTest extends SequentialDriftTest<PsiWindow> {
  readonly kind = 'psi';

  constructor(options: Partial<SequentialTestOptions> & { arl0: number }) {
    super({ tolerance: 0.1, ...options });
  }

  protected observe(w: PsiWindow): number {
    if (!(w.psi >= 0) || !Number.isFinite(w.psi)) throw new RangeError(`psi must be a finite number ≥ 0, got ${w.psi}`);
    if (!(w.rows >= 1) || !(w.baselineRows >= 1)) throw new RangeError(`rows and baselineRows must be ≥ 1, got ${w.rows} and ${w.baselineRows}`);
    if (!Number.isInteger(w.bins) || w.bins < 2) throw new RangeError(`bins must be an integer ≥ 2, got ${w.bins}`);
    return w.psi;
  }

  protected logLikelihood(w: PsiWindow, drift: number): number {
    const k = (w.rows * w.baselineRows) / (w.rows + w.baselineRows);
    // PSI exactly 0 (identical shares): every density is 0 at x = 0 and their ratio NaN; just above 0 the
    // ratio has its limit e^(−Δλ/2), which is what a tiny positive x gives.
    return noncentralChi2LogPdf(Math.max(k * w.psi, 1e-300), w.bins - 1, k * drift);
  }
}
