// Pure sequential drift detectors: update(window, at) per stream, snapshot()/restore(); time is an argument.
export { PsiDriftTest, type PsiWindow } from './psi-test.js';
export { MetricDropTest, type MetricWindow } from './drop-test.js';
export { SequentialDriftTest, type DriftPhase, type SequentialTestOptions, type SequentialTestSnapshot } from './sequential.js';
export { MixtureEvidence, type EvidenceState } from './evidence.js';
export { chi2LogPdf, noncentralChi2LogPdf, logGamma } from './chi2.js';
export { LabelGate, labelCoverage, DEFAULT_LABEL_COVERAGE, type LabelledWindow, type LabelGateOptions, type LabelGateState, type LabelRelease } from './label-gate.js';
export { RateRiseTest, type RateWindow } from './rate-test.js';
