// What a baseline keeps for estimating quality before labels (the score calibration) and for multivariate drift
// (the PCA of the numeric features): learnt when the training data allows, absent otherwise, checked when read.
import { InputError } from '../domain/index.js';
import { fitMultivariate, type MultivariateBaseline } from '../estimate/index.js';
import { CALIBRATION_GRID, CALIBRATION_MIN_ROWS, fitCalibration, type ScoreCalibration } from '../stats/index.js';
import type { Column } from './table.js';

/** Calibration of a binary model's scores from rows with a 0/1 label and a score in [0, 1]; null with fewer than the minimum. */
export function calibrationOf(labels01: readonly (number | null)[] | undefined, prediction: Column | undefined): ScoreCalibration | null {
  if (!labels01 || prediction?.kind !== 'numeric') return null;
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < labels01.length; i++) {
    const l = labels01[i];
    const p = prediction.values[i];
    if (l === null || Number.isNaN(p)) continue;
    if (p < 0 || p > 1) return null; // not a probability score: no binary calibration
    y.push(l);
    s.push(p);
  }
  return y.length >= CALIBRATION_MIN_ROWS ? fitCalibration(y, s) : null;
}

/** The PCA baseline of the numeric feature columns; null when there are too few rows or features with spread. */
export function multivariateOf(features: ReadonlyMap<string, Column>): MultivariateBaseline | null {
  const numeric = [...features].filter((e): e is [string, Extract<Column, { kind: 'numeric' }>] => e[1].kind === 'numeric');
  try {
    return fitMultivariate(numeric.map(([n]) => n), numeric.map(([, c]) => c.values));
  } catch (error) {
    if (error instanceof InputError) return null;
    throw error;
  }
}

const numbers = (v: unknown, length?: number): boolean => Array.isArray(v) && v.every((x) => typeof x === 'number') && (length === undefined || v.length === length);

/** Throws unless the profile's calibration and multivariate parts (when present) have consistent shapes. */
export function checkEstimates(value: Record<string, unknown>, where: string): void {
  const bad = (what: string) => new InputError(`${where}: ${what}`, 'bad_baseline');
  const c = value.calibration as Record<string, unknown> | null | undefined;
  if (c !== null && c !== undefined) {
    const bins = Array.isArray(c.edges) ? c.edges.length + 1 : -1;
    if (typeof c.threshold !== 'number' || !numbers(c.edges) || !numbers(c.rows, bins) || !numbers(c.positives, bins) || !numbers(c.probability, bins)) {
      throw bad('"calibration" needs a threshold, edges, and rows, positives and probability per bin (one more than edges)');
    }
    // the live histogram decides a score's bin by its grid cell (estimate-sql.ts)
    if (!(c.edges as number[]).every((e) => Number.isInteger(e * CALIBRATION_GRID))) throw bad(`"calibration" edges must be multiples of 1/${CALIBRATION_GRID}`);
  }
  const m = value.multivariate as Record<string, unknown> | null | undefined;
  if (m !== null && m !== undefined) {
    const d = Array.isArray(m.features) ? m.features.length : -1;
    const ok = d > 0 && (m.features as unknown[]).every((f) => typeof f === 'string') && numbers(m.mean, d) && numbers(m.std, d)
      && Array.isArray(m.components) && m.components.length > 0 && m.components.every((w) => numbers(w, d))
      && ['chunk_rows', 'chunk_mean', 'chunk_std'].every((k) => typeof m[k] === 'number');
    if (!ok) throw bad('"multivariate" needs features, mean, std and components of one length, and chunk_rows, chunk_mean, chunk_std');
  }
}
