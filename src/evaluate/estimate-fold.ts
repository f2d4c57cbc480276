// The estimates folded into the numeric push-down (issue 17): the score's calibration bin and the row's PCA
// reconstruction error become one more key per row in the numeric scan's key array (after the features' keys), the
// error summed per such key, so num_values is read and decoded once per window instead of twice. The PCA reads the
// scan's own x{k}. Decoded back into the estimate query's `bin, error_bin, c, error_sum` rows.
import type { BaselineProfile } from '../baseline/index.js';
import { CALIBRATION_GRID } from '../stats/index.js';
import { binExpressions, errorExpression, hasEstimates, NO_SCORE_BIN } from './estimate-sql.js';
import type { NumericPlan } from './plan.js';
import { keyLayout, keySpace, type NumericFold } from './sql.js';

export interface FoldedEstimate {
  fold: NumericFold;
  /** first key of the estimate; key = base + (bin + 1) · errorBins + error_bin */
  base: number;
  errorBins: number;
}

/** The fold for a baseline with estimates; null when there is nothing to estimate or it cannot fold (no numeric scan, keys beyond UInt16, a PCA feature the plans lack). */
export function foldedEstimate(profile: BaselineProfile, plans: readonly NumericPlan[]): FoldedEstimate | null {
  if (!hasEstimates(profile) || plans.length === 0) return null;
  const names = new Set(plans.filter((p) => p.source === 'feature').map((p) => p.name));
  if ((profile.multivariate?.features ?? []).some((f) => !names.has(f))) return null;
  const keys = keyLayout(plans);
  const base = keySpace(keys);
  const { cell, errorBin, errorBins } = binExpressions(profile);
  const edges = profile.calibration?.edges ?? [];
  const size = (edges.length + 2) * errorBins;
  if (keys.type === 'UInt16' && base + size > 65_536) return null;
  // per row, plain comparisons with the edge cells (a constant array per row would be copied for every row)
  const bin = edges.length ? `if(cell = -2, ${NO_SCORE_BIN}, toInt32(${edges.map((e) => `(cell >= ${Math.round(e * CALIBRATION_GRID)})`).join(' + ')}))` : `if(cell = -2, ${NO_SCORE_BIN}, 0)`;
  const fold: NumericFold = (value) => {
    const { columns, error } = errorExpression(profile, undefined, (name) => {
      const v = value(name);
      return v ? { columns: [], ...v } : null;
    });
    // scores alone (no PCA, or its error from a sample: pca-sample.ts): no error for the ARRAY JOIN to copy to every key
    if (!profile.multivariate) return { columns: [`${cell} AS cell`], key: `toInt32(${bin} + 1)`, value: null, size };
    return { columns: [...columns, `${cell} AS cell`, `${error} AS err`, `${errorBin} AS error_bin`], key: `toInt32(${bin} + 1) * ${errorBins} + error_bin`, value: 'err', size };
  };
  return { fold, base, errorBins };
}

/** The numeric scan's rows split into the features' (`key, c`) and the estimate's (`bin, error_bin, c, error_sum`). */
export function unfold<R extends { key: unknown; c: unknown; v_sum?: unknown; seg?: unknown }>(rows: readonly R[], f: FoldedEstimate): { numeric: R[]; estimates: Array<{ seg?: unknown; bin: number; error_bin: number; c: unknown; error_sum: unknown }> } {
  const numeric: R[] = [];
  const estimates: Array<{ seg?: unknown; bin: number; error_bin: number; c: unknown; error_sum: unknown }> = [];
  for (const r of rows) {
    const k = Number(r.key) - f.base;
    if (k < 0) numeric.push(r);
    else estimates.push({ ...(r.seg === undefined ? {} : { seg: r.seg }), bin: Math.floor(k / f.errorBins) - 1, error_bin: k % f.errorBins, c: r.c, error_sum: r.v_sum });
  }
  return { numeric, estimates };
}
