import { describe, expect, it } from 'vitest';
import { CounterRates, increase, rate } from '../../../src/collectors/counters.js';
import { counterRates, dcgmSamples, dcgmType, isBlank } from '../../../src/collectors/dcgm.js';
import { parseExposition } from '../../../src/collectors/exposition.js';
import { fixture } from './fixtures.js';

const T = 1_795_346_100_000;

describe('dcgmSamples', () => {
  it('maps the current label spellings: hostname, UUID, pod/namespace/container, driver version', () => {
    const samples = dcgmSamples(parseExposition(fixture('dcgm-exporter-v4.prom')), { ts: T, host: 'fallback' });
    expect(samples).toHaveLength(54);
    const util1 = samples.find((s) => s.metric === 'DCGM_FI_DEV_GPU_UTIL' && s.gpu === '1')!;
    expect(util1).toEqual({
      source: 'dcgm', host: 'gpu-node-1', gpu: '1', uuid: 'GPU-6b1c8d2f-3a4e-5f60-9bac-1d2e3f4a5b6c', metric: 'DCGM_FI_DEV_GPU_UTIL', value: 0, ts: T,
      labels: { pci_bus_id: '00000000:2a:00.0', device: 'nvidia1', modelName: 'NVIDIA H100 80GB HBM3', driver_version: '580.159.04', container: 'notebook', namespace: 'research', pod: 'jupyter-7' },
    });
  });

  it('maps old spellings (uuid, Hostname, pod_name, pod_namespace, container_name) onto the same names and drops blank sentinels', () => {
    const samples = dcgmSamples(parseExposition(fixture('dcgm-exporter-v2-old-labels.prom')), { ts: T, host: 'fallback' });
    const temp0 = samples.find((s) => s.metric === 'DCGM_FI_DEV_GPU_TEMP' && s.gpu === '0')!;
    expect(temp0).toMatchObject({ host: 'old-node', uuid: 'GPU-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', value: 61 });
    expect(temp0.labels).toMatchObject({ pod: 'etl-5', namespace: 'batch', container: 'worker' });
    expect(temp0.labels).not.toHaveProperty('pod_name');
    // GPU 1 prints blank sentinels for util (int64), power (fp64) and PCIe replays (int32): all left out
    const gpu1 = samples.filter((s) => s.gpu === '1').map((s) => s.metric).sort();
    expect(gpu1).toEqual(['DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_GPU_TEMP']);
    // empty label values (GPU without a pod) are not stored
    expect(samples.find((s) => s.gpu === '1')!.labels).not.toHaveProperty('pod');
  });

  it('gives MIG instances their own gpu id and profile; the parent GPU keeps its index', () => {
    const samples = dcgmSamples(parseExposition(fixture('dcgm-exporter-mig.prom')), { ts: T, host: 'x' });
    expect(samples.map((s) => `${s.gpu} ${s.metric} ${s.value}`)).toEqual([
      '0/1 DCGM_FI_DEV_FB_USED 20480', '0/9 DCGM_FI_DEV_FB_USED 9000',
      '0/1 DCGM_FI_PROF_GR_ENGINE_ACTIVE 0.87', '0/9 DCGM_FI_PROF_GR_ENGINE_ACTIVE 0', '0 DCGM_FI_DEV_GPU_TEMP 49',
    ]);
    expect(samples[1].labels).toMatchObject({ mig_profile: '1g.10gb', mig_instance: '9' });
  });

  it('uses the target host when the exposition has no hostname label, and drops configured labels', () => {
    const expo = parseExposition('DCGM_FI_DEV_GPU_TEMP{gpu="3",UUID="GPU-x",pod="p",container="c"} 40\nprocess_cpu_seconds_total 3\n');
    const [s, ...rest] = dcgmSamples(expo, { ts: T, host: '10.0.0.7', dropLabels: ['container'] });
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ host: '10.0.0.7', gpu: '3', labels: { pod: 'p' } });
    expect(s.labels).not.toHaveProperty('container');
  });
});

describe('blank sentinels', () => {
  it('are DCGM_INT32/INT64/FP64 BLANK and the three codes after them, and nothing near', () => {
    for (const v of [2147483632, 2147483635, Number("9223372036854775792"), Number("9223372036854775794"), 140737488355328, 140737488355331, NaN, Infinity]) expect(isBlank(v)).toBe(true);
    for (const v of [0, 2147483631, 2147483636, 140737488355327, 140737488355332, 1e15, 98234512345]) expect(isBlank(v)).toBe(false);
  });
});

describe('counters', () => {
  it('TYPE wins; without it the DCGM naming convention decides', () => {
    const types = new Map([['DCGM_FI_DEV_X_TOTAL', 'gauge' as const]]);
    expect(dcgmType('DCGM_FI_DEV_X_TOTAL', types)).toBe('gauge');
    expect(dcgmType('DCGM_FI_DEV_PCIE_REPLAY_COUNTER', new Map())).toBe('counter');
    expect(dcgmType('DCGM_FI_DEV_POWER_VIOLATION', new Map())).toBe('counter');
    expect(dcgmType('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', new Map())).toBe('counter');
    expect(dcgmType('DCGM_FI_DEV_GPU_TEMP', new Map())).toBe('gauge');
  });

  it('increase and rate treat a drop as a restart from zero', () => {
    const pts = [{ ts: 0, value: 10 }, { ts: 10_000, value: 30 }, { ts: 20_000, value: 5 }, { ts: 30_000, value: 15 }];
    expect(increase(pts)).toBe(20 + 5 + 10);
    expect(rate(pts)).toBeCloseTo(35 / 30, 12);
    expect(rate(pts.slice(0, 1))).toBeUndefined();
  });

  it('derive per-second rates between scrapes, across an exporter restart', () => {
    const rates = new CounterRates();
    const page = (replays: number, energy: number) =>
      `DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu="0",UUID="U"} ${replays}\nDCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",UUID="U"} ${energy}\nDCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="U"} 50\n`;
    const scrape = (ts: number, replays: number, energy: number) => {
      const expo = parseExposition(page(replays, energy));
      return counterRates(dcgmSamples(expo, { ts, host: 'h' }), expo.types, rates);
    };
    expect(scrape(T, 100, 1_000_000)).toEqual([]);
    const second = scrape(T + 10_000, 130, 8_000_000);
    expect(second.map((s) => [s.metric, s.value])).toEqual([
      ['DCGM_FI_DEV_PCIE_REPLAY_COUNTER:rate', 3],
      ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION:rate', 700_000], // mJ/s = 700 W
    ]);
    const afterReset = scrape(T + 20_000, 20, 7_000_000);
    expect(afterReset.map((s) => s.value)).toEqual([2, 700_000]);
  });
});
