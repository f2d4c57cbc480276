// The information limit bench:alerts compares driftwatch with: a CUSUM that knows the post-change distribution (the
// true drift of the drifted stream after the change) and tests it against the tolerance boundary, with the same
// threshold ln ARL0 as driftwatch's per-stream test (the same false-page budget). It does not know when the change
// happens. By Lorden's optimality no detector with that false-alarm constraint is faster on average, so its delay is
// the bar: driftwatch, which must also cover drifts of any size, cannot beat it and should stay close.
import { noncentralChi2LogPdf } from '../src/detect/index.js';

export interface OracleWindow {
  /** PSI of the window (or accuracy-drop sample, see accuracyLlr) and the sizes it came from */
  psi: number;
  rows: number;
  baselineRows: number;
  bins: number;
}

/** ln-likelihood ratio of one PSI window: post-change drift δ1 against the tolerance (REFERENCE.md §7 model). */
export function psiLlr(w: OracleWindow, drift: number, tolerance: number): number {
  const k = (w.rows * w.baselineRows) / (w.rows + w.baselineRows);
  const x = Math.max(k * w.psi, 1e-300);
  return noncentralChi2LogPdf(x, w.bins - 1, k * drift) - noncentralChi2LogPdf(x, w.bins - 1, k * tolerance);
}

/** ln-likelihood ratio of one window's accuracy: post-change drop against the tolerated drop (as MetricDropTest's model). */
export function accuracyLlr(value: number, rows: number, baseline: number, baselineRows: number, drop: number, tolerance: number): number {
  const total = rows + baselineRows;
  const pooled = Math.min(Math.max((value * rows + baseline * baselineRows) / total, 0.5 / total), 1 - 0.5 / total);
  const variance = pooled * (1 - pooled) * (1 / rows + 1 / baselineRows);
  const d = baseline - value;
  return (-((d - drop) ** 2) + (d - tolerance) ** 2) / (2 * variance);
}

/** Page's CUSUM: S_t = max(0, S_t−1 + llr_t), alarm when S_t ≥ ln ARL0 (then the first alarm is what is measured). */
export class OracleCusum {
  private s = 0;
  alarmAt: number | null = null;

  constructor(readonly arl0: number) {}

  add(llr: number, at: number): void {
    if (this.alarmAt !== null || !Number.isFinite(llr)) return;
    this.s = Math.max(0, this.s + llr);
    if (this.s >= Math.log(this.arl0)) this.alarmAt = at;
  }
}
