// npm run bench:collectors — how fast the DCGM path parses exposition text, and whether one driftwatch process keeps
// up with a fleet of 1 000 GPUs × 30 fields scraped every 10 s (125 exporters × 8 GPUs) into a real ClickHouse.
// The fake exporters run in a child process (this file with --exporters) so their CPU is not counted as ours.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CounterRates, DcgmCollector, GPU_SAMPLES_TABLE, RowBatcher, TargetList, counterRates, dcgmSamples, gpuSampleRow, parseExposition } from '../src/collectors/index.js';
import { startClickHouse } from '../src/local/clickhouse.js';
import { createStore, migrate } from '../src/store/index.js';
import { progress } from './lib.js';

const NODES = Number(process.env.BENCH_GPU_NODES ?? 125);
const GPUS_PER_NODE = 8;
const FIELDS = 30;
const ROUNDS = Number(process.env.BENCH_GPU_ROUNDS ?? 6);
const INTERVAL_MS = 10_000;

/** The first 30 non-label fields of collectors/dcgm-exporter-counters.csv: what a real exporter would serve. */
async function fields(): Promise<Array<{ name: string; type: string }>> {
  const { readFile } = await import('node:fs/promises');
  const csv = await readFile(fileURLToPath(new URL('../collectors/dcgm-exporter-counters.csv', import.meta.url)), 'utf8');
  return csv.split('\n').map((l) => l.split(',').map((c) => c.trim())).filter((r) => r.length >= 3 && !r[0].startsWith('#') && r[1] !== 'label')
    .slice(0, FIELDS).map(([name, type]) => ({ name, type }));
}

/** One exporter page: HELP/TYPE and one line per GPU per field, labels as dcgm-exporter 4.x prints them. */
function page(node: number, round: number, list: Array<{ name: string; type: string }>): string {
  const out: string[] = [];
  for (const [f, { name, type }] of list.entries()) {
    out.push(`# HELP ${name} ${name.toLowerCase()}`, `# TYPE ${name} ${type}`);
    for (let g = 0; g < GPUS_PER_NODE; g++) {
      const value = type === 'counter' ? 1_000_000 + round * (1000 + f) + g : ((node * 31 + g * 7 + f * 13 + round) % 1000) / 10;
      out.push(`${name}{gpu="${g}",UUID="GPU-${node.toString(16).padStart(8, '0')}-0000-4000-8000-${g.toString(16).padStart(12, '0')}",pci_bus_id="00000000:${(0x18 + g * 0x11).toString(16)}:00.0",device="nvidia${g}",modelName="NVIDIA H100 80GB HBM3",hostname="gpu-node-${node}",DCGM_FI_DRIVER_VERSION="580.159.04",container="trainer",namespace="ml",pod="job-${node}-${g}"} ${value}`);
    }
  }
  return out.join('\n') + '\n';
}

async function serveExporters(): Promise<void> {
  const list = await fields();
  const rounds = new Map<string, number>();
  const server = createServer((req, res) => {
    const round = rounds.get(req.url ?? '') ?? 0;
    rounds.set(req.url ?? '', round + 1);
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(page(Number(/\/node\/(\d+)\//.exec(req.url ?? '')?.[1] ?? 0), round, list));
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 })}\n`);
  });
}

function timeLoop(minMs: number, body: () => number): { perSecond: number; seconds: number } {
  let units = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) units += body();
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: units / seconds, seconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const list = await fields();
  const text = page(1, 0, list);
  const lines = text.split('\n').length - 1;

  progress(`fleet: ${NODES} exporters × ${GPUS_PER_NODE} GPUs × ${FIELDS} fields, ${ROUNDS} rounds into ClickHouse…`);
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--exporters'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port)));
  const ch = await startClickHouse();
  const admin = createStore({ url: ch.url, database: 'default' });
  const store = createStore({ url: ch.url, database: 'bench_collectors' });
  await migrate(admin, store, new Date());
  try {
    const batcher = new RowBatcher(store, { maxRows: 20_000, maxWaitMs: 60_000 });
    const targets = new TargetList(Array.from({ length: NODES }, (_, i) => `http://127.0.0.1:${port}/node/${i}/metrics`));
    let collected = 0;
    const collector = new DcgmCollector({
      targets, intervalMs: INTERVAL_MS, timeoutMs: 5_000,
      onSamples: (samples) => {
        collected += samples.length;
        return batcher.add(GPU_SAMPLES_TABLE, samples.map(gpuSampleRow));
      },
    });
    const rounds: Array<{ wall_ms: number; cpu_ms: number; samples: number; down: number }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const before = collected;
      const c0 = cpuMs();
      const t0 = performance.now();
      const results = await collector.scrapeAll();
      await batcher.flush();
      rounds.push({ wall_ms: performance.now() - t0, cpu_ms: cpuMs() - c0, samples: collected - before, down: results.filter((x) => !x.up).length });
    }
    await batcher.close();
    const fleetPeakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const [{ c }] = await store.query<{ c: string }>('SELECT count() AS c FROM gpu_samples');
    // the first round has no counter rates yet: steady state is rounds 2…n
    const steady = rounds.slice(1);
    const wall = median(steady.map((x) => x.wall_ms));
    const cpu = median(steady.map((x) => x.cpu_ms));
    const samples = median(steady.map((x) => x.samples));

    progress('parsing exposition text…');
    parseExposition(text);
    const parse = timeLoop(2_000, () => (parseExposition(text), lines));
    const rates = new CounterRates();
    let ts = 0;
    const normalize = timeLoop(2_000, () => {
      const expo = parseExposition(text);
      const batch = dcgmSamples(expo, { ts: (ts += 10_000), host: 'x' });
      batch.push(...counterRates(batch, expo.types, rates));
      for (const s of batch) gpuSampleRow(s);
      return batch.length;
    });
    console.log(JSON.stringify({
      benchmark: 'collectors',
      exposition: { lines_per_page: lines, bytes_per_page: text.length, lines_per_second: Math.round(parse.perSecond), mb_per_second: +((parse.perSecond / lines) * text.length / 1e6).toFixed(1) },
      normalize_in_process: { samples_per_second: Math.round(normalize.perSecond), note: 'parse + DCGM mapping + counter rates + row encoding, one page repeated' },
      fleet: {
        gpus: NODES * GPUS_PER_NODE, fields: FIELDS, exporters: NODES, interval_s: INTERVAL_MS / 1000, rounds: ROUNDS,
        samples_per_round: samples,
        round_wall_ms_median: Math.round(wall),
        round_cpu_ms_median: Math.round(cpu),
        samples_stored_per_second_while_scraping: Math.round(samples / (wall / 1000)),
        sustained_samples_per_second_at_interval: Math.round(samples / (INTERVAL_MS / 1000)),
        cpu_share_of_one_core_at_interval: +(cpu / INTERVAL_MS).toFixed(3),
        keeps_up: wall < INTERVAL_MS,
        rows_in_clickhouse: Number(c),
        rows_expected: collected,
        targets_down: rounds.reduce((a, x) => a + x.down, 0),
        peak_rss_mb: fleetPeakRssMb,
        store: 'ClickHouse 18.16 (local, Debian package), JSONEachRow inserts of up to 20 000 rows',
      },
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    }));
  } finally {
    child.kill();
    await store.close();
    await admin.close();
    await ch.stop();
  }
}

if (process.argv.includes('--exporters')) await serveExporters();
else await main();
