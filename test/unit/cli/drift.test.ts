// `driftwatch drift` end to end through main(): statistics against numpy/scipy values (test/fixtures/drift),
// data-file and baseline references, exit codes and one-line reasons on bad input.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/main.js';
import type { CliIO } from '../../../src/cli/io.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/drift');
const fixture = (name: string) => join(FIXTURES, name);
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'dw-drift-'));

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {} };
}

async function drift(...args: string[]) {
  const io = capture();
  const code = await main(['drift', ...args], io);
  return { code, io, json: code === 0 && args.includes('--json') ? JSON.parse(io.stdout.join('\n')) : undefined };
}

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function expectColumn(actual: Row, want: Row, tolerance = 1e-9): void {
  expect(actual.kind).toBe(want.kind);
  expect(actual.n_reference).toBe(want.n_reference);
  expect(actual.n_current).toBe(want.n_current);
  expect(actual.psi).toBeCloseTo(want.psi, 8);
  expect(actual.js_distance).toBeCloseTo(want.js_distance, 8);
  expect(actual.hellinger).toBeCloseTo(want.hellinger, 8);
  if (want.kind === 'numeric') {
    expect(actual.ks.statistic).toBeCloseTo(want.ks.statistic, 9);
    expect(Math.abs(actual.ks.p_value - want.ks.p_value)).toBeLessThan(Math.max(1e-6 * want.ks.p_value, tolerance));
    expect(actual.wasserstein).toBeCloseTo(want.wasserstein, 6);
    expect(actual.wasserstein_normed).toBeCloseTo(want.wasserstein_normed, 6);
    expect(actual.chi2).toBeNull();
  } else {
    expect(actual.chi2.statistic).toBeCloseTo(want.chi2.statistic, 6);
    expect(actual.chi2.dof).toBe(want.chi2.dof);
    expect(Math.abs(actual.chi2.p_value - want.chi2.p_value)).toBeLessThan(1e-6 * want.chi2.p_value);
    expect(actual.ks).toBeNull();
    expect(actual.wasserstein).toBeNull();
  }
}

describe('driftwatch drift', () => {
  it('matches numpy/scipy on every statistic of every shared column (exact KS, ties, missing values, a new category)', async () => {
    const { code, json } = await drift('--reference', fixture('ref.csv'), '--current', fixture('cur.csv'), '--json');
    expect(code).toBe(0);
    const byName = new Map<string, Row>(json.columns.map((c: Row) => [c.column, c]));
    expect([...byName.keys()]).toEqual(['amount', 'age', 'score', 'country']);
    for (const [name, want] of Object.entries(expected.small)) expectColumn(byName.get(name)!, want as Row);
    expect(byName.get('amount')!.ks.method).toBe('exact');
  });

  it('applies the documented rule: significant AND PSI >= threshold, and says which in the reason', async () => {
    const { json } = await drift('--reference', fixture('ref.csv'), '--current', fixture('cur.csv'), '--json');
    const byName = new Map<string, Row>(json.columns.map((c: Row) => [c.column, c]));
    // amount: p ≈ 6e-9 but PSI ≈ 0.041 — significant, too small to matter.
    expect(byName.get('amount')!.drift).toBe(false);
    expect(byName.get('amount')!.reason).toMatch(/KS p=.* < 0\.05 but PSI=.* < 0\.1/);
    expect(byName.get('age')!.drift).toBe(false);
    expect(byName.get('score')!.drift).toBe(true);
    expect(byName.get('country')!.drift).toBe(true);
    expect(byName.get('country')!.reason).toMatch(/^drift: chi2 p=/);
    expect(json.drift).toBe(true);
    expect(json.not_in_current).toEqual(['label', 'prediction']);
    const strict = await drift('--reference', fixture('ref.csv'), '--current', fixture('cur.csv'), '--json', '--psi-threshold', '0.04');
    expect(strict.json.columns.find((c: Row) => c.column === 'amount').drift).toBe(true);
  });

  it('uses the asymptotic p-value past 10 000 rows, like scipy', async () => {
    const { code, json } = await drift('--reference', fixture('big_ref.csv'), '--current', fixture('big_cur.csv'), '--json');
    expect(code).toBe(0);
    expectColumn(json.columns[0], expected.big.x);
    expect(json.columns[0].ks.method).toBe('asymptotic');
  });

  it('gives the same answer from a baseline.json as from the training file (exact sample up to 10 000 rows)', async () => {
    const out = join(tmp, 'baseline.json');
    const build = capture();
    expect(await main(['baseline', 'build', '--input', fixture('ref.csv'), '--model', 'fraud', '--label', 'label', '--prediction', 'prediction', '--out', out], build)).toBe(0);
    const fromFile = await drift('--reference', fixture('ref.csv'), '--current', fixture('cur.csv'), '--json');
    const fromBaseline = await drift('--reference', out, '--current', fixture('cur.csv'), '--json');
    expect(fromBaseline.code).toBe(0);
    // The baseline leaves label/prediction out of the features; the current file has neither.
    expect(fromBaseline.json.columns).toEqual(fromFile.json.columns);
  });

  it('from a quantile baseline (> 10 000 rows) stays within the stated KS bound of the exact answer', async () => {
    const out = join(tmp, 'big-baseline.json');
    expect(await main(['baseline', 'build', '--input', fixture('big_ref.csv'), '--model', 'm', '--out', out], capture())).toBe(0);
    const { json } = await drift('--reference', out, '--current', fixture('big_cur.csv'), '--json');
    const column = json.columns[0];
    expect(column.ks.approximation_bound).toBeCloseTo(1 / 1000 + 1 / 20000, 12);
    expect(Math.abs(column.ks.statistic - expected.big.x.ks.statistic)).toBeLessThanOrEqual(column.ks.approximation_bound);
    expect(column.psi).toBeCloseTo(expected.big.x.psi, 10); // PSI bins are stored exactly
    expect(Math.abs(column.wasserstein - expected.big.x.wasserstein)).toBeLessThan(0.01);
  });

  it('prints a readable table without --json', async () => {
    const { code, io } = await drift('--reference', fixture('ref.csv'), '--current', fixture('cur.csv'));
    expect(code).toBe(0);
    expect(io.stdout[0]).toMatch(/^column\s+kind\s+n_ref\s+n_cur\s+psi/);
    expect(io.stdout.some((l) => /^country\s+categorical .*DRIFT$/.test(l))).toBe(true);
    expect(io.stdout.at(-2)).toBe('2 of 4 columns drifted: score, country');
    expect(io.stdout.at(-1)).toBe(`not in ${fixture('cur.csv')}: label, prediction`);
  });

  describe('bad input exits 2 with a one-line reason', () => {
    async function bad(args: string[], pattern: RegExp) {
      const { code, io } = await drift(...args);
      expect(code).toBe(2);
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).toMatch(pattern);
      expect(io.stdout).toEqual([]);
    }
    const write = (name: string, text: string) => {
      const path = join(tmp, name);
      writeFileSync(path, text);
      return path;
    };

    it('a missing file', () => bad(['--reference', join(tmp, 'nope.csv'), '--current', fixture('cur.csv')], /nope\.csv: cannot read \(ENOENT\)/));
    it('no common columns', () =>
      bad(['--reference', fixture('ref.csv'), '--current', write('other.csv', 'a,b\n1,2\n')], /no common columns between .*ref\.csv \(amount, age.*\) and .*other\.csv \(a, b\)$/));
    it('an empty current sample', () => bad(['--reference', fixture('ref.csv'), '--current', write('empty.csv', 'amount,age\n')], /current file has no rows/));
    it('a column with no values', () =>
      bad(['--reference', fixture('ref.csv'), '--current', write('blank.csv', 'amount\n\nNA\n,\n'.replace(',\n', '\n'))], /column "amount": .* has no values/));
    it('a non-numeric value in a numeric column, naming the line', () =>
      bad(['--reference', fixture('ref.csv'), '--current', write('text.csv', 'amount,age\n1.5,30\n2.5,thirty\n')], /text\.csv:3: column "age" is numeric but holds "thirty"/));
    it('a missing flag', () => bad(['--current', fixture('cur.csv')], /--reference and --current are required/));
    it('an unknown flag', () => bad(['--reference', fixture('ref.csv'), '--current', fixture('cur.csv'), '--bogus'], /Unknown option '--bogus'/));
    it('an unsupported baseline schema', () =>
      bad(['--reference', write('b.json', '{"schema_version": 99, "model": "m", "features": {}}'), '--current', fixture('cur.csv')], /schema_version 99 is not supported/));
  });

  it('treats --categorical columns as categories even when they look numeric', async () => {
    const { json } = await drift('--reference', fixture('ref.csv'), '--current', fixture('cur.csv'), '--json', '--categorical', 'age');
    const age = json.columns.find((c: Row) => c.column === 'age');
    expect(age.kind).toBe('categorical');
    expect(age.chi2.dof).toBe(61); // ages 18..79
  });
});
