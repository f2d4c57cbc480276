// Label-free performance estimation (CBPE) and multivariate drift (PCA reconstruction error): pure, over a
// baseline's calibration and PCA and a sample's score histogram or feature columns.
export { estimatePerformance, expectedQuality, qualityFromBins, predictsOne, ESTIMATED_METRICS, type PerformanceEstimate, type ExpectedQuality, type EstimateOptions, type QualityName } from './cbpe.js';
export { fitMultivariate, multivariateDrift, multivariateDriftOf, MULTIVARIATE_SIGMAS, type MultivariateBaseline, type MultivariateDrift } from './multivariate.js';
export { binomial } from './binomial.js';
