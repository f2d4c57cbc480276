// Names and help of the GPU-fleet and NCCL metrics driftwatch exports on /metrics (wired into the registry elsewhere).
// Labels: GPU metrics carry host, gpu, uuid; NCCL metrics carry collective, size_bucket, nranks.

export interface MetricName {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labels: readonly string[];
}

const GPU = ['host', 'gpu', 'uuid'] as const;
const SHAPE = ['collective', 'size_bucket', 'nranks'] as const;

export const GPU_XID_ERRORS_TOTAL: MetricName = { name: 'driftwatch_gpu_xid_errors_total', type: 'counter', labels: [...GPU, 'xid'], help: 'XID errors seen on the GPU, by XID code.' };
export const GPU_ROW_REMAP_FAILURE: MetricName = { name: 'driftwatch_gpu_row_remap_failure', type: 'gauge', labels: GPU, help: '1 when the GPU reported a row-remapping failure (replace the GPU).' };
export const GPU_REMAPPED_ROWS: MetricName = { name: 'driftwatch_gpu_remapped_rows', type: 'gauge', labels: [...GPU, 'cause'], help: 'Rows remapped in GPU memory, by cause (correctable, uncorrectable).' };
export const GPU_ECC_UNCORRECTABLE_ERRORS_TOTAL: MetricName = { name: 'driftwatch_gpu_ecc_uncorrectable_errors_total', type: 'counter', labels: GPU, help: 'Uncorrectable (double-bit) ECC errors seen in evaluated windows.' };
export const GPU_PCIE_REPLAYS_PER_SECOND: MetricName = { name: 'driftwatch_gpu_pcie_replays_per_second', type: 'gauge', labels: GPU, help: 'PCIe replay rate over the last window (replays per second).' };
export const GPU_NVLINK_ERRORS_TOTAL: MetricName = { name: 'driftwatch_gpu_nvlink_errors_total', type: 'counter', labels: GPU, help: 'NVLink CRC, replay and recovery errors seen in evaluated windows.' };
export const GPU_THROTTLE_SECONDS_TOTAL: MetricName = { name: 'driftwatch_gpu_throttle_seconds_total', type: 'counter', labels: [...GPU, 'reason'], help: 'Time the GPU clocks were reduced, by reason (thermal, power).' };
export const GPU_ALLOCATED_IDLE_SECONDS: MetricName = { name: 'driftwatch_gpu_allocated_idle_seconds', type: 'gauge', labels: GPU, help: 'How long the GPU has had memory allocated with near-zero utilisation (wasted capacity).' };
export const GPU_NVLINK_BYTES_PER_SECOND: MetricName = { name: 'driftwatch_gpu_nvlink_bytes_per_second', type: 'gauge', labels: GPU, help: 'NVLink throughput, transmit plus receive, averaged over the last window.' };
export const GPU_PCIE_BYTES_PER_SECOND: MetricName = { name: 'driftwatch_gpu_pcie_bytes_per_second', type: 'gauge', labels: [...GPU, 'direction'], help: 'PCIe throughput by direction (tx, rx), averaged over the last window.' };
export const NCCL_BUSBW_GBS: MetricName = { name: 'driftwatch_nccl_busbw_gigabytes_per_second', type: 'gauge', labels: [...SHAPE, 'host'], help: 'Latest NCCL bus bandwidth per collective shape (GB/s, 1e9 bytes).' };
export const NCCL_BUSBW_EXPECTED_GBS: MetricName = { name: 'driftwatch_nccl_busbw_expected_gigabytes_per_second', type: 'gauge', labels: SHAPE, help: 'Learned baseline (median of healthy records) of NCCL bus bandwidth per shape.' };
export const NCCL_TRANSPORT_FALLBACK: MetricName = { name: 'driftwatch_nccl_transport_fallback', type: 'gauge', labels: ['host', 'comm', 'rank'], help: '1 when a communicator moves data over sockets or SHM where NVLink/IB was expected.' };
export const GPU_DEGRADATIONS_FIRING: MetricName = { name: 'driftwatch_gpu_degradations_firing', type: 'gauge', labels: ['kind', 'severity'], help: 'GPU and interconnect degradations currently firing, by kind.' };
export const COLLECTOR_TARGET_UP: MetricName = { name: 'driftwatch_collector_target_up', type: 'gauge', labels: ['source', 'target'], help: '1 when the last scrape or poll of a collector target succeeded, 0 when it failed or timed out.' };
export const COLLECTOR_SCRAPE_DURATION_SECONDS: MetricName = { name: 'driftwatch_collector_scrape_duration_seconds', type: 'gauge', labels: ['source', 'target'], help: 'Duration of the last scrape of a collector target.' };
export const COLLECTOR_SAMPLES_TOTAL: MetricName = { name: 'driftwatch_collector_samples_total', type: 'counter', labels: ['source'], help: 'GPU samples and NCCL records collected, by source.' };
export const COLLECTOR_PARSE_ERRORS_TOTAL: MetricName = { name: 'driftwatch_collector_parse_errors_total', type: 'counter', labels: ['source'], help: 'Lines a collector could not parse and skipped, by source.' };
export const COLLECTOR_DROPPED_ROWS_TOTAL: MetricName = { name: 'driftwatch_collector_dropped_rows_total', type: 'counter', labels: ['table'], help: 'Collected rows dropped because the store stayed unavailable past the buffer limit.' };

/** Every GPU/NCCL metric, for registries, dashboards and alert-rule tests. */
export const GPU_METRICS: readonly MetricName[] = [
  GPU_XID_ERRORS_TOTAL, GPU_ROW_REMAP_FAILURE, GPU_REMAPPED_ROWS, GPU_ECC_UNCORRECTABLE_ERRORS_TOTAL, GPU_PCIE_REPLAYS_PER_SECOND,
  GPU_NVLINK_ERRORS_TOTAL, GPU_THROTTLE_SECONDS_TOTAL, GPU_ALLOCATED_IDLE_SECONDS, GPU_NVLINK_BYTES_PER_SECOND, GPU_PCIE_BYTES_PER_SECOND,
  NCCL_BUSBW_GBS, NCCL_BUSBW_EXPECTED_GBS, NCCL_TRANSPORT_FALLBACK, GPU_DEGRADATIONS_FIRING,
  COLLECTOR_TARGET_UP, COLLECTOR_SCRAPE_DURATION_SECONDS, COLLECTOR_SAMPLES_TOTAL, COLLECTOR_PARSE_ERRORS_TOTAL, COLLECTOR_DROPPED_ROWS_TOTAL,
];
