// Pure statistics for drift and model quality: PSI, KS (exact/asymptotic, from samples or aggregates), χ², JS,
// Hellinger, Wasserstein, the PSI null distribution, per-column drift with its decision rule, quality metrics,
// and a seeded generator. No I/O, no clock.
export { sortFloat64 } from './sort.js';
export { sortSample, quantileSorted, countAtMost, countBelow, describeSorted, type SortedSample } from './sample.js';
export {
  decileEdges,
  binCounts,
  smoothedShares,
  psiFromCounts,
  numericBins,
  numericPsiBins,
  psiNumeric,
  categoryCounts,
  alignCategories,
  psiCategorical,
  type NumericBins,
  type Category,
} from './psi.js';
export { psiTailProbability, psiCriticalValue } from './psi-null.js';
export { ksStatistic, ksPValue, ksExactPValue, ksAsymptoticPValue, ksTest, KS_EXACT_MAX_N, type KsResult } from './ks.js';
export { ksFromHistograms, type BinnedKs } from './ks-binned.js';
export { compareSorted, compareWeighted, ksTwoSample, type EcdfComparison, type WeightedEcdf } from './ecdf.js';
export { kolmogorovSf, smirnovSf } from './kolmogorov.js';
export { chi2Test, type Chi2Result } from './contingency.js';
export { jensenShannonDistance, hellingerDistance } from './divergence.js';
export { wasserstein, normalizedWasserstein } from './wasserstein.js';
export {
  numericColumnDrift,
  categoricalColumnDrift,
  DEFAULT_DRIFT_RULE,
  type DriftRule,
  type ColumnDrift,
  type NumericReference,
  type CategoricalReference,
  type ReferenceDistribution,
} from './column-drift.js';
export { chi2Sf, chi2Isf, gammaQ, logGamma, logBinomial } from './special.js';
export {
  binaryQuality,
  rocAuc,
  averagePrecision,
  expectedCalibrationError,
  multiclassQuality,
  regressionQuality,
  type BinaryQuality,
  type BinaryQualityOptions,
  type MulticlassQuality,
  type RegressionQuality,
} from './quality.js';
export { SeededRandom } from './random.js';
export { cvmLimitCdf, CVM_EXACT_MAX_N, type CvmResult } from './cvm.js';
export { type AndersonResult } from './anderson.js';
export { adjustPValues, CORRECTIONS, type Correction } from './multiplicity.js';
export { distanceBins, discreteValues, nextUp, DISCRETE_VALUES, type DistanceBins, type DiscreteValues, type BinnableReference } from './distance-bins.js';
export { outOfRangeCount, unseenCount, expectedOutOfRangeShare, expectedUnseenShare } from './data-quality.js';
export { datasetVerdict, type DatasetVerdict } from './verdict.js';
export { rankTests, cramerVonMises, andersonDarling } from './rank-tests.js';
export { fitCalibration, calibrate, scoreHistogram, binOf, isotonic, CALIBRATION_MIN_ROWS, CALIBRATION_GRID, type ScoreCalibration } from './calibration.js';
export { fitPca, reconstructionErrors, symmetricEigen, EXPLAINED_VARIANCE_TARGET, type PcaModel } from './pca.js';
