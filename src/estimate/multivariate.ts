// Multivariate drift by PCA reconstruction error: the baseline's PCA and the spread of the mean error over chunks of
// the training data; a current sample whose mean error leaves baseline mean ± 3σ has drifted — also when only how
// features move together changed and every marginal distribution stayed put.
import { InputError } from '../domain/index.js';
import { binCounts, decileEdges, fitPca, reconstructionErrors, sortSample, EXPLAINED_VARIANCE_TARGET, type PcaModel } from '../stats/index.js';

/** A sample is flagged beyond this many baseline σ from the baseline mean (NannyML's rule). */
export const MULTIVARIATE_SIGMAS = 3;
/** The training data is cut into about this many consecutive chunks… */
export const MULTIVARIATE_CHUNKS = 20;
/** …of at least this many rows; fewer than MULTIVARIATE_MIN_CHUNKS chunks and no multivariate baseline is kept. */
export const MULTIVARIATE_MIN_CHUNK_ROWS = 50;
export const MULTIVARIATE_MIN_CHUNKS = 5;

export interface MultivariateBaseline extends PcaModel {
  method: 'pca_reconstruction';
  /** rows per training chunk, how many chunks, and the mean and σ (ddof 1) of their mean error */
  chunk_rows: number;
  chunks: number;
  chunk_mean: number;
  chunk_std: number;
  /**
   * Deciles of the training rows' errors and the rows in each of their 10 bins: the distribution a window's errors
   * are tested against by the same sequential PSI test as every feature (absent in baselines built before it).
   */
  error_edges?: number[];
  error_counts?: number[];
}

export interface MultivariateDrift {
  reconstruction_error: number;
  baseline_mean: number;
  /** the chunks' σ, scaled by √(chunk_rows / rows) for samples smaller than a chunk (never below the chunks' own σ) */
  baseline_std: number;
  drift: boolean;
  rows: number;
  features: number;
  components: number;
}

const meanOf = (xs: ArrayLike<number>, from = 0, to = xs.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i];
  return s / (to - from);
};

/** PCA on the numeric training columns (NaN = missing) and the chunk distribution of its mean error. */
export function fitMultivariate(names: readonly string[], columns: readonly Float64Array[], target = EXPLAINED_VARIANCE_TARGET): MultivariateBaseline {
  const rows = columns[0]?.length ?? 0;
  const chunkRows = Math.max(MULTIVARIATE_MIN_CHUNK_ROWS, Math.floor(rows / MULTIVARIATE_CHUNKS));
  const chunks = Math.floor(rows / chunkRows);
  if (chunks < MULTIVARIATE_MIN_CHUNKS) {
    throw new InputError(`multivariate drift needs at least ${MULTIVARIATE_MIN_CHUNKS * MULTIVARIATE_MIN_CHUNK_ROWS} training rows, got ${rows}`, 'too_few_rows');
  }
  const model = fitPca(names, columns, target);
  const byName = new Map(names.map((n, j) => [n, columns[j]]));
  const errors = reconstructionErrors(model, model.features.map((n) => byName.get(n)!));
  const means = Array.from({ length: chunks }, (_, c) => meanOf(errors, c * chunkRows, (c + 1) * chunkRows));
  const chunkMean = meanOf(means);
  const chunkStd = Math.sqrt(means.reduce((s, m) => s + (m - chunkMean) ** 2, 0) / (chunks - 1));
  const sorted = sortSample(errors).values;
  const edges = decileEdges(sorted);
  return { method: 'pca_reconstruction', ...model, chunk_rows: chunkRows, chunks, chunk_mean: chunkMean, chunk_std: chunkStd, error_edges: edges, error_counts: binCounts(sorted, edges) };
}

/** The verdict on a sample of `rows` rows whose mean reconstruction error is `error`. */
export function multivariateDrift(baseline: MultivariateBaseline, error: number, rows: number): MultivariateDrift {
  const std = baseline.chunk_std * Math.sqrt(baseline.chunk_rows / Math.min(rows, baseline.chunk_rows));
  return {
    reconstruction_error: error,
    baseline_mean: baseline.chunk_mean,
    baseline_std: std,
    drift: rows > 0 && Math.abs(error - baseline.chunk_mean) > MULTIVARIATE_SIGMAS * std,
    rows,
    features: baseline.features.length,
    components: baseline.components.length,
  };
}

/** The verdict on current columns (looked up by the baseline's feature names; a column missing entirely is an error). */
export function multivariateDriftOf(baseline: MultivariateBaseline, column: (name: string) => Float64Array | undefined): MultivariateDrift {
  const columns = baseline.features.map((name) => {
    const c = column(name);
    if (!c) throw new InputError(`multivariate drift: feature "${name}" is not in the current data`, 'missing_column');
    return c;
  });
  const errors = reconstructionErrors(baseline, columns);
  return multivariateDrift(baseline, errors.length ? meanOf(errors) : NaN, errors.length);
}
