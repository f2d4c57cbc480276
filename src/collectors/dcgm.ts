// dcgm-exporter exposition → GpuSamples: old and new label spellings, MIG instances, DCGM "blank" sentinels,
// counters told apart from gauges, and per-second rates derived from counters.
import { CounterRates } from './counters.js';
import type { Exposition, MetricType } from './exposition.js';
import type { GpuSample } from './types.js';

/** Old dcgm-exporter label names → the names driftwatch stores. */
const LABEL_RENAMES: Record<string, string> = {
  pod_name: 'pod',
  container_name: 'container',
  pod_namespace: 'namespace',
  GPU_I_PROFILE: 'mig_profile',
  GPU_I_ID: 'mig_instance',
  DCGM_FI_DRIVER_VERSION: 'driver_version',
};
/** Labels that become columns rather than stored labels. */
const IDENTITY_LABELS = new Set(['gpu', 'GPU', 'UUID', 'uuid', 'Hostname', 'hostname']);

// DCGM's "no value" markers (dcgm_structs.h): BLANK, NOT_FOUND, NOT_SUPPORTED, NOT_PERMISSIONED.
const INT32_BLANK = 0x7ffffff0;
const FP64_BLANK = 140737488355328;
const INT64_BLANK = 2 ** 63 - 16; // 0x7ffffffffffffff0, as close as float64 gets

/** True for the sentinel values old DCGM builds print instead of leaving a field out. */
export function isBlank(value: number): boolean {
  if (!Number.isFinite(value)) return true; // NaN and ±Inf cannot be stored as JSON numbers
  if (value >= INT64_BLANK - 1024) return true; // float64 cannot tell 0x7ff…f0 from its neighbours
  if (value >= FP64_BLANK && value <= FP64_BLANK + 3) return true;
  return value >= INT32_BLANK && value <= INT32_BLANK + 3 && Number.isInteger(value);
}

const COUNTER_NAME = /(_TOTAL|_COUNTER|_COUNT|_VIOLATION|_REMAPPED_ROWS|_CONSUMPTION)$/;

/** Counter or gauge: the TYPE line when there is one, else the DCGM naming convention. */
export function dcgmType(name: string, types: Map<string, MetricType>): 'counter' | 'gauge' {
  const declared = types.get(name);
  if (declared === 'counter') return 'counter';
  if (declared === 'gauge') return 'gauge';
  return COUNTER_NAME.test(name) ? 'counter' : 'gauge';
}

export interface DcgmOptions {
  /** scrape time (epoch ms), used when a line has no timestamp */
  ts: number;
  /** host when the exposition has no hostname label (usually the target's host) */
  host: string;
  /** stored labels to drop, to keep cardinality down (after renaming) */
  dropLabels?: readonly string[];
}

/** Normalizes every DCGM_* sample of one scrape; other metric families (go_*, process_*) are ignored. */
export function dcgmSamples(expo: Exposition, opts: DcgmOptions): GpuSample[] {
  const out: GpuSample[] = [];
  const drop = new Set(opts.dropLabels ?? []);
  for (const s of expo.samples) {
    if (!s.name.startsWith('DCGM_')) continue;
    if (isBlank(s.value)) continue;
    const l = s.labels;
    const labels: Record<string, string> = {};
    for (const key in l) {
      if (IDENTITY_LABELS.has(key)) continue;
      const name = LABEL_RENAMES[key] ?? key;
      if (drop.has(name) || l[key] === '') continue;
      if (!(name in labels)) labels[name] = l[key];
    }
    const gpuIndex = l.gpu ?? l.GPU ?? '';
    const mig = labels.mig_instance;
    out.push({
      source: 'dcgm',
      host: l.hostname || l.Hostname || opts.host,
      gpu: mig !== undefined ? `${gpuIndex}/${mig}` : gpuIndex,
      uuid: l.UUID ?? l.uuid ?? '',
      metric: s.name,
      value: s.value,
      labels,
      ts: s.timestampMs ?? opts.ts,
    });
  }
  return out;
}

/** Series identity of a sample: what a counter's previous value is looked up by. */
export function seriesKey(s: GpuSample): string {
  return `${s.host}\u0000${s.gpu}\u0000${s.uuid}\u0000${s.metric}\u0000${JSON.stringify(s.labels)}`;
}

export const RATE_SUFFIX = ':rate';

/** For each counter sample, a `<metric>:rate` sample (per second since the previous scrape; resets handled). */
export function counterRates(samples: readonly GpuSample[], types: Map<string, MetricType>, rates: CounterRates): GpuSample[] {
  const out: GpuSample[] = [];
  for (const s of samples) {
    if (dcgmType(s.metric, types) !== 'counter') continue;
    const r = rates.observe(seriesKey(s), s.value, s.ts);
    if (r !== undefined) out.push({ ...s, metric: s.metric + RATE_SUFFIX, value: r });
  }
  return out;
}
