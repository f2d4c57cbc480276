import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RowBatcher } from '../../../src/collectors/batcher.js';
import { DcgmCollector, fetchExposition } from '../../../src/collectors/dcgm-collector.js';
import { parseTargetsFile, TargetList, targetUrl } from '../../../src/collectors/targets.js';
import type { GpuSample } from '../../../src/collectors/types.js';
import { fixture } from './fixtures.js';

let server: Server;
let base = '';
let replays = 12;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(fixture('dcgm-exporter-v4.prom').replace(/(PCIE_REPLAY_COUNTER\{gpu="1"[^}]*\}) 12/, `$1 ${replays}`));
    } else if (req.url === '/chunked/metrics') {
      // no content-length: chunked transfer, read as a stream
      const text = fixture('dcgm-exporter-v4.prom');
      res.write(text.slice(0, 5000));
      res.end(text.slice(5000));
    } else if (req.url === '/slow/metrics') {
      setTimeout(() => res.end('DCGM_FI_DEV_GPU_TEMP{gpu="0"} 1\n'), 2_000).unref();
    } else {
      res.statusCode = 500;
      res.end('boom');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('DcgmCollector', () => {
  it('scrapes all targets in parallel; a slow one times out and a failing one is down, without delaying the good one', async () => {
    let got: GpuSample[] = [];
    const collector = new DcgmCollector({
      targets: new TargetList([`${base}/metrics`, `${base}/slow/metrics`, `${base}/broken/metrics`]),
      intervalMs: 10_000, timeoutMs: 300, onSamples: (s) => void (got = s),
    });
    const started = Date.now();
    const results = await collector.scrapeAll();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(results.map((r) => [r.up, r.error])).toEqual([[true, undefined], [false, 'timeout after 300 ms'], [false, 'HTTP 500']]);
    expect(results[0].samples.filter((s) => s.source === 'dcgm')).toHaveLength(54);
    const up = got.filter((s) => s.metric === 'up').map((s) => [s.labels.target.replace(base, ''), s.value]);
    expect(up).toEqual([['/metrics', 1], ['/slow/metrics', 0], ['/broken/metrics', 0]]);
  });

  it('refuses a body larger than the limit instead of buffering it', async () => {
    const page = fixture('dcgm-exporter-v4.prom');
    for (const path of ['/metrics', '/chunked/metrics']) {
      await expect(fetchExposition(`${base}${path}`, 1_000, fetch, 1_000)).rejects.toThrow(/larger than 1000 bytes/);
      expect(await fetchExposition(`${base}${path}`, 1_000)).toBe(page);
    }
  });

  it('derives counter rates from the second scrape on', async () => {
    let now = 1_000_000;
    const collector = new DcgmCollector({ targets: new TargetList([`${base}/metrics`]), intervalMs: 10_000, timeoutMs: 1_000, onSamples: () => undefined, now: () => now });
    replays = 12;
    const first = await collector.scrapeAll();
    expect(first[0].samples.filter((s) => s.metric.endsWith(':rate'))).toEqual([]);
    now += 10_000;
    replays = 42;
    const second = await collector.scrapeAll();
    const rate = second[0].samples.find((s) => s.metric === 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER:rate' && s.gpu === '1');
    expect(rate?.value).toBe(3);
    replays = 12;
  });

  it('start() scrapes on its interval until stop()', async () => {
    let rounds = 0;
    const collector = new DcgmCollector({ targets: new TargetList([`${base}/metrics`]), intervalMs: 50, timeoutMs: 1_000, onSamples: () => void rounds++ });
    collector.start();
    await new Promise((r) => setTimeout(r, 400));
    await collector.stop();
    const after = rounds;
    expect(after).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 150));
    expect(rounds).toBe(after);
  });
});

describe('targets', () => {
  it('normalizes host:port to a /metrics URL', () => {
    expect(targetUrl('gpu-node-1:9400')).toBe('http://gpu-node-1:9400/metrics');
    expect(targetUrl('https://x:9400/custom')).toBe('https://x:9400/custom');
    expect(() => targetUrl('http://[bad')).toThrow(/invalid scrape target/);
  });

  it('reads file_sd JSON and plain lists', () => {
    expect(parseTargetsFile('[{"targets": ["a:9400", "b:9400"], "labels": {"dc": "x"}}]')).toEqual(['http://a:9400/metrics', 'http://b:9400/metrics']);
    expect(parseTargetsFile('# fleet\na:9400\n\nb:9400  # rack 2\n')).toEqual(['http://a:9400/metrics', 'http://b:9400/metrics']);
    expect(() => parseTargetsFile('[{"hosts": []}]')).toThrow(/targets/);
  });

  it('re-reads the file when it changes and keeps the last good list when it breaks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-targets-'));
    const file = join(dir, 'targets.txt');
    writeFileSync(file, 'a:9400\n');
    const list = new TargetList(['static:9400'], file);
    expect(await list.current()).toEqual(['http://static:9400/metrics', 'http://a:9400/metrics']);
    writeFileSync(file, 'a:9400\nb:9400\nc:9400\n');
    expect(await list.current()).toHaveLength(4);
    writeFileSync(file, '[not json');
    expect(await list.current()).toHaveLength(4);
    expect(list.lastError).toMatch(/not valid JSON/);
  });
});

describe('RowBatcher', () => {
  it('flushes by size, keeps rows through a failing store and retries them, counts what overflowed', async () => {
    const inserted: Array<[string, number]> = [];
    let failing = false;
    const sink = { insert: async (table: string, rows: Record<string, unknown>[]) => {
      if (failing) throw new Error('ClickHouse down');
      inserted.push([table, rows.length]);
    } };
    const b = new RowBatcher(sink, { maxRows: 3, maxWaitMs: 60_000, maxBuffered: 5 });
    await b.add('gpu_samples', [{ a: 1 }, { a: 2 }]);
    expect(inserted).toEqual([]);
    await b.add('gpu_samples', [{ a: 3 }]);
    expect(inserted).toEqual([['gpu_samples', 3]]);
    failing = true;
    await b.add('gpu_samples', [{ a: 4 }, { a: 5 }, { a: 6 }, { a: 7 }, { a: 8 }, { a: 9 }]);
    expect(b.stats).toMatchObject({ dropped: 1, failedInserts: 1, lastError: 'ClickHouse down' });
    expect(b.pending).toBe(5);
    failing = false;
    await b.close();
    expect(inserted).toEqual([['gpu_samples', 3], ['gpu_samples', 3], ['gpu_samples', 2]]);
    expect(b.stats.inserted).toBe(8);
  });

  it('flushes on age', async () => {
    const inserted: number[] = [];
    const b = new RowBatcher({ insert: async (_t, rows) => void inserted.push(rows.length) }, { maxRows: 100, maxWaitMs: 30 });
    await b.add('nccl_collectives', [{ x: 1 }]);
    await new Promise((r) => setTimeout(r, 120));
    expect(inserted).toEqual([1]);
  });
});
