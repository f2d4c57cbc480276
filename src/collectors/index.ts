// GPU fleet collectors: dcgm-exporter scrapes, nvidia-smi polls and NCCL outputs turned into stored samples
// and records, and the health degradations derived from them. Parsers are pure; I/O lives in the adapters.
export type { GpuSample, NcclRecord, SampleSink } from './types.js';
export { GPU_SAMPLES_TABLE, NCCL_TABLE, gpuSampleRow, ncclRow } from './types.js';
export { parseExposition, parseValue, type Exposition, type ExpositionSample, type MetricType } from './exposition.js';
export { dcgmSamples, dcgmType, counterRates, isBlank, seriesKey, RATE_SUFFIX } from './dcgm.js';
export { CounterRates, increase, rate, type Point } from './counters.js';
export {
  SmiCsvReader, parseSmiCsv, canonicalField, decodeThrottleReasons, cellNumber, parseSmiTimestamp,
  DEFAULT_QUERY, SMI_FIELDS, THROTTLE_REASONS,
} from './nvidia-smi.js';
export { canonicalCollective, busbwFactor, sizeBucket } from './nccl-common.js';
export { parseNcclTestsText, parseNcclTestsJson, type NcclTestsResult } from './nccl-tests.js';
export { parseInspectorLine, parseInspectorJsonl, parseInspectorProm, messageSizeBytes } from './nccl-inspector.js';
export { parseNcclDebugLog, transportClass, type NcclCommunicator, type NcclDebugParse } from './nccl-debug.js';
export {
  gpuSignals, gpuDegradations, targetDown, xidCounts, allocatedIdleSeconds, maskedSeconds,
  degradation, degradationKey, DegradationTracker, DEFAULT_HEALTH, CRITICAL_XIDS,
  type Degradation, type DegradationKind, type GpuSignals, type HealthOptions,
} from './health.js';
export { BusbwBaselines, busbwShape, transportFallbacks, DEFAULT_BUSBW_BASELINE, type BusbwBaselineSnapshot } from './nccl-health.js';
export { gpuSignalMetrics, degradationMetrics, ncclMetrics, type MetricPoint } from './health-metrics.js';
export { GpuFleet, type GpuFleetOptions, type GpuFleetDeps } from './fleet.js';
export { IdleTracker } from './idle.js';
export { XidEvents, type XidEvent } from './xid.js';
export { RowBatcher, DEFAULT_BATCHER, type BatcherOptions } from './batcher.js';
export { TargetList, parseTargetsFile, targetUrl } from './targets.js';
export { DcgmCollector, fetchExposition, hostOf, type ScrapeResult } from './dcgm-collector.js';
export { queryNvidiaSmi, NvidiaSmiStream } from './smi-runner.js';
export { DirectoryTail } from './inspector-tail.js';
export { detectNcclFormat, parseNcclText, type NcclFormat, type NcclParsed } from './nccl-format.js';
export { readNcclInput, type NcclInput } from './nccl-input.js';
