import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/commands/collect.js';
import { main } from '../../../src/main.js';
import { FIXTURES } from './fixtures.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l), env: {} } };
}

let server: Server;
let url = '';
beforeAll(async () => {
  const { readFileSync } = await import('node:fs');
  const page = readFileSync(`${FIXTURES}dcgm-exporter-mig.prom`, 'utf8');
  server = createServer((_req, res) => res.end(page));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/metrics`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('driftwatch collect', () => {
  it('dcgm --target URL --once --json prints normalized samples as JSON lines', async () => {
    const t = io();
    expect(await run(['dcgm', '--target', url, '--once', '--json'], t.io)).toBe(0);
    const lines = t.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(6);
    expect(Object.keys(lines[0])).toEqual(['source', 'host', 'gpu', 'uuid', 'metric', 'value', 'labels', 'ts']);
    expect(lines[0]).toMatchObject({ source: 'dcgm', host: 'mig-node', gpu: '0/1', metric: 'DCGM_FI_DEV_FB_USED', value: 20480 });
    expect(lines.at(-1)).toMatchObject({ source: 'collector', metric: 'up', value: 1 });
  });

  it('dcgm --input FILE reads a saved page; --targets-file scrapes what the file lists and reports a dead one', async () => {
    const t = io();
    expect(await run(['dcgm', '--input', `${FIXTURES}dcgm-exporter-v2-old-labels.prom`, '--once', '--json'], t.io)).toBe(0);
    expect(t.out).toHaveLength(9);
    expect(t.err).toEqual(['line 6: expected "," or "}" after label Hostname (skipped)']);
    const dir = mkdtempSync(join(tmpdir(), 'dw-cli-targets-'));
    writeFileSync(join(dir, 'targets.txt'), `${url}\nhttp://127.0.0.1:1/metrics\n`);
    const t2 = io();
    expect(await run(['dcgm', '--targets-file', join(dir, 'targets.txt'), '--timeout', '2s', '--once', '--json'], t2.io)).toBe(1);
    expect(t2.out.map((l) => JSON.parse(l) as { metric: string; value: number }).filter((s) => s.metric === 'up').map((s) => s.value)).toEqual([1, 0]);
    expect(t2.err).toHaveLength(1);
  });

  it('dcgm against a closed port exits 2 with one line', async () => {
    const t = io();
    expect(await main(['collect', 'dcgm', '--target', 'http://127.0.0.1:1/metrics', '--timeout', '2s', '--once', '--json'], t.io)).toBe(2);
    expect(t.err.at(-1)).toMatch(/^driftwatch collect: cannot scrape http:\/\/127\.0\.0\.1:1\/metrics: /);
    expect(t.err.at(-1)).not.toContain('\n');
  });

  it('nvidia-smi --input CAPTURE --once --json', async () => {
    const t = io();
    expect(await run(['nvidia-smi', '--input', `${FIXTURES}gpu-h100/query-gpu-under-load.csv`, '--host', 'vm', '--once', '--json'], t.io)).toBe(0);
    const first = JSON.parse(t.out[0]) as Record<string, unknown>;
    expect(first).toMatchObject({ source: 'nvidia-smi', host: 'vm', gpu: '0', metric: 'DCGM_FI_DEV_GPU_UTIL', value: 0, ts: Date.UTC(2026, 10, 22, 11, 13, 57, 905) });
    expect(t.out.filter((l) => l.includes('"DCGM_FI_DEV_GPU_UTIL"'))).toHaveLength(80);
  });

  it('nccl --input DIR --once --json prints records in the documented shape', async () => {
    const t = io();
    expect(await run(['nccl', '--input', `${FIXTURES}inspector`, '--once', '--json'], t.io)).toBe(0);
    expect(t.out).toHaveLength(13);
    const r = JSON.parse(t.out[0]) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(['source', 'host', 'comm', 'rank', 'nranks', 'collective', 'bytes', 'time_us', 'algbw_gbs', 'busbw_gbs', 'ts']);
    expect(t.err[0]).toMatch(/line 14: .* \(skipped\)/);
  });

  it('nccl on the real NCCL_DEBUG log prints the communicator and the calls', async () => {
    const t = io();
    expect(await run(['nccl', '--input', `${FIXTURES}gpu-h100/nccl-debug.log`, '--once', '--json'], t.io)).toBe(0);
    expect(JSON.parse(t.out[0])).toMatchObject({ source: 'nccl-debug', communicator: { network: 'Socket', nranks: 1, ib_unavailable: true } });
    expect(t.out).toHaveLength(81);
  });

  it('unreadable input exits 2 with a one-line reason', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dw-empty-'));
    for (const argv of [
      ['collect', 'nccl', '--input', '/no/such/file', '--once', '--json'],
      ['collect', 'nccl', '--input', empty, '--once'],
      ['collect', 'nvidia-smi', '--input', '/no/such.csv', '--once'],
      ['collect', 'nvidia-smi', '--input', `${FIXTURES}dcgm-exporter-v4.prom`, '--once'],
      ['collect', 'nvidia-smi', '--bin', '/no/such/nvidia-smi', '--once'],
      ['collect', 'dcgm', '--once'],
      ['collect', 'dcgm', '--target', url],
      ['collect', 'gpu', '--once'],
      ['collect', 'nccl', '--input', empty, '--once', '--bogus'],
    ]) {
      const t = io();
      expect(await main(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err).toHaveLength(1);
      expect(t.err[0].split('\n')[0]).toMatch(/^driftwatch collect: /);
    }
  });
});
