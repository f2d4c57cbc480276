// PCA of standardized numeric features for multivariate drift (NannyML's data reconstruction error): features are
// standardized with the reference's mean and σ (a missing value becomes the mean, i.e. 0), the components are the
// leading eigenvectors of the correlation matrix up to an explained-variance target, and a row's error is the
// Euclidean distance between its standardized values and their reconstruction from the components.
import { InputError } from '../domain/index.js';

/** Components are kept until they explain at least this share of the variance (NannyML's default). */
export const EXPLAINED_VARIANCE_TARGET = 0.65;

export interface PcaModel {
  features: string[];
  mean: number[];
  std: number[];
  /** kept components, each a unit vector over `features`, largest eigenvalue first */
  components: number[][];
  /** share of the variance each kept component explains */
  explained: number[];
  target: number;
  /**
   * The eigenvectors not kept, when fewer than the kept ones: the error is then √Σ (u·z)² over these, fewer dot
   * products for the same value (the eigenvectors are an orthonormal basis). Absent otherwise.
   */
  residual?: number[][];
}

/**
 * Eigenvalues (descending) and unit eigenvectors (rows) of a symmetric matrix by cyclic Jacobi rotations; exact to
 * rounding, O(d³) per sweep — fine up to a few hundred features.
 */
export function symmetricEigen(matrix: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const d = matrix.length;
  const a = matrix.map((r) => Float64Array.from(r));
  const v = Array.from({ length: d }, (_, i) => Float64Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        if (i === j) total += a[i][j] ** 2;
        else off += a[i][j] ** 2;
      }
    }
    if (off <= 1e-30 * Math.max(total, 1e-300)) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p][q];
        if (apq === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        // columns of v accumulate the rotations: v[k][p], v[k][q]
        for (let k = 0; k < d; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return {
    values: order.map((i) => a[i][i]),
    vectors: order.map((i) => {
      const vec = Array.from({ length: d }, (_, k) => v[k][i]);
      // sign fixed so the largest entry is positive: the same data always gives the same components
      const big = vec.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
      return big < 0 ? vec.map((x) => -x) : vec;
    }),
  };
}

/** Standardized value of feature j (missing: 0, the mean). */
const z = (x: number, mean: number, std: number) => (Number.isNaN(x) ? 0 : (x - mean) / std);

/**
 * Fits the PCA on reference columns (NaN = missing). Features without spread (σ = 0 or no values) are left out: they
 * cannot be standardized. σ is the population σ (ddof 0, like scikit-learn's StandardScaler).
 */
export function fitPca(names: readonly string[], columns: readonly Float64Array[], target = EXPLAINED_VARIANCE_TARGET): PcaModel {
  if (!(target > 0 && target <= 1)) throw new RangeError(`explained-variance target must be in (0, 1], got ${target}`);
  const kept: number[] = [];
  const mean: number[] = [];
  const std: number[] = [];
  columns.forEach((col, j) => {
    let n = 0;
    let s = 0;
    for (const x of col) {
      if (Number.isNaN(x)) continue;
      n++;
      s += x;
    }
    if (n === 0) return;
    const m = s / n;
    let ss = 0;
    for (const x of col) if (!Number.isNaN(x)) ss += (x - m) ** 2;
    const sd = Math.sqrt(ss / n);
    if (!(sd > 0)) return;
    kept.push(j);
    mean.push(m);
    std.push(sd);
  });
  const d = kept.length;
  if (d < 2) throw new InputError(`multivariate drift needs at least 2 numeric features with spread, found ${d}`, 'too_few_features');
  const rows = columns[0].length;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const zs = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < d; a++) zs[a] = z(columns[kept[a]][i], mean[a], std[a]);
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[a][b] += zs[a] * zs[b];
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b][a] = cov[a][b] /= rows;
  const { values, vectors } = symmetricEigen(cov);
  const total = values.reduce((s, x) => s + Math.max(0, x), 0);
  const components: number[][] = [];
  const explained: number[] = [];
  let sum = 0;
  // at most d − 1 components: with every one kept the reconstruction error is 0 for any row, and nothing is measured
  for (let k = 0; k < d - 1 && sum < target * (1 - 1e-12); k++) {
    components.push(vectors[k]);
    explained.push(Math.max(0, values[k]) / total);
    sum += explained[k];
  }
  const residual = vectors.slice(components.length);
  return { features: kept.map((j) => names[j]), mean, std, components, explained, target, ...(residual.length < components.length ? { residual } : {}) };
}

/** Reconstruction error of each row: ‖z − WᵀWz‖ = √(‖z‖² − ‖Wz‖²) for orthonormal components W. */
export function reconstructionErrors(model: PcaModel, columns: readonly Float64Array[]): Float64Array {
  const d = model.features.length;
  if (columns.length !== d) throw new RangeError(`reconstruction: ${columns.length} columns for ${d} features`);
  const rows = d === 0 ? 0 : columns[0].length;
  const out = new Float64Array(rows);
  const zs = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    let norm = 0;
    for (let a = 0; a < d; a++) {
      zs[a] = z(columns[a][i], model.mean[a], model.std[a]);
      norm += zs[a] * zs[a];
    }
    let projected = 0;
    for (const w of model.components) {
      let dot = 0;
      for (let a = 0; a < d; a++) dot += w[a] * zs[a];
      projected += dot * dot;
    }
    out[i] = Math.sqrt(Math.max(0, norm - projected));
  }
  return out;
}
