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
    // printed to 10 significant digits
    expect(Math.abs(actual.cvm.statistic - want.cvm.statistic)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want.cvm.statistic)));
    expect(Math.abs(actual.cvm.p_value - want.cvm.p_value)).toBeLessThan(Math.max(1e-6 * want.cvm.p_value, 1e-9));
    expect(Math.abs(actual.anderson.statistic - want.anderson.statistic)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want.anderson.statistic)));
    expect(actual.anderson.p_value).toBeCloseTo(want.anderson.p_value, 9);
    expect(actual.out_of_range_rate).toBeCloseTo(want.out_of_range_rate, 10);
    expect(actual.unseen_rate).toBeNull();
  } else {
    expect(actual.chi2.statistic).toBeCloseTo(want.chi2.statistic, 6);
    expect(actual.chi2.dof).toBe(want.chi2.dof);
    expect(Math.abs(actual.chi2.p_value - want.chi2.p_value)).toBeLessThan(1e-6 * want.chi2.p_value);
    expect(actual.ks).toBeNull();
    expect(actual.wasserstein).toBeNull();
    expect(actual.cvm).toBeNull();
    expect(actual.anderson).toBeNull();
    expect(actual.out_of_range_rate).toBeNull();
    expect(actual.unseen_rate).toBeCloseTo(want.unseen_rate, 10);
  }
  expect(actual.missing_rate).toBeCloseTo(want.missing_rate, 10);
  expect(actual.type_mismatch_rate).toBeCloseTo(want.type_mismatch_rate ?? 0, 10);
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
    expect(io.stdout.at(-2)).toBe('2 of 4 columns drifted (p adjusted: holm): score, country');
    expect(io.stdout.at(-1)).toBe(`not in ${fixture('cur.csv')}: label, prediction`);
  });

  it('reports data quality: out-of-range, values between a discrete feature\'s support points, unseen categories, text in a numeric column', async () => {
    const { code, json } = await drift('--reference', fixture('qual_ref.csv'), '--current', fixture('qual_cur.csv'), '--json');
    expect(code).toBe(0);
    const byName = new Map<string, Row>(json.columns.map((c: Row) => [c.column, c]));
    for (const [name, want] of Object.entries(expected.data_quality)) expectColumn(byName.get(name)!, want as Row);
    expect(byName.get('load')!.type_mismatch_rate).toBeCloseTo(12 / 300, 12);
    expect(byName.get('load')!.out_of_range_rate).toBeGreaterThan(0.01);
    expect(byName.get('plan')!.unseen_rate).toBeGreaterThan(0.05);
  });

  it('corrects the dataset verdict for the number of columns, names the drifted ones, and gates CI with --fail-on-drift', async () => {
    const { json } = await drift('--reference', fixture('ref.csv'), '--current', fixture('cur.csv'), '--json');
    expect(json.correction).toBe('holm');
    const p = json.columns.map((c: Row) => (c.ks ?? c.chi2).p_value as number);
    // Holm by hand: the i-th smallest p times (m − i + 1), made monotone
    const order = p.map((_: number, i: number) => i).sort((a: number, b: number) => p[a] - p[b]);
    let running = 0;
    const holm = new Array<number>(p.length);
    order.forEach((i: number, rank: number) => (holm[i] = running = Math.max(running, Math.min(1, (p.length - rank) * p[i]))));
    json.columns.forEach((c: Row, i: number) => expect(c.adjusted_p_value).toBeCloseTo(holm[i], 9));
    expect(json.drifted_columns).toEqual(json.columns.filter((c: Row, i: number) => holm[i] < 0.05 && c.psi >= 0.1).map((c: Row) => c.column));
    expect(json.drifted_columns).toEqual(['score', 'country']);
    expect(json.drift).toBe(true);
    expect((await drift('--reference', fixture('ref.csv'), '--current', fixture('cur.csv'), '--fail-on-drift')).code).toBe(1);
    expect((await drift('--reference', fixture('ref.csv'), '--current', fixture('ref.csv'), '--fail-on-drift')).code).toBe(0);
    expect((await drift('--reference', fixture('ref.csv'), '--current', fixture('cur.csv'))).code).toBe(0);
  });

  it('a column significant alone is not a dataset drift once corrected for many columns', async () => {
    // 20 columns: one with p just under 0.05 on its own, the others the same data
    const rows = 400;
    const header = Array.from({ length: 20 }, (_, k) => `c${k}`);
    const ref: string[] = [header.join(',')];
    const cur: string[] = [header.join(',')];
    for (let i = 0; i < rows; i++) {
      ref.push(header.map(() => String(i % 40)).join(','));
      cur.push(header.map((_, k) => String(k === 0 ? (i % 40) + (i % 3 === 0 ? 12 : 0) : i % 40)).join(','));
    }
    const write = (name: string, lines: string[]) => {
      const path = join(tmp, name);
      writeFileSync(path, `${lines.join('\n')}\n`);
      return path;
    };
    const r = write('many_ref.csv', ref);
    const c = write('many_cur.csv', cur);
    const none = await drift('--reference', r, '--current', c, '--json', '--correction', 'none', '--psi-threshold', '0.01');
    const first = none.json.columns[0];
    expect(first.ks.p_value).toBeLessThan(0.05);
    expect(none.json.drifted_columns).toEqual(['c0']);
    for (const method of ['holm', 'bh']) {
      const corrected = await drift('--reference', r, '--current', c, '--json', '--correction', method, '--psi-threshold', '0.01');
      expect(corrected.json.columns[0].adjusted_p_value).toBeGreaterThanOrEqual(Math.min(1, first.ks.p_value * 20) - 1e-12);
      expect(corrected.json.drift).toBe(false);
      expect(corrected.json.correction).toBe(method);
    }
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
    it('a reference column that turns from numbers to text, naming the line', () =>
      bad(['--reference', write('textref.csv', 'amount,age\n1.5,30\n2.5,thirty\n'), '--current', fixture('cur.csv')], /textref\.csv:3: column "age" is numeric but holds "thirty"/));
    it('a current column with nothing but text where the reference has numbers', () =>
      bad(['--reference', fixture('ref.csv'), '--current', write('alltext.csv', 'amount,age\n1.5,thirty\n2.5,forty\n')], /column "age": .* has no numbers in it \(2 values of another type\)/));
    it('an unknown correction', () => bad(['--reference', fixture('ref.csv'), '--current', fixture('cur.csv'), '--correction', 'bonferroni'], /--correction must be one of holm, bh, none/));
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
