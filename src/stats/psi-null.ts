// PSI under no drift (REFERENCE.md §7): PSI ≈ (1/M + 1/N)·χ²(B − 1), so callers can tell noise from drift.
import { chi2Isf, chi2Sf } from './special.js';

function scale(referenceRows: number, currentRows: number): number {
  if (!(referenceRows > 0 && currentRows > 0)) throw new RangeError('PSI null needs positive sample sizes');
  return 1 / referenceRows + 1 / currentRows;
}

/** P(PSI > psi) under no drift for M reference rows, N current rows and B bins. */
export function psiTailProbability(psi: number, referenceRows: number, currentRows: number, bins: number): number {
  return chi2Sf(psi / scale(referenceRows, currentRows), bins - 1);
}

/** The PSI exceeded with probability alpha under no drift (the critical value of a level-alpha test). */
export function psiCriticalValue(alpha: number, referenceRows: number, currentRows: number, bins: number): number {
  return scale(referenceRows, currentRows) * chi2Isf(alpha, bins - 1);
}
