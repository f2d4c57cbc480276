// `driftwatch evaluate` through main() against a real ClickHouse: --baseline FILE and --window declare the model on
// the command line; --json lines per (window, feature) plus the quality line (with features the baseline lacks);
// results stored like the service.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, type Column } from '../../src/baseline/index.js';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/main.js';
import type { Store } from '../../src/store/index.js';
import { clickhouseUrl, freshStore } from '../support/services.js';

const START = Date.UTC(2026, 0, 5, 10);
const MIN15 = 15 * 60_000;

function capture(env: NodeJS.ProcessEnv): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env };
}

describe('driftwatch evaluate', () => {
  let store: Store;
  let env: NodeJS.ProcessEnv;
  const dir = mkdtempSync(join(tmpdir(), 'dw-evaluate-'));
  const baselineFile = join(dir, 'baseline.json');

  beforeAll(async () => {
    store = await freshStore('evalcli');
    env = { DRIFTWATCH_CLICKHOUSE_URL: clickhouseUrl(), DRIFTWATCH_CLICKHOUSE_DATABASE: store.database };
    const columns = new Map<string, Column>([['x', { kind: 'numeric', values: Float64Array.from({ length: 1000 }, (_, i) => i) }]]);
    writeFileSync(baselineFile, JSON.stringify(buildBaseline({ source: 'train', rows: 1000, columns }, { model: 'm1', createdAt: START, version: 'b1' })));
    // two 15-minute windows: the first like the baseline, the second shifted up by 500
    await store.insert('predictions', Array.from({ length: 400 }, (_, i) => {
      const ts = START + (i < 200 ? i : MIN15 / 1000 + i - 200) * 1000;
      const x = i < 200 ? i * 5 : 500 + (i - 200) * 5;
      return { model: 'm1', model_version: '1', prediction_id: `q${i}`, ts: Math.floor(ts / 1000), ts_ms: ts, num_names: i < 200 ? ['x'] : ['x', 'tip'], num_values: i < 200 ? [x] : [x, 1], cat_names: [], cat_values: [], missing_names: i === 399 ? ['note'] : [], prediction_num: null, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000) };
    }));
  });
  afterAll(async () => store.close());

  it('prints one JSON line per (window, feature) and a quality line, and stores the results', async () => {
    const io = capture(env);
    const code = await main(['evaluate', '--model', 'm1', '--from', new Date(START).toISOString(), '--to', String(START + 2 * MIN15), '--window', '15m', '--baseline', baselineFile, '--json'], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    const lines = io.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.window_start, l.feature, l.n])).toEqual([
      [new Date(START).toISOString(), 'x', 200], [new Date(START).toISOString(), null, 200],
      [new Date(START + MIN15).toISOString(), 'x', 200], [new Date(START + MIN15).toISOString(), null, 200],
    ]);
    expect(Object.keys(lines[0]).slice(0, 10)).toEqual(['model', 'window_start', 'window_end', 'feature', 'n', 'psi', 'ks_statistic', 'ks_p_value', 'js_distance', 'missing_rate']);
    expect(lines[0].psi as number).toBeLessThan(0.01);
    expect(lines[2].psi as number).toBeGreaterThan(1);
    expect(lines[2].ks_statistic as number).toBeGreaterThanOrEqual(0.49);
    expect(lines[2].ks_upper_bound as number).toBeGreaterThanOrEqual(lines[2].ks_statistic as number);
    expect(lines[1]).toMatchObject({ feature: null, label_coverage: 0, accuracy: null, unknown_features: [], performance_estimate: null, multivariate: null });
    // features the baseline does not know are discovered and reported, not evaluated
    expect(lines[3]).toMatchObject({ feature: null, unknown_features: ['note', 'tip'] });
    const [stored] = await store.query<{ n: string }>("SELECT count() AS n FROM drift_results FINAL WHERE model = 'm1' AND statistic = 'psi'");
    expect(Number(stored.n)).toBe(2);
  });

  it('refuses bad input with exit 2', async () => {
    const io = capture(env);
    expect(await main(['evaluate', '--model', 'm1', '--from', 'yesterday', '--to', '1'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/--from must be RFC 3339/);
  });
});
