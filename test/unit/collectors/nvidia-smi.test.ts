import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY, canonicalField, cellNumber, decodeThrottleReasons, parseSmiCsv, parseSmiTimestamp, SMI_FIELDS, SmiCsvReader } from '../../../src/collectors/nvidia-smi.js';
import { queryNvidiaSmi } from '../../../src/collectors/smi-runner.js';
import { FIXTURES, fixture, fixtureJson } from './fixtures.js';

interface SmiReference {
  rows: number;
  first_ts_ms: number;
  last_ts_ms: number;
  na_fan_rows: number;
  mask_values: number[];
  max_power_w: number;
  mean_util_percent: number;
}
const ref = fixtureJson<SmiReference>('smi-reference.json');
const CAPTURE = 'gpu-h100/query-gpu-under-load.csv';
const NOW = 1_800_000_000_000;

describe('nvidia-smi CSV (real H100 capture)', () => {
  const { samples, errors } = parseSmiCsv(fixture(CAPTURE), { host: 'h100-vm', now: NOW });
  const series = (metric: string) => samples.filter((s) => s.metric === metric);

  it('reads every row under renamed headers (clocks.current.sm, clocks_event_reasons.active)', () => {
    expect(errors).toEqual([]);
    expect(series('DCGM_FI_DEV_GPU_UTIL')).toHaveLength(ref.rows);
    expect(series('DCGM_FI_DEV_SM_CLOCK')).toHaveLength(ref.rows);
    expect(series('DCGM_FI_DEV_CLOCK_THROTTLE_REASONS')).toHaveLength(ref.rows);
    expect(series('DCGM_FI_DEV_GPU_UTIL')[0].ts).toBe(ref.first_ts_ms);
    expect(series('DCGM_FI_DEV_GPU_UTIL').at(-1)!.ts).toBe(ref.last_ts_ms);
  });

  it('leaves [N/A] cells out instead of storing zeros', () => {
    expect(ref.na_fan_rows).toBe(ref.rows);
    expect(series('DCGM_FI_DEV_FAN_SPEED')).toEqual([]);
  });

  it('matches the independent python reading of the capture', () => {
    expect(Math.max(...series('DCGM_FI_DEV_POWER_USAGE').map((s) => s.value))).toBe(ref.max_power_w);
    const util = series('DCGM_FI_DEV_GPU_UTIL').map((s) => s.value);
    expect(util.reduce((a, b) => a + b, 0) / util.length).toBeCloseTo(ref.mean_util_percent, 9);
    expect([...new Set(series('DCGM_FI_DEV_CLOCK_THROTTLE_REASONS').map((s) => s.value))].sort()).toEqual(ref.mask_values);
  });

  it('decodes the hex throttle bitmask into named reasons and keeps identity labels', () => {
    const capped = series('DCGM_FI_DEV_CLOCK_THROTTLE_REASONS').find((s) => s.value === 4)!;
    expect(capped).toMatchObject({ source: 'nvidia-smi', host: 'h100-vm', gpu: '0', uuid: 'GPU-db117bc9-f446-5863-441b-1b018930f56e' });
    expect(capped.labels).toEqual({ modelName: 'NVIDIA H100 80GB HBM3', pci_bus_id: '00000000:00:06.0', driver_version: '580.159.04', reasons: 'sw_power_cap' });
    expect(series('DCGM_FI_DEV_PSTATE')[0].value).toBe(0);
  });
});

describe('nvidia-smi field names', () => {
  it('folds every "A" or "B" pair of --help-query-gpu that we map onto one name', () => {
    const pairs = [...fixture('gpu-h100/help-query-gpu.txt').matchAll(/^"([^"]+)" or "([^"]+)"$/gm)];
    expect(pairs.length).toBeGreaterThan(30);
    let mapped = 0;
    for (const [, a, b] of pairs) {
      if (!SMI_FIELDS[canonicalField(a)] && !SMI_FIELDS[canonicalField(b)]) continue;
      mapped++;
      expect(canonicalField(a), `${a} / ${b}`).toBe(canonicalField(b));
    }
    expect(mapped).toBeGreaterThanOrEqual(10);
  });

  it('every mapped field exists in --help-query-gpu under one of its spellings', () => {
    const help = fixture('gpu-h100/help-query-gpu.txt');
    const known = new Set([...help.matchAll(/^"([^"]+)"/gm)].map((m) => canonicalField(m[1])));
    for (const m of help.matchAll(/^"[^"]+" or "([^"]+)"/gm)) known.add(canonicalField(m[1]));
    for (const field of Object.keys(SMI_FIELDS)) expect(known, field).toContain(field);
  });

  it('the default query uses only spellings --help-query-gpu lists verbatim, all of them mapped', () => {
    const help = fixture('gpu-h100/help-query-gpu.txt');
    const spelled = new Set([...help.matchAll(/"([^"]+)"/g)].map((m) => m[1]));
    for (const field of DEFAULT_QUERY) {
      expect(spelled, field).toContain(field);
      expect(SMI_FIELDS[canonicalField(field)], field).toBeDefined();
    }
  });

  it('strips units and folds renames', () => {
    expect(canonicalField(' utilization.gpu [%]')).toBe('utilization.gpu');
    expect(canonicalField('clocks.current.memory [MHz]')).toBe('clocks.mem');
    expect(canonicalField('clocks_event_reasons.active')).toBe('clocks_throttle_reasons.active');
  });
});

describe('nvidia-smi cells', () => {
  it('reads hex masks, pstates, [Not Supported] and friends', () => {
    expect(cellNumber('0x0000000000000044')).toBe(0x44);
    expect(cellNumber('P8')).toBe(8);
    for (const c of ['[N/A]', 'N/A', '[Not Supported]', '[Unknown Error]', '[Insufficient Permissions]', '[GPU requires reset]', '']) expect(cellNumber(c)).toBeUndefined();
    expect(cellNumber('Enabled')).toBe(1);
  });

  it('decodes every NVML reason bit and names unknown ones', () => {
    expect(decodeThrottleReasons(0)).toEqual([]);
    expect(decodeThrottleReasons(0x1ff)).toEqual([
      'gpu_idle', 'applications_clocks_setting', 'sw_power_cap', 'hw_slowdown', 'sync_boost',
      'sw_thermal_slowdown', 'hw_thermal_slowdown', 'hw_power_brake_slowdown', 'display_clock_setting',
    ]);
    expect(decodeThrottleReasons(0x44 + 0x1000)).toEqual(['sw_power_cap', 'hw_thermal_slowdown', 'bit_12']);
  });

  it('applies the printing host UTC offset to local timestamps', () => {
    expect(parseSmiTimestamp('2026/11/22 11:13:57.905', 0)).toBe(Date.UTC(2026, 10, 22, 11, 13, 57, 905));
    expect(parseSmiTimestamp('2026/11/22 11:13:57.905', 60)).toBe(Date.UTC(2026, 10, 22, 10, 13, 57, 905));
    expect(parseSmiTimestamp('22/11/2026', 0)).toBeUndefined();
  });

  it('streams noheader output given the field list, and reports rows with the wrong column count', () => {
    const reader = new SmiCsvReader({ host: 'h', now: NOW, fields: ['index', 'uuid', 'utilization.gpu', 'memory.used', 'clocks_throttle_reasons.active'] });
    expect(reader.line('0, GPU-a, 57, 1024, 0x0000000000000040')).toHaveLength(3);
    expect(reader.line('1, GPU-b, [N/A], 10')).toEqual([]);
    expect(reader.errors).toEqual([{ line: 2, message: 'expected 5 columns, got 4' }]);
    const [util] = reader.line('1, GPU-b, 3, 2048, 0x0');
    expect(util).toMatchObject({ gpu: '1', uuid: 'GPU-b', metric: 'DCGM_FI_DEV_GPU_UTIL', value: 3, ts: NOW });
  });

  it('refuses data before any header when no field list was given', () => {
    const { samples, errors } = parseSmiCsv('0, GPU-a, 57\n', { host: 'h', now: NOW });
    expect(samples).toEqual([]);
    expect(errors[0].message).toMatch(/before any header/);
  });
});

describe('nvidia-smi spawn (fake binary printing the capture)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-smi-'));
  const fake = join(dir, 'nvidia-smi');
  writeFileSync(fake, `#!/bin/sh\necho "$@" > "${dir}/args"\ncat "${FIXTURES}${CAPTURE}"\n`);
  chmodSync(fake, 0o755);
  const broken = join(dir, 'nvidia-smi-broken');
  writeFileSync(broken, `#!/bin/sh\necho "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2\nexit 9\n`);
  chmodSync(broken, 0o755);

  it('asks for CSV without header or units and parses what it prints', async () => {
    const { samples, errors } = await queryNvidiaSmi({ bin: fake, host: 'node-7' });
    expect(errors).toEqual([]);
    const args = readFileSync(join(dir, 'args'), 'utf8');
    expect(args).toMatch(/--query-gpu=timestamp,index,uuid,.*utilization\.gpu/);
    expect(args).toContain('--format=csv,noheader,nounits');
    expect(samples.filter((s) => s.metric === 'DCGM_FI_DEV_GPU_UTIL')).toHaveLength(ref.rows);
    expect(samples[0].host).toBe('node-7');
  });

  it('rejects with nvidia-smi stderr when it fails, and with ENOENT when it is missing', async () => {
    await expect(queryNvidiaSmi({ bin: broken })).rejects.toThrow(/exited 9: NVIDIA-SMI has failed/);
    await expect(queryNvidiaSmi({ bin: join(dir, 'missing') })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
