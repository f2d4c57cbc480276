import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { dcgmType } from '../../../src/collectors/dcgm.js';
import { parseTargetsFile } from '../../../src/collectors/targets.js';

const DIR = fileURLToPath(new URL('../../../collectors/', import.meta.url));
const read = (name: string) => readFileSync(DIR + name, 'utf8');

describe('collectors/ deployable configuration', () => {
  const rows = read('dcgm-exporter-counters.csv').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').map((c) => c.trim()));

  it('counters CSV: three fields per line, known types, no duplicates', () => {
    expect(rows.length).toBeGreaterThan(30);
    for (const r of rows) {
      expect(r.length, r.join(',')).toBeGreaterThanOrEqual(3);
      expect(r[0]).toMatch(/^DCGM_FI_(DEV|PROF|DRIVER)_[A-Z0-9_]+$/);
      expect(['gauge', 'counter', 'label']).toContain(r[1]);
    }
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);
  });

  it('counter-vs-gauge from the naming convention agrees with the CSV (pages without TYPE lines)', () => {
    for (const [name, type] of rows) if (type !== 'label') expect(dcgmType(name, new Map()), name).toBe(type);
  });

  it('asks the exporter for every field the health signals read', () => {
    const health = readFileSync(fileURLToPath(new URL('../../../src/collectors/health.ts', import.meta.url)), 'utf8');
    const used = new Set([...health.matchAll(/'(DCGM_FI_[A-Z0-9_]+)'/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(10);
    const exported = new Set(rows.map((r) => r[0]));
    for (const field of used) if (field !== 'DCGM_FI_DEV_ECC_DBE_AGG_TOTAL') expect(exported, field).toContain(field);
  });

  it('the targets example is a file_sd file driftwatch reads', () => {
    expect(parseTargetsFile(read('dcgm-targets.example.json'))).toEqual(['http://gpu-node-1:9400/metrics', 'http://gpu-node-2:9400/metrics', 'http://gpu-node-3:9400/metrics']);
  });

  it('the scrape config is a Prometheus config promtool accepts', () => {
    const doc = parseYaml(read('prometheus-scrape.yml')) as { scrape_configs: Array<{ job_name: string }> };
    expect(doc.scrape_configs.map((s) => s.job_name)).toEqual(['dcgm-exporter', 'driftwatch']);
    const out = execFileSync('promtool', ['check', 'config', `${DIR}prometheus-scrape.yml`], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS/);
  });

  it('the Inspector env file sets the plugin, enables it and names the dump directory', () => {
    const env = Object.fromEntries(read('nccl-inspector.env').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=', 2)));
    expect(env).toMatchObject({ NCCL_INSPECTOR_ENABLE: '1', NCCL_DEBUG: 'INFO' });
    expect(env.NCCL_PROFILER_PLUGIN).toMatch(/libnccl-profiler-inspector\.so$/);
    expect(env.NCCL_INSPECTOR_DUMP_DIR).toMatch(/^\//);
  });
});
