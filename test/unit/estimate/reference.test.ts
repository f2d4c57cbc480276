// Calibration, CBPE and PCA reconstruction error against values computed independently with numpy/scipy
// (test/fixtures/estimate/make_reference.py: scipy.optimize.isotonic_regression, numpy.linalg.eigh, row-wise CBPE).
import { describe, expect, it } from 'vitest';
import { expectedQuality, fitMultivariate, multivariateDrift } from '../../../src/estimate/index.js';
import { binOf, calibrate, fitCalibration, fitPca, isotonic, reconstructionErrors, scoreHistogram, symmetricEigen } from '../../../src/stats/index.js';
import ref from '../../fixtures/estimate/reference.json' with { type: 'json' };

const close = (got: number, want: number, tol = 1e-9) => expect(Math.abs(got - want)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
const column = (xs: (number | null)[]) => Float64Array.from(xs, (x) => (x === null ? NaN : x));

describe('score calibration (histogram bins + isotonic rates)', () => {
  it.each(ref.calibration)('$name: edges, bin counts and isotonic probabilities equal numpy/scipy', ({ labels, scores, edges, rows, positives, probability }) => {
    const c = fitCalibration(labels, scores);
    expect(c.edges).toEqual(edges);
    expect(c.rows).toEqual(rows);
    expect(c.positives).toEqual(positives);
    c.probability.forEach((p, b) => close(p, probability[b], 1e-12));
    for (let b = 1; b < c.probability.length; b++) expect(c.probability[b]).toBeGreaterThanOrEqual(c.probability[b - 1]);
  });

  it('rejects too few rows and non-binary labels', () => {
    expect(() => fitCalibration([0, 1], [0.1, 0.9])).toThrow(/at least 200/);
    expect(() => fitCalibration(Array.from({ length: 300 }, (_, i) => (i % 3)), Array.from({ length: 300 }, (_, i) => i / 300))).toThrow(/not 0 or 1/);
  });

  it('keeps the threshold an edge and empty bins beside it (scores all below 0.5)', () => {
    const scores = Array.from({ length: 400 }, (_, i) => 0.1 + (i % 37) / 100);
    const labels = scores.map((s, i) => (i % 10 < s * 10 ? 1 : 0));
    const c = fitCalibration(labels, scores);
    expect(c.edges).toContain(0.5);
    expect(c.rows[c.rows.length - 1]).toBe(0);
    expect(c.rows.slice(0, -1).every((r) => r > 0)).toBe(true);
    expect(c.probability[c.probability.length - 1]).toBe(c.probability[c.probability.length - 2]);
    expect(calibrate(c, [0.9])[0]).toBe(c.probability[c.probability.length - 1]);
  });

  it('isotonic pools violators by weight', () => {
    expect(isotonic([1, 3, 2, 4], [1, 1, 1, 1])).toEqual([1, 2.5, 2.5, 4]);
    expect(isotonic([3, 1], [1, 3])).toEqual([1.5, 1.5]);
    expect(binOf([0.2, 0.5], 0.5)).toBe(2);
  });
});

describe('CBPE expected quality', () => {
  it.each(ref.calibration)('$name: the histogram form equals numpy row-by-row CBPE on a shifted sample', ({ labels, scores, current, expected }) => {
    const c = fitCalibration(labels, scores);
    const q = expectedQuality(c, scoreHistogram(c.edges, current));
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'tp', 'fp', 'fn', 'tn'] as const) close(q[k], expected[k], 1e-9);
    close(q.rocAuc, expected.roc_auc, 1e-9);
  });
});

describe('PCA reconstruction error', () => {
  const p = ref.pca;
  const names = p.reference.map((_, j) => `f${j}`);
  const model = fitPca(names, p.reference.map(column));

  it('standardization, eigenvalues and components kept to 65 % equal numpy.linalg.eigh', () => {
    model.mean.forEach((m, j) => close(m, p.mean[j], 1e-12));
    model.std.forEach((s, j) => close(s, p.std[j], 1e-12));
    expect(model.components.length).toBe(p.components);
    model.explained.forEach((e, k) => close(e, p.explained[k], 1e-10));
  });

  it('row errors of reference and current data equal numpy (sign-free)', () => {
    const cur = reconstructionErrors(model, p.current.map(column));
    cur.forEach((e, i) => close(e, p.current_errors[i], 1e-9));
    const train = reconstructionErrors(model, p.reference.map(column));
    train.forEach((e, i) => close(e, p.reference_errors[i], 1e-9));
  });

  it('chunk distribution equals numpy, and uncorrelated data with the same marginals is flagged', () => {
    const m = fitMultivariate(names, p.reference.map(column));
    expect(m.chunk_rows).toBe(p.chunk_rows);
    expect(m.chunks).toBe(p.chunks);
    close(m.chunk_mean, p.chunk_mean, 1e-10);
    close(m.chunk_std, p.chunk_std, 1e-9);
    m.error_edges!.forEach((e, i) => close(e, p.error_edges[i], 1e-9));
    expect(m.error_counts!.reduce((a, b) => a + b, 0)).toBe(p.reference_errors.length);
    const mean = p.current_errors.reduce((a, b) => a + b, 0) / p.current_errors.length;
    expect(multivariateDrift(m, mean, p.current_errors.length).drift).toBe(true);
  });

  it('leaves at least one component out (two independent features: all kept would make every error 0)', () => {
    const a = new Float64Array(400).map((_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const b = new Float64Array(400).map((_, i) => Math.cos(i * 78.233) * 12345.6789 % 1);
    const two = fitPca(['a', 'b'], [a, b]);
    expect(two.components).toHaveLength(1);
    expect(reconstructionErrors(two, [a, b]).some((e) => e > 0)).toBe(true);
  });

  it('Jacobi eigenvalues of a symmetric matrix', () => {
    const { values, vectors } = symmetricEigen([[2, 1], [1, 2]]);
    close(values[0], 3, 1e-14);
    close(values[1], 1, 1e-14);
    close(Math.abs(vectors[0][0]), Math.SQRT1_2, 1e-14);
    p.eigenvalues.forEach((v) => expect(Number.isFinite(v)).toBe(true));
  });
});
