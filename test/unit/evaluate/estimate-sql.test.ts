// The estimate push-down's SQL: the calibration's grid cells and the PCA's arithmetic are written from the baseline,
// and a PCA too wide for one query is left out rather than failing the window.
import { describe, expect, it } from 'vitest';
import type { BaselineProfile } from '../../../src/baseline/index.js';
import { estimateSql, fittingEstimateSql } from '../../../src/evaluate/estimate-sql.js';
import { foldedEstimate, unfold } from '../../../src/evaluate/estimate-fold.js';
import { numericCountsSql, planFromBaseline } from '../../../src/evaluate/index.js';
import { keyLayout, keySpace } from '../../../src/evaluate/sql.js';
import { buildBaseline, type Column } from '../../../src/baseline/index.js';
import { SeededRandom } from '../../../src/stats/index.js';
import type { MultivariateBaseline } from '../../../src/estimate/index.js';

const w = { model: 'm', start: 0, end: 3_600_000 };

function profile(features: number, components: number): BaselineProfile {
  const names = Array.from({ length: features }, (_, j) => `f${j}`);
  const multivariate: MultivariateBaseline = {
    method: 'pca_reconstruction', features: names, mean: names.map(() => 1.5), std: names.map(() => 2), target: 0.65,
    components: Array.from({ length: components }, (_, c) => names.map((_, j) => (j === c ? 1 : 0))), explained: Array.from({ length: components }, () => 0.1),
    chunk_rows: 100, chunks: 20, chunk_mean: 1, chunk_std: 0.1, error_edges: [0.5, 1, 1.5], error_counts: [1, 2, 3, 4],
  };
  return {
    schema_version: 1, model: 'm', version: 'v', created_at: '', source: null, rows: 10, features: {}, prediction: null, label: null, quality: null,
    calibration: { method: 'histogram_isotonic', threshold: 0.5, edges: [0.25, 0.5], rows: [1, 1, 1], positives: [0, 1, 1], probability: [0, 1, 1] },
    multivariate,
  };
}

describe('estimate push-down SQL', () => {
  it('writes the edges as grid cells and z = (x − mean)/σ from the baseline', () => {
    const sql = estimateSql(w, profile(2, 1), false, { kind: 'positions', positions: new Map([['f0', 1], ['f1', 2]]) });
    expect(sql).toContain('[4096, 8192]'); // 0.25 and 0.5 on the 2^-14 grid
    expect(sql).toContain('num_values[1] AS x0');
    expect(sql).toContain('(x0 - 1.5000000000000000) * 0.50000000000000000');
    expect(sql).toContain('(err >= 0.50000000000000000)');
  });

  it('leaves out a PCA too wide for one query, keeping the score histogram', () => {
    const wide = fittingEstimateSql(w, profile(300, 200), false, undefined, 200_000)!;
    expect(wide.profile.multivariate).toBeNull();
    expect(wide.sql).not.toContain('z0');
    const narrow = fittingEstimateSql(w, profile(5, 2), false, undefined, 200_000)!;
    expect(narrow.profile.multivariate).not.toBeNull();
    expect(fittingEstimateSql(w, { ...profile(2, 1), calibration: null, multivariate: null }, false, undefined, 200_000)).toBeNull();
  });

  it('folds into the numeric scan: the PCA reads the scan\'s own x{k}, one more key per row after the features\' keys', () => {
    const rng = new SeededRandom(4);
    const columns = new Map<string, Column>(['f0', 'f1'].map((n) => [n, { kind: 'numeric', values: Float64Array.from({ length: 300 }, () => rng.normal()) }]));
    const plans = planFromBaseline(buildBaseline({ source: 't', rows: 300, columns }, { model: 'm', createdAt: 0, version: 'v' })).numeric;
    const f = foldedEstimate(profile(2, 1), plans)!;
    expect(f.base).toBe(keySpace(keyLayout(plans)));
    expect(f.errorBins).toBe(4);
    const sql = numericCountsSql(w, plans, false, { kind: 'positions', positions: new Map([['f0', 1], ['f1', 2]]) }, undefined, f.fold);
    expect(sql).toContain(`sumIf(v, key >= ${f.base}) AS v_sum`);
    expect(sql).toContain('(x0 - 1.5000000000000000) * 0.50000000000000000');
    expect(sql.match(/num_values\[1\]/g)).toHaveLength(1); // read once, for both
    expect(sql).toContain('(cell >= 4096) + (cell >= 8192)');
    // keys decode back into the estimate query's rows
    const rows = [{ key: 3, c: 7 }, { key: f.base, c: 2, v_sum: 0.5 }, { key: f.base + 4 * 2 + 3, c: 5, v_sum: 9 }];
    expect(unfold(rows, f)).toEqual({ numeric: [rows[0]], estimates: [{ bin: -1, error_bin: 0, c: 2, error_sum: 0.5 }, { bin: 1, error_bin: 3, c: 5, error_sum: 9 }] });
    // nothing to fold: no estimates, no numeric scan, or a PCA feature the scan does not read
    expect(foldedEstimate({ ...profile(2, 1), calibration: null, multivariate: null }, plans)).toBeNull();
    expect(foldedEstimate(profile(2, 1), [])).toBeNull();
    expect(foldedEstimate(profile(3, 1), plans)).toBeNull();
  });
});
