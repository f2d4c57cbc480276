// The two ClickHouse engines users run give the same answers: the same rows in Debian's ClickHouse 18.16 server and
// in ClickHouse 26 embedded, then `driftwatch evaluate --json` (numeric, categorical, missing values, late labels,
// duplicates, two name layouts) and the HTML report from ClickHouse, compared value by value. Runs in the server
// project, which has both engines at hand (the embedded project has no server to compare with).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, type Column } from '../../src/baseline/index.js';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/main.js';
import { writeReport } from '../../src/report/index.js';
import type { Store } from '../../src/store/index.js';
import { clickhouseUrl, engine, freshStore } from '../support/services.js';

const START = Date.UTC(2026, 0, 5, 10);
const MIN15 = 15 * 60_000;
const COUNTRIES = ['DE', 'FR', 'US', 'PL'];

function rows(from: number, to: number) {
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    const ts = START + i * 4000;
    const x = i % 17 === 0 ? null : ((i * 7919) % 1000) / 10 + (ts >= START + MIN15 ? 20 : 0);
    const extra = i % 3 === 0; // a second name layout
    return {
      model: 'm', model_version: '1', prediction_id: `p${i}`, ts: Math.floor(ts / 1000), ts_ms: ts,
      num_names: [...(x === null ? [] : ['x']), ...(extra ? ['y'] : [])], num_values: [...(x === null ? [] : [x]), ...(extra ? [i % 7] : [])],
      cat_names: ['c'], cat_values: [COUNTRIES[(i * 31) % (ts >= START + MIN15 ? 4 : 3)]], missing_names: x === null ? ['x'] : [],
      prediction_num: ((i * 37) % 100) / 100, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000),
    };
  });
}

function capture(env: NodeJS.ProcessEnv): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env };
}

/** Same keys, same strings and integers; floats equal to 1e-12 relative (summation order may differ by an ulp). */
function expectSame(a: unknown, b: unknown, path = '$'): void {
  if (typeof a === 'number' && typeof b === 'number' && !(Number.isInteger(a) && Number.isInteger(b))) {
    expect(Math.abs(a - b), `${path}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a), Math.abs(b)));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(b as object), path).toEqual(Object.keys(a as object));
    for (const k of Object.keys(a as object)) expectSame((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(b, path).toEqual(a);
}

(engine() === 'server' ? describe : describe.skip)('ClickHouse 18.16 (server) and 26 (embedded) agree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-engines-'));
  const baselineFile = join(dir, 'baseline.json');
  const stores: Record<'server' | 'embedded', Store> = {} as never;
  const urls = { server: clickhouseUrl(), embedded: `embedded:${join(dir, 'clickhouse')}` };

  beforeAll(async () => {
    const n = 3000;
    const columns = new Map<string, Column>([
      ['x', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => ((i * 104729) % 1000) / 10) }],
      ['y', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => i % 7) }],
      ['c', { kind: 'categorical', values: Array.from({ length: n }, (_, i) => COUNTRIES[i % 3]) }],
      ['score', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => ((i * 37) % 100) / 100) }],
      ['label', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0)) }],
    ]);
    writeFileSync(baselineFile, JSON.stringify(buildBaseline({ source: 'train', rows: n, columns }, { model: 'm', createdAt: START, version: 'b1', prediction: 'score', label: 'label' })));
    for (const e of ['server', 'embedded'] as const) {
      const store = await freshStore('engines', urls[e]);
      stores[e] = store;
      await store.insert('predictions', rows(0, 450)); // 30 min at one row per 4 s: two 15-minute windows
      await store.insert('predictions', rows(100, 120)); // redelivered: must not count twice
      await store.insert('labels', Array.from({ length: 200 }, (_, i) => ({
        model: 'm', prediction_id: `p${i * 2}`, label_num: (i * 13) % 4 === 0 ? 1 : 0, label_str: null,
        ts: Math.floor((START + 2 * MIN15) / 1000), ts_ms: START + 2 * MIN15, ingested_at: Math.floor((START + 2 * MIN15) / 1000),
      })));
    }
  });
  afterAll(async () => Promise.all(Object.values(stores).map((s) => s.close())));

  it('run the versions the suite names', async () => {
    const [server] = await stores.server.query<{ v: string }>('SELECT version() AS v');
    const [embedded] = await stores.embedded.query<{ v: string }>('SELECT version() AS v');
    expect(server.v).toMatch(/^18\.16\./);
    expect(embedded.v).toMatch(/^26\./);
  });

  it('give the same evaluate --json, value by value, and the same report', async () => {
    const out: Record<string, Array<Record<string, unknown>>> = {};
    for (const e of ['server', 'embedded'] as const) {
      const io = capture({ DRIFTWATCH_CLICKHOUSE_URL: urls[e], DRIFTWATCH_CLICKHOUSE_DATABASE: stores[e].database });
      const code = await main(['evaluate', '--model', 'm', '--from', new Date(START).toISOString(), '--to', String(START + 2 * MIN15), '--window', '15m', '--baseline', baselineFile, '--json'], io);
      expect(io.stderr).toEqual([]);
      expect(code).toBe(0);
      out[e] = io.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    }
    // the data is what the comparison needs to mean something: drift in window 2, labels, duplicates collapsed
    const quality = out.server.filter((l) => l.feature === null);
    expect(quality.map((l) => l.n)).toEqual([225, 225]);
    expect(quality[0].label_coverage as number).toBeGreaterThan(0);
    expect(out.server.find((l) => l.feature === 'x' && l.window_start === new Date(START + MIN15).toISOString())!.psi as number).toBeGreaterThan(0.1);
    expect(out.embedded).toHaveLength(out.server.length);
    out.server.forEach((line, i) => expectSame(line, out.embedded[i], `line ${i} (${String(line.feature)})`));

    const html: Record<string, string> = {};
    for (const e of ['server', 'embedded'] as const) {
      const report = await writeReport(join(dir, `report-${e}.html`), { store: stores[e], model: 'm', from: START, to: START + 2 * MIN15, now: START + 3 * MIN15 });
      // the database's name, and vega's clip-path ids (a counter of charts drawn in this process), aside
      html[e] = readFileSync(report.path, 'utf8').replaceAll(stores[e].database, 'DB').replace(/-clip\d+/g, '-clip');
    }
    expect(html.server).toContain('<svg');
    expect(html.embedded).toBe(html.server);
  });
});
