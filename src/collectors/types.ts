// The normalized shapes every GPU and NCCL source is turned into, and what the store tables expect.

/** One value of one GPU metric at one time, whatever the source (dcgm-exporter, nvidia-smi). */
export interface GpuSample {
  source: 'dcgm' | 'nvidia-smi' | 'collector';
  host: string;
  /** GPU index as a string; a MIG instance is "<gpu>/<GPU_I_ID>". */
  gpu: string;
  uuid: string;
  /** DCGM field name (e.g. DCGM_FI_DEV_GPU_UTIL) — nvidia-smi fields are mapped to the same names. */
  metric: string;
  value: number;
  labels: Record<string, string>;
  /** epoch milliseconds */
  ts: number;
}

/** One completed collective (or one nccl-tests row) as seen by one rank. */
export interface NcclRecord {
  source: 'nccl-tests' | 'nccl-inspector' | 'nccl-inspector-prom' | 'nccl-debug';
  host: string;
  comm: string;
  rank: number;
  nranks: number;
  collective: string;
  bytes: number;
  /** null when the source does not time calls (NCCL_DEBUG call lines) */
  time_us: number | null;
  algbw_gbs: number | null;
  busbw_gbs: number | null;
  /** epoch milliseconds */
  ts: number;
}

/** The subset of the store the collectors write through (structurally the lead's `Store`). */
export interface SampleSink {
  insert(table: string, rows: Record<string, unknown>[]): Promise<void>;
}

export const GPU_SAMPLES_TABLE = 'gpu_samples';
export const NCCL_TABLE = 'nccl_collectives';

/** Row for `gpu_samples` (DateTime columns take unix seconds). */
export function gpuSampleRow(s: GpuSample): Record<string, unknown> {
  return {
    ts: Math.floor(s.ts / 1000),
    ts_ms: s.ts,
    source: s.source,
    host: s.host,
    gpu: s.gpu,
    uuid: s.uuid,
    metric: s.metric,
    value: s.value,
    labels: JSON.stringify(s.labels),
  };
}

/** Row for `nccl_collectives`; untimed records store 0 for time and bandwidths. */
export function ncclRow(r: NcclRecord): Record<string, unknown> {
  return {
    ts: Math.floor(r.ts / 1000),
    ts_ms: r.ts,
    source: r.source,
    host: r.host,
    comm: r.comm,
    rank: r.rank,
    nranks: r.nranks,
    collective: r.collective,
    bytes: r.bytes,
    time_us: r.time_us ?? 0,
    algbw_gbs: r.algbw_gbs ?? 0,
    busbw_gbs: r.busbw_gbs ?? 0,
  };
}
