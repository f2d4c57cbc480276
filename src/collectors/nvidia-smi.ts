// nvidia-smi --query-gpu CSV → GpuSamples under the same DCGM field names dcgm-exporter uses, so both
// sources land in one series. Handles headers with units, renamed fields, [N/A]-style values and hex bitmasks.
import type { GpuSample } from './types.js';

type FieldRole =
  | { kind: 'metric'; metric: string; scale?: number }
  | { kind: 'label'; label: string }
  | { kind: 'timestamp' | 'index' | 'uuid' };

/** Canonical query field → what it becomes. `scale` converts nvidia-smi's unit to DCGM's. */
export const SMI_FIELDS: Record<string, FieldRole> = {
  timestamp: { kind: 'timestamp' },
  index: { kind: 'index' },
  uuid: { kind: 'uuid' },
  name: { kind: 'label', label: 'modelName' },
  'pci.bus_id': { kind: 'label', label: 'pci_bus_id' },
  driver_version: { kind: 'label', label: 'driver_version' },
  'utilization.gpu': { kind: 'metric', metric: 'DCGM_FI_DEV_GPU_UTIL' },
  'utilization.memory': { kind: 'metric', metric: 'DCGM_FI_DEV_MEM_COPY_UTIL' },
  'utilization.encoder': { kind: 'metric', metric: 'DCGM_FI_DEV_ENC_UTIL' },
  'utilization.decoder': { kind: 'metric', metric: 'DCGM_FI_DEV_DEC_UTIL' },
  'memory.total': { kind: 'metric', metric: 'DCGM_FI_DEV_FB_TOTAL' },
  'memory.used': { kind: 'metric', metric: 'DCGM_FI_DEV_FB_USED' },
  'memory.free': { kind: 'metric', metric: 'DCGM_FI_DEV_FB_FREE' },
  'memory.reserved': { kind: 'metric', metric: 'DCGM_FI_DEV_FB_RESERVED' },
  'temperature.gpu': { kind: 'metric', metric: 'DCGM_FI_DEV_GPU_TEMP' },
  'temperature.memory': { kind: 'metric', metric: 'DCGM_FI_DEV_MEMORY_TEMP' },
  'power.draw': { kind: 'metric', metric: 'DCGM_FI_DEV_POWER_USAGE' },
  'power.limit': { kind: 'metric', metric: 'DCGM_FI_DEV_POWER_MGMT_LIMIT' },
  'enforced.power.limit': { kind: 'metric', metric: 'DCGM_FI_DEV_ENFORCED_POWER_LIMIT' },
  'clocks.sm': { kind: 'metric', metric: 'DCGM_FI_DEV_SM_CLOCK' },
  'clocks.mem': { kind: 'metric', metric: 'DCGM_FI_DEV_MEM_CLOCK' },
  'clocks_throttle_reasons.active': { kind: 'metric', metric: 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS' },
  // nvidia-smi and DCGM (dcgm_fields.h, dcgm-exporter's counters CSV) both count throttled time in µs
  'clocks_throttle_reasons_counters.sw_power_cap': { kind: 'metric', metric: 'DCGM_FI_DEV_POWER_VIOLATION' },
  'clocks_throttle_reasons_counters.hw_thermal_slowdown': { kind: 'metric', metric: 'DCGM_FI_DEV_THERMAL_VIOLATION' },
  'clocks_throttle_reasons_counters.sync_boost': { kind: 'metric', metric: 'DCGM_FI_DEV_SYNC_BOOST_VIOLATION' },
  'pcie.link.gen.current': { kind: 'metric', metric: 'DCGM_FI_DEV_PCIE_LINK_GEN' },
  'pcie.link.width.current': { kind: 'metric', metric: 'DCGM_FI_DEV_PCIE_LINK_WIDTH' },
  'ecc.errors.corrected.volatile.total': { kind: 'metric', metric: 'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL' },
  'ecc.errors.uncorrected.volatile.total': { kind: 'metric', metric: 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL' },
  'ecc.errors.corrected.aggregate.total': { kind: 'metric', metric: 'DCGM_FI_DEV_ECC_SBE_AGG_TOTAL' },
  'ecc.errors.uncorrected.aggregate.total': { kind: 'metric', metric: 'DCGM_FI_DEV_ECC_DBE_AGG_TOTAL' },
  'remapped_rows.correctable': { kind: 'metric', metric: 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS' },
  'remapped_rows.uncorrectable': { kind: 'metric', metric: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS' },
  'remapped_rows.pending': { kind: 'metric', metric: 'DCGM_FI_DEV_ROW_REMAP_PENDING' },
  'remapped_rows.failure': { kind: 'metric', metric: 'DCGM_FI_DEV_ROW_REMAP_FAILURE' },
  'fan.speed': { kind: 'metric', metric: 'DCGM_FI_DEV_FAN_SPEED' },
  pstate: { kind: 'metric', metric: 'DCGM_FI_DEV_PSTATE' },
};

/**
 * What the collector asks nvidia-smi for: fields every driver since R470 accepts (one unknown field fails the
 * whole query), spelled the old way where there are two (clocks_throttle_reasons works on R535+ too).
 */
export const DEFAULT_QUERY: readonly string[] = [
  'timestamp', 'index', 'uuid', 'name', 'pci.bus_id', 'driver_version', 'utilization.gpu', 'utilization.memory',
  'memory.total', 'memory.used', 'memory.free', 'temperature.gpu', 'temperature.memory', 'power.draw', 'power.limit',
  'clocks.sm', 'clocks.mem', 'clocks_throttle_reasons.active', 'pcie.link.gen.current', 'pcie.link.width.current',
  'ecc.errors.corrected.volatile.total', 'ecc.errors.uncorrected.volatile.total', 'remapped_rows.uncorrectable',
  'remapped_rows.failure', 'fan.speed', 'pstate',
];

/** Alternative spellings nvidia-smi accepts or prints (`nvidia-smi --help-query-gpu`: "A" or "B"). */
const ALIASES: Record<string, string> = {
  gpu_name: 'name',
  gpu_uuid: 'uuid',
  gpu_bus_id: 'pci.bus_id',
  'clocks.current.sm': 'clocks.sm',
  'clocks.current.memory': 'clocks.mem',
  'remapped_rows.sbe': 'remapped_rows.correctable',
  'remapped_rows.dbe': 'remapped_rows.uncorrectable',
  'gpu.power.requested_limit': 'power.limit',
  'gpu.power.current_limit': 'enforced.power.limit',
};

/** "clocks.current.sm [MHz]" → "clocks.sm": strips the unit, folds renamed fields onto one name. */
export function canonicalField(header: string): string {
  let name = header.trim();
  const bracket = name.indexOf(' [');
  if (bracket !== -1) name = name.slice(0, bracket).trim();
  name = name.replace(/^clocks_event_reasons/, 'clocks_throttle_reasons');
  return ALIASES[name] ?? name;
}

/** NVML clock event (throttle) reason bits, nvml.h nvmlClocksEventReason*. */
export const THROTTLE_REASONS: ReadonlyArray<readonly [bit: number, name: string]> = [
  [0x1, 'gpu_idle'],
  [0x2, 'applications_clocks_setting'],
  [0x4, 'sw_power_cap'],
  [0x8, 'hw_slowdown'],
  [0x10, 'sync_boost'],
  [0x20, 'sw_thermal_slowdown'],
  [0x40, 'hw_thermal_slowdown'],
  [0x80, 'hw_power_brake_slowdown'],
  [0x100, 'display_clock_setting'],
];

/** Named reasons set in a bitmask; unknown bits come back as "bit_<n>". */
export function decodeThrottleReasons(mask: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 53 && 2 ** bit <= mask; bit++) {
    if (Math.floor(mask / 2 ** bit) % 2 === 0) continue;
    const known = THROTTLE_REASONS.find(([b]) => b === 2 ** bit);
    names.push(known ? known[1] : `bit_${bit}`);
  }
  return names;
}

const MISSING = /^\[?(n\/a|not supported|unknown error|insufficient permissions|gpu requires reset|gpu is lost|not available)\]?$/i;

/** A cell as a number: decimal, 0x-hex, "P3" pstates, "Enabled"/"Disabled"; undefined when missing. */
export function cellNumber(cell: string): number | undefined {
  const t = cell.trim();
  if (t === '' || MISSING.test(t)) return undefined;
  if (/^0x[0-9a-f]+$/i.test(t)) return Number(BigInt(t));
  if (/^P\d{1,2}$/.test(t)) return Number(t.slice(1));
  if (/^(enabled|yes|active)$/i.test(t)) return 1;
  if (/^(disabled|no|not active)$/i.test(t)) return 0;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** "2026/11/22 11:13:57.905" (nvidia-smi prints local time) → epoch ms, given the printing host's UTC offset. */
export function parseSmiTimestamp(text: string, utcOffsetMinutes: number): number | undefined {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Number(m[7].padEnd(3, '0')) : 0);
  return ms - utcOffsetMinutes * 60_000;
}

export interface SmiOptions {
  host: string;
  /** field names in column order, for output without a header line (`--format=csv,noheader`) */
  fields?: readonly string[];
  /** UTC offset of the machine that printed the timestamps, in minutes (nvidia-smi prints local time) */
  utcOffsetMinutes?: number;
  /** time used when a row has no timestamp column (epoch ms) */
  now: number;
}

export interface SmiRowError {
  line: number;
  message: string;
}

/** Incremental reader of nvidia-smi CSV output, one line at a time, for files and `-lms` streams alike. */
export class SmiCsvReader {
  private fields: string[] | undefined;
  private lineNo = 0;
  readonly errors: SmiRowError[] = [];

  constructor(private readonly opts: SmiOptions) {
    this.fields = opts.fields?.map(canonicalField);
  }

  /** Samples from one line; a header line (printed once, or again after a restart) just sets the columns. */
  line(text: string): GpuSample[] {
    this.lineNo++;
    const raw = text.replace(/\r$/, '');
    if (raw.trim() === '') return [];
    const cells = raw.split(',').map((c) => c.trim());
    if (looksLikeHeader(cells)) {
      this.fields = cells.map(canonicalField);
      return [];
    }
    if (!this.fields) return this.fail('data row before any header and no field list given');
    if (cells.length !== this.fields.length) {
      return this.fail(`expected ${this.fields.length} columns, got ${cells.length}`);
    }
    return this.row(this.fields, cells);
  }

  private fail(message: string): GpuSample[] {
    if (this.errors.length < 100) this.errors.push({ line: this.lineNo, message });
    return [];
  }

  private row(fields: string[], cells: string[]): GpuSample[] {
    let ts = this.opts.now;
    let gpu = '';
    let uuid = '';
    const labels: Record<string, string> = {};
    const metrics: Array<[string, number, string]> = [];
    for (let i = 0; i < fields.length; i++) {
      const role = SMI_FIELDS[fields[i]];
      const cell = cells[i];
      if (!role) continue;
      switch (role.kind) {
        case 'timestamp': {
          const parsed = parseSmiTimestamp(cell, this.opts.utcOffsetMinutes ?? 0);
          if (parsed === undefined) return this.fail(`bad timestamp "${cell}"`);
          ts = parsed;
          break;
        }
        case 'index': gpu = cell; break;
        case 'uuid': uuid = cell; break;
        case 'label':
          if (cell !== '' && !MISSING.test(cell)) labels[role.label] = cell;
          break;
        case 'metric': {
          const v = cellNumber(cell);
          if (v !== undefined) metrics.push([role.metric, v * (role.scale ?? 1), cell]);
        }
      }
    }
    return metrics.map(([metric, value]) => ({
      source: 'nvidia-smi' as const,
      host: this.opts.host,
      gpu,
      uuid,
      metric,
      value,
      labels: metric === 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS' ? { ...labels, reasons: decodeThrottleReasons(value).join(',') } : labels,
      ts,
    }));
  }
}

function looksLikeHeader(cells: string[]): boolean {
  let known = 0;
  for (const c of cells) if (SMI_FIELDS[canonicalField(c)] || /^[a-z_][\w.]*\s\[[^\]]+\]$/i.test(c)) known++;
  return known * 2 >= cells.length && known > 0;
}

/** Parses a whole captured CSV (with its header, or with `fields` given). */
export function parseSmiCsv(text: string, opts: SmiOptions): { samples: GpuSample[]; errors: SmiRowError[] } {
  const reader = new SmiCsvReader(opts);
  const samples: GpuSample[] = [];
  for (const line of text.split('\n')) for (const s of reader.line(line)) samples.push(s);
  return { samples, errors: reader.errors };
}
