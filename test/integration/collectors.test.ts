// GPU collectors end to end: scrape a local HTTP server serving recorded dcgm-exporter pages (one target dead),
// batch the samples into the real ClickHouse, and read them back; NCCL records the same way.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DcgmCollector, GPU_SAMPLES_TABLE, NCCL_TABLE, RowBatcher, TargetList, gpuSampleRow, ncclRow, parseInspectorJsonl, parseNcclTestsText,
} from '../../src/collectors/index.js';
import type { Store } from '../../src/store/index.js';
import { freshStore } from '../support/services.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/collectors/', import.meta.url));
const page = (name: string) => readFileSync(FIXTURES + name, 'utf8');

describe('collectors → ClickHouse', () => {
  let store: Store;
  let server: Server;
  let base = '';
  beforeAll(async () => {
    store = await freshStore('collectors');
    server = createServer((req, res) => {
      if (req.url === '/node1/metrics') res.end(page('dcgm-exporter-v4.prom'));
      else if (req.url === '/old/metrics') res.end(page('dcgm-exporter-v2-old-labels.prom'));
      else res.destroy(); // a dead exporter
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  it('stores every sample of two scrapes, with rates, labels and up=0 for the dead target', async () => {
    const batcher = new RowBatcher(store, { maxRows: 50, maxWaitMs: 60_000 });
    let now = Date.UTC(2026, 10, 24, 12, 0, 0);
    const collector = new DcgmCollector({
      targets: new TargetList([`${base}/node1/metrics`, `${base}/old/metrics`, `${base}/dead/metrics`]),
      intervalMs: 10_000, timeoutMs: 2_000, now: () => now,
      onSamples: (samples) => batcher.add(GPU_SAMPLES_TABLE, samples.map(gpuSampleRow)),
    });
    await collector.scrapeAll();
    now += 10_000;
    await collector.scrapeAll();
    await batcher.close();
    expect(batcher.stats).toMatchObject({ failedInserts: 0, dropped: 0 });

    const perSource = await store.query<{ source: string; c: string }>('SELECT source, count() AS c FROM gpu_samples GROUP BY source ORDER BY source');
    // per scrape: 54 + 9 new-format samples (blank sentinels dropped from the old page), 3 up + 3 duration;
    // the second scrape adds one :rate sample per counter series (7 counters × 2 GPUs + 3 counter series on the old page)
    expect(perSource.map((r) => [r.source, Number(r.c)])).toEqual([['collector', 12], ['dcgm', 2 * (54 + 9) + 17]]);

    const [row] = await store.query<{ ts: string; ts_ms: string; host: string; uuid: string; value: number; labels: string }>(
      "SELECT toUnixTimestamp(ts) AS ts, ts_ms, host, uuid, value, labels FROM gpu_samples WHERE metric = 'DCGM_FI_DEV_XID_ERRORS' AND gpu = '1' ORDER BY ts_ms LIMIT 1");
    expect(Number(row.ts)).toBe(Date.UTC(2026, 10, 24, 12, 0, 0) / 1000);
    expect(Number(row.ts_ms)).toBe(Date.UTC(2026, 10, 24, 12, 0, 0));
    expect(row).toMatchObject({ host: 'gpu-node-1', uuid: 'GPU-6b1c8d2f-3a4e-5f60-9bac-1d2e3f4a5b6c', value: 79 });
    expect(JSON.parse(row.labels)).toMatchObject({ err_code: '79', pod: 'jupyter-7', namespace: 'research' });

    const old = await store.query<{ labels: string }>("SELECT labels FROM gpu_samples WHERE host = 'old-node' AND metric = 'DCGM_FI_DEV_GPU_TEMP' AND gpu = '0' LIMIT 1");
    expect(JSON.parse(old[0].labels)).toMatchObject({ pod: 'etl-5', namespace: 'batch', container: 'worker' });

    const down = await store.query<{ value: number; labels: string }>("SELECT value, labels FROM gpu_samples WHERE metric = 'up' AND value = 0");
    expect(down).toHaveLength(2);
    expect(JSON.parse(down[0].labels).target).toBe(`${base}/dead/metrics`);
  });

  it('stores NCCL records from nccl-tests and the Inspector dump', async () => {
    const ts = Date.UTC(2026, 10, 24, 12, 5, 0);
    const tests = parseNcclTestsText(page('nccl-tests-allreduce-8gpu.txt'), { collective: 'all_reduce_perf', ts }).records;
    const inspector = parseInspectorJsonl(page('inspector/gpu-node-1-pid4242.log'), ts).records;
    await store.insert(NCCL_TABLE, [...tests, ...inspector].map(ncclRow));
    const rows = await store.query<{ source: string; collective: string; c: string; max_busbw: number; bytes: string }>(
      'SELECT source, collective, count() AS c, max(busbw_gbs) AS max_busbw, max(bytes) AS bytes FROM nccl_collectives GROUP BY source, collective ORDER BY source, collective');
    expect(rows.map((r) => [r.source, r.collective, Number(r.c), r.max_busbw, Number(r.bytes)])).toEqual([
      ['nccl-inspector', 'AllReduce', 12, 362, 134217728],
      ['nccl-inspector', 'Send', 1, 27.02, 8388608],
      ['nccl-tests', 'AllReduce', 12, 363.29, 1073741824],
    ]);
  });
});
