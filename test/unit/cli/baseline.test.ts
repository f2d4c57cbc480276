// `driftwatch baseline build` through main(): the JSON file, JSONL prediction messages, --store into the
// baselines table (an in-memory Store), and usage errors (exit 2).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliIO } from '../../../src/cli/io.js';

const inserted: { table: string; rows: Record<string, unknown>[] }[] = [];
vi.mock('../../../src/store/index.js', () => ({
  openStore: () => ({
    database: 'driftwatch',
    insert: async (table: string, rows: Record<string, unknown>[]) => void inserted.push({ table, rows }),
    query: async () => [],
    command: async () => undefined,
    ping: async () => true,
    close: async () => undefined,
  }),
}));
const { main } = await import('../../../src/main.js');
const { baselineJson } = await import('../../../src/cli/commands/baseline.js');

const FIXTURES = join(import.meta.dirname, '../../fixtures/drift');
const tmp = mkdtempSync(join(tmpdir(), 'dw-baseline-'));

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {} };
}

async function baseline(...args: string[]) {
  const io = capture();
  return { code: await main(['baseline', ...args], io), io };
}

beforeEach(() => {
  inserted.length = 0;
});

describe('driftwatch baseline build', () => {
  it('writes a versioned baseline JSON with features, prediction, label and reference quality', async () => {
    const out = join(tmp, 'b.json');
    const { code, io } = await baseline('build', '--input', join(FIXTURES, 'ref.csv'), '--model', 'fraud', '--label', 'label', '--prediction', 'prediction', '--version', 'v7', '--out', out);
    expect(code).toBe(0);
    expect(io.stdout).toEqual([`baseline fraud@v7: 3000 rows, 4 features, binary quality -> ${out}`]);
    const profile = JSON.parse(readFileSync(out, 'utf8'));
    expect(profile).toMatchObject({ schema_version: 1, model: 'fraud', version: 'v7', rows: 3000, source: join(FIXTURES, 'ref.csv') });
    expect(Date.parse(profile.created_at)).toBeGreaterThan(Date.UTC(2025, 0, 1));
    expect(Object.keys(profile.features)).toEqual(['amount', 'age', 'score', 'country']);
    expect(profile.prediction).toMatchObject({ column: 'prediction', kind: 'numeric' });
    expect(profile.label).toMatchObject({ column: 'label', kind: 'numeric' });
    expect(profile.quality.task).toBe('binary');
  });

  it('reads JSONL prediction messages, taking their label and prediction by default', async () => {
    const input = join(tmp, 'train.jsonl');
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ model: 'churn', prediction_id: `p${i}`, timestamp: 1_700_000_000_000 + i, features: { tenure: i % 13, plan: i % 3 ? 'pro' : 'free' }, prediction: (i % 10) / 10, label: i % 2 }),
    );
    writeFileSync(input, lines.join('\n'));
    const out = join(tmp, 'churn.json');
    const { code } = await baseline('build', '--input', input, '--model', 'churn', '--out', out);
    expect(code).toBe(0);
    const profile = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(profile.features)).toEqual(['tenure', 'plan']);
    expect(profile.features.plan.frequencies).toEqual({ free: 14, pro: 26 });
    expect(profile.quality).toMatchObject({ task: 'binary', rows: 40 });
  });

  it('--store inserts one row into baselines (unix-second created_at, profile as JSON)', async () => {
    const { code, io } = await baseline('build', '--input', join(FIXTURES, 'ref.csv'), '--model', 'fraud', '--version', 'v8', '--store');
    expect(code).toBe(0);
    expect(io.stdout[0]).toMatch(/-> ClickHouse driftwatch\.baselines$/);
    expect(inserted).toHaveLength(1);
    expect(inserted[0].table).toBe('baselines');
    const row = inserted[0].rows[0];
    expect(row).toMatchObject({ model: 'fraud', version: 'v8' });
    expect(Number.isInteger(row.created_at)).toBe(true);
    expect(JSON.parse(row.profile as string).version).toBe('v8');
  });

  it('writes undefined metrics as null, never NaN (which JSON cannot hold)', () => {
    const text = baselineJson({ quality: { task: 'binary', rows: 1, metrics: { rocAuc: NaN } } } as never);
    expect(text).toBe('{"quality":{"task":"binary","rows":1,"metrics":{"rocAuc":null}}}');
  });

  it.each([
    [['build', '--model', 'm', '--out', 'x.json'], /--input is required/],
    [['build', '--input', 'a.csv', '--out', 'x.json'], /--model is required/],
    [['build', '--input', 'a.csv', '--model', 'm'], /exactly one of --out FILE or --store/],
    [['build', '--input', 'a.csv', '--model', 'm', '--out', 'x', '--store'], /exactly one of --out FILE or --store/],
    [['make', '--input', 'a.csv'], /expected "baseline build"/],
    [['build', '--input', join(FIXTURES, 'ref.csv'), '--model', 'm', '--label', 'nope', '--out', join(tmp, 'n.json')], /label column "nope" is not in/],
  ])('exits 2 on bad usage %#', async (args, pattern) => {
    const { code, io } = await baseline(...(args as string[]));
    expect(code).toBe(2);
    expect(io.stderr[0]).toMatch(pattern);
  });
});
