// bench:report — `driftwatch report` at 20 features × 1 000 000 current rows (16 numeric, 4 categorical) against
// 100 000 reference rows: (1) offline in memory, statistics+histograms vs rendering; (2) the CLI from CSV files in its
// own process (wall, peak RSS); (3) the ClickHouse mode over the same rows, on both engines (ClickHouse 18.16 server,
// 26 embedded; aggregates pushed down; insert time reported apart), its predictions reads beside the general path
// they replaced (names searched per row, FINAL always) in the same run. Prints one JSON object.
//   npm run bench:report [-- --rows 1000000 --reference 100000 --store-rows 1000000 --store-only]   (tsx bench/report.ts)
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBaseline, compareToReference, referenceFromTable, type Column, type Table } from '../src/baseline/index.js';
import { startClickHouse } from '../src/local/clickhouse.js';
import { main } from '../src/main.js';
import { offlineReport, renderReport, storeReport } from '../src/report/index.js';
import { readCategoryCounts, readNumericBins, readNumericRanges } from '../src/report/store-queries.js';
import { LayoutBook } from '../src/evaluate/index.js';
import { DEFAULT_DRIFT_RULE, SeededRandom } from '../src/stats/index.js';
import { createStore, migrate, type Store } from '../src/store/index.js';
import { progress } from './lib.js';

const NUMERIC = 16;
const CATEGORICAL = 4;
const CATEGORIES = [5, 12, 40, 200];

function table(seed: number, rows: number, current: boolean): Table {
  const rng = new SeededRandom(seed);
  const columns = new Map<string, Column>();
  for (let k = 0; k < NUMERIC; k++) {
    const shift = current && k % 5 === 0 ? 0.5 : 0;
    const values = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const z = rng.normal() + shift;
      values[i] = Math.round((k % 2 === 0 ? z : Math.exp(0.5 * z)) * 1000) / 1000;
    }
    columns.set(`n${k}`, { kind: 'numeric', values });
  }
  for (let k = 0; k < CATEGORICAL; k++) {
    const values: string[] = new Array(rows);
    for (let i = 0; i < rows; i++) {
      // a skewed pick; the current side favours the first category of c0
      const u = rng.next();
      values[i] = current && k === 0 && u < 0.1 ? 'v0' : `v${Math.floor(u * u * CATEGORIES[k])}`;
    }
    columns.set(`c${k}`, { kind: 'categorical', values });
  }
  return { source: current ? 'current' : 'reference', rows, columns };
}

async function writeCsv(path: string, t: Table): Promise<void> {
  const out = createWriteStream(path);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  const columns = [...t.columns.entries()];
  await write(`${columns.map(([name]) => name).join(',')}\n`);
  const lines: string[] = [];
  for (let i = 0; i < t.rows; i++) {
    lines.push(columns.map(([, c]) => String(c.values[i])).join(','));
    if (lines.length === 10_000) {
      await write(`${lines.join('\n')}\n`);
      lines.length = 0;
    }
  }
  if (lines.length) await write(`${lines.join('\n')}\n`);
  await new Promise<void>((r) => out.end(r));
}

async function cliWorker(command: string, reference: string, current: string, out: string): Promise<void> {
  const t0 = performance.now();
  const lines: string[] = [];
  const args = ['--reference', reference, '--current', current, '--categorical', 'c0,c1,c2,c3', ...(command === 'report' ? ['--out', out] : ['--json'])];
  const code = await main([command, ...args], { out: (l) => lines.push(l), err: (l) => lines.push(l), env: {} });
  process.stdout.write(`${JSON.stringify({ code, wall_ms: Math.round(performance.now() - t0), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), printed: command === 'report' ? lines.join(' ') : undefined })}\n`);
}

async function cli(reference: Table, current: Table) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  try {
    progress('writing CSV files');
    await writeCsv(join(dir, 'reference.csv'), reference);
    await writeCsv(join(dir, 'current.csv'), current);
    const run = async (command: string) => {
      progress(`driftwatch ${command} from CSV (own process)`);
      const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--cli-worker', command, join(dir, 'reference.csv'), join(dir, 'current.csv'), join(dir, 'report.html')], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise((r) => child.once('exit', r));
      return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
    };
    // the same files through `driftwatch drift`: the report's cost is the difference
    return { report: await run('report'), drift_for_comparison: await run('drift') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report's reads of the predictions, with the fast paths (the span's shape) or the general path (none). */
async function predictionReads(store: Store, range: { model: string; from: number; to: number }, numeric: string[], categorical: string[], fast: boolean): Promise<number> {
  const began = performance.now();
  const shape = fast ? await new LayoutBook(store).shape({ model: range.model, start: range.from, end: range.to }) : undefined;
  const ranges = await readNumericRanges(store, range, 0.005, numeric, shape);
  const edges = new Map([...ranges].map(([n, r]) => [n, Array.from({ length: 21 }, (_, i) => r.low + ((r.high - r.low) * i) / 20)]));
  await Promise.all([readNumericBins(store, range, edges, 2, shape), readCategoryCounts(store, range, categorical, shape?.final ?? true)]);
  return Math.round(performance.now() - began);
}

async function clickhouse(reference: Table, current: Table, rows: number, engine: 'server' | 'embedded') {
  const ch = engine === 'server' ? await startClickHouse() : undefined;
  const dir = engine === 'embedded' ? mkdtempSync(join(tmpdir(), 'dw-bench-report-')) : '';
  const url = ch ? ch.url : `embedded:${dir}`;
  const admin = createStore({ url, database: 'default' });
  const store = createStore({ url, database: 'bench_report' });
  try {
    await migrate(admin, store, new Date());
    const start = Date.UTC(2026, 10, 1);
    const hour = 3_600_000;
    const baseline = buildBaseline(reference, { model: 'bench', createdAt: start - hour, version: 'v1' });
    await store.insert('baselines', [{ model: 'bench', version: 'v1', created_at: Math.floor((start - hour) / 1000), profile: JSON.stringify(baseline) }]);
    const names = [...current.columns.keys()];
    const numeric = names.filter((n) => current.columns.get(n)!.kind === 'numeric');
    const categorical = names.filter((n) => current.columns.get(n)!.kind === 'categorical');
    const windows = 24;
    const t0 = performance.now();
    for (let from = 0; from < rows; from += 50_000) {
      const batch: Record<string, unknown>[] = [];
      for (let i = from; i < Math.min(rows, from + 50_000); i++) {
        const ts = start + Math.floor((i / rows) * windows * hour);
        batch.push({
          model: 'bench', model_version: '1', prediction_id: `p${i}`, ts: Math.floor(ts / 1000), ts_ms: ts,
          num_names: numeric, num_values: numeric.map((n) => current.columns.get(n)!.values[i]),
          cat_names: categorical, cat_values: categorical.map((n) => current.columns.get(n)!.values[i]),
          missing_names: [], prediction_num: 0.5, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000),
        });
      }
      await store.insert('predictions', batch);
    }
    const insertMs = performance.now() - t0;
    const results: Record<string, unknown>[] = [];
    for (let w = 0; w < windows; w++) {
      const ws = (start + w * hour) / 1000;
      for (const name of names) results.push({ model: 'bench', feature: name, window_start: ws, window_end: ws + 3600, n: Math.round(rows / windows), statistic: 'psi', value: name.endsWith('0') ? 0.2 : 0.01, p_value: null, baseline_version: 'v1', evaluated_at: ws + 3600, details: '{}' });
    }
    await store.insert('drift_results', results);
    progress(`ClickHouse: ${rows} predictions inserted in ${(insertMs / 1000).toFixed(1)} s; building the report`);
    const t1 = performance.now();
    const model = await storeReport(store, { model: 'bench', from: start, to: start + windows * hour, now: start + windows * hour });
    const queryMs = performance.now() - t1;
    const html = await renderReport(model);
    const reportMs = Math.round(performance.now() - t1);
    const range = { model: 'bench', from: start, to: start + windows * hour };
    const general = await predictionReads(store, range, numeric, categorical, false);
    const fast = await predictionReads(store, range, numeric, categorical, true);
    return {
      engine, rows, insert_ms: Math.round(insertMs), report_ms: reportMs, queries_ms: Math.round(queryMs), html_bytes: html.length, features: model.features.length,
      predictions_reads_ms: { fast_paths: fast, general_path_baseline: general, speedup: +(general / fast).toFixed(2) },
    };
  } finally {
    await store.close();
    await admin.close();
    await ch?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

const bothEngines = async (reference: Table, current: Table, rows: number) => ({
  server: await clickhouse(reference, current, rows, 'server'),
  embedded: await clickhouse(reference, current, rows, 'embedded'),
});

async function bench(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, reference: { type: 'string' }, 'store-rows': { type: 'string' }, 'store-only': { type: 'boolean' } } });
  const rows = Number(values.rows ?? 1_000_000);
  const refRows = Number(values.reference ?? 100_000);
  const storeRows = Number(values['store-rows'] ?? rows);
  progress(`generating ${refRows} reference and ${rows} current rows × ${NUMERIC + CATEGORICAL} features`);
  const reference = table(1, refRows, false);
  const current = table(2, rows, true);
  if (values['store-only']) {
    console.log(JSON.stringify({ rows, reference_rows: refRows, features: NUMERIC + CATEGORICAL, clickhouse: await bothEngines(reference, current, storeRows) }, null, 2));
    return;
  }
  const tStats = performance.now();
  compareToReference(referenceFromTable(reference), current, DEFAULT_DRIFT_RULE);
  const statsMs = performance.now() - tStats;
  const t0 = performance.now();
  const model = offlineReport(referenceFromTable(reference), current, { rule: DEFAULT_DRIFT_RULE, generatedAt: Date.now() });
  const modelMs = performance.now() - t0;
  const t1 = performance.now();
  const html = await renderReport(model);
  const renderMs = performance.now() - t1;
  const memory = {
    // what `driftwatch drift` computes (reference profiling + statistics), and the report's model on top of it
    drift_statistics_ms: Math.round(statsMs),
    statistics_and_histograms_ms: Math.round(modelMs),
    render_ms: Math.round(renderMs),
    html_bytes: html.length,
    charts: (html.match(/<figure class="chart"/g) ?? []).length,
    drifted: model.features.filter((f) => f.drifted).map((f) => f.name),
  };
  progress(`in memory: ${JSON.stringify(memory)}`);
  const fromCsv = await cli(reference, current);
  progress(`CLI: ${JSON.stringify(fromCsv)}`);
  const fromClickHouse = storeRows > 0 ? await bothEngines(reference, current, storeRows) : null;
  console.log(JSON.stringify({ rows, reference_rows: refRows, features: NUMERIC + CATEGORICAL, in_memory: memory, cli_from_csv: fromCsv, clickhouse: fromClickHouse }, null, 2));
}

if (process.argv[2] === '--cli-worker') await cliWorker(process.argv[3], process.argv[4], process.argv[5], process.argv[6]);
else await bench();
