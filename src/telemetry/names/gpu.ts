// Metric names of the GPU-fleet and NCCL health signals; dashboards and alert rules import these, never literals.
// GPU metrics are labelled host, gpu, uuid; NCCL shape metrics collective, size_bucket, nranks.
export const GPU_XID_ERRORS_TOTAL = 'driftwatch_gpu_xid_errors_total';
export const GPU_ROW_REMAP_FAILURE = 'driftwatch_gpu_row_remap_failure';
export const GPU_REMAPPED_ROWS = 'driftwatch_gpu_remapped_rows';
export const GPU_ECC_UNCORRECTABLE_ERRORS_TOTAL = 'driftwatch_gpu_ecc_uncorrectable_errors_total';
export const GPU_PCIE_REPLAYS_PER_SECOND = 'driftwatch_gpu_pcie_replays_per_second';
export const GPU_NVLINK_ERRORS_TOTAL = 'driftwatch_gpu_nvlink_errors_total';
export const GPU_THROTTLE_SECONDS_TOTAL = 'driftwatch_gpu_throttle_seconds_total';
export const GPU_ALLOCATED_IDLE_SECONDS = 'driftwatch_gpu_allocated_idle_seconds';
export const GPU_NVLINK_BYTES_PER_SECOND = 'driftwatch_gpu_nvlink_bytes_per_second';
export const GPU_PCIE_BYTES_PER_SECOND = 'driftwatch_gpu_pcie_bytes_per_second';
export const GPU_DEGRADATIONS_FIRING = 'driftwatch_gpu_degradations_firing';
export const NCCL_BUSBW_GBS = 'driftwatch_nccl_busbw_gigabytes_per_second';
export const NCCL_BUSBW_EXPECTED_GBS = 'driftwatch_nccl_busbw_expected_gigabytes_per_second';
export const NCCL_TRANSPORT_FALLBACK = 'driftwatch_nccl_transport_fallback';
export const COLLECTOR_TARGET_UP = 'driftwatch_collector_target_up';
export const COLLECTOR_SCRAPE_DURATION_SECONDS = 'driftwatch_collector_scrape_duration_seconds';
export const COLLECTOR_SAMPLES_TOTAL = 'driftwatch_collector_samples_total';
export const COLLECTOR_PARSE_ERRORS_TOTAL = 'driftwatch_collector_parse_errors_total';
export const COLLECTOR_DROPPED_ROWS_TOTAL = 'driftwatch_collector_dropped_rows_total';

export interface GpuMetricInfo {
  type: 'counter' | 'gauge';
  labels: readonly string[];
  help: string;
}

const GPU = ['host', 'gpu', 'uuid'] as const;
const SHAPE = ['collective', 'size_bucket', 'nranks'] as const;

/** Type, labels and help of every name above, for whoever registers them. */
export const GPU_METRICS: Readonly<Record<string, GpuMetricInfo>> = {
  [GPU_XID_ERRORS_TOTAL]: { type: 'counter', labels: [...GPU, 'xid'], help: 'XID errors seen on the GPU, by XID code.' },
  [GPU_ROW_REMAP_FAILURE]: { type: 'gauge', labels: GPU, help: '1 when the GPU reported a row-remapping failure (replace the GPU).' },
  [GPU_REMAPPED_ROWS]: { type: 'gauge', labels: [...GPU, 'cause'], help: 'Rows remapped in GPU memory, by cause (correctable, uncorrectable).' },
  [GPU_ECC_UNCORRECTABLE_ERRORS_TOTAL]: { type: 'counter', labels: GPU, help: 'Uncorrectable (double-bit) ECC errors seen in evaluated windows.' },
  [GPU_PCIE_REPLAYS_PER_SECOND]: { type: 'gauge', labels: GPU, help: 'PCIe replay rate over the last window (replays per second).' },
  [GPU_NVLINK_ERRORS_TOTAL]: { type: 'counter', labels: GPU, help: 'NVLink CRC, replay and recovery errors seen in evaluated windows.' },
  [GPU_THROTTLE_SECONDS_TOTAL]: { type: 'counter', labels: [...GPU, 'reason'], help: 'Time the GPU clocks were reduced, by reason (thermal, power).' },
  [GPU_ALLOCATED_IDLE_SECONDS]: { type: 'gauge', labels: GPU, help: 'How long the GPU has had memory allocated with near-zero utilisation (wasted capacity).' },
  [GPU_NVLINK_BYTES_PER_SECOND]: { type: 'gauge', labels: GPU, help: 'NVLink throughput, transmit plus receive, averaged over the last window.' },
  [GPU_PCIE_BYTES_PER_SECOND]: { type: 'gauge', labels: [...GPU, 'direction'], help: 'PCIe throughput by direction (tx, rx), averaged over the last window.' },
  [GPU_DEGRADATIONS_FIRING]: { type: 'gauge', labels: ['kind', 'severity'], help: 'GPU and interconnect degradations currently firing, by kind.' },
  [NCCL_BUSBW_GBS]: { type: 'gauge', labels: [...SHAPE, 'host'], help: 'Latest NCCL bus bandwidth per collective shape (GB/s, 1e9 bytes).' },
  [NCCL_BUSBW_EXPECTED_GBS]: { type: 'gauge', labels: SHAPE, help: 'Learned baseline (median of healthy records) of NCCL bus bandwidth per shape.' },
  [NCCL_TRANSPORT_FALLBACK]: { type: 'gauge', labels: ['host', 'comm', 'rank'], help: '1 when a communicator moves data over sockets or SHM where NVLink/IB was expected.' },
  [COLLECTOR_TARGET_UP]: { type: 'gauge', labels: ['source', 'target'], help: '1 when the last scrape or poll of a collector target succeeded, 0 when it failed or timed out.' },
  [COLLECTOR_SCRAPE_DURATION_SECONDS]: { type: 'gauge', labels: ['source', 'target'], help: 'Duration of the last scrape of a collector target.' },
  [COLLECTOR_SAMPLES_TOTAL]: { type: 'counter', labels: ['source'], help: 'GPU samples and NCCL records collected, by source.' },
  [COLLECTOR_PARSE_ERRORS_TOTAL]: { type: 'counter', labels: ['source'], help: 'Lines a collector could not parse and skipped, by source.' },
  [COLLECTOR_DROPPED_ROWS_TOTAL]: { type: 'counter', labels: ['table'], help: 'Collected rows dropped because the store stayed unavailable past the buffer limit.' },
};
