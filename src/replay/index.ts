// Offline windowing and the detection policy shared with the live service: window a stream, compute each
// window's statistics against a baseline reference, feed the sequential tests, drive the alert lifecycle.
export { Replay, replayJsonLines, readLabelLines, replayLine, type ReplayLine, type ReplayOptions, type ReplaySummary } from './replay.js';
export { WindowJudge, ACCURACY_STREAM, type JudgedWindow, type StreamResult } from './judge.js';
export { StreamWindows, addPrediction, windowStart, type WindowSummary } from './windows.js';
export { readPolicy, parsePolicyYaml, toleranceFor, DEFAULT_POLICY, type AlertPolicy, type Tolerances } from './policy.js';
export { referenceFromRows, binIndex, isCorrect, type ModelReference, type FeatureReference, type NumericReference, type CategoricalReference } from './reference.js';
export { readReferences, referenceFromProfile } from './baseline-file.js';
export { alignBins, psiOfBins, type FeatureCounts, type AlignedBins } from './statistics.js';
export { SeededRandom } from './random.js';
export { simulateStream, trainingRows, trafficPerHour, type InjectedDrift, type SimulationOptions } from './simulate.js';
export { LabelGates, gateOptions, judgeReleased, labelledWindow, partsAtClose, type LabelExpectation } from './labelled.js';
export { INPUTS_ONLY, QUALITY_ONLY, type JudgedParts } from './judge.js';
export { segmentStream, streamSegment } from '../alerting/segment.js';
