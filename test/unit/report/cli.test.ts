// `driftwatch report` through main(): offline from the drift fixtures, --model from a Store (in memory here; the
// real ClickHouse in test/integration/report-browser.test.ts), and usage errors (exit 2).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { CliIO } from '../../../src/cli/io.js';
import { fakeStore } from './fake-store.js';
import { scenario } from './scenario.js';

vi.mock('../../../src/store/index.js', async (original) => ({
  ...(await original<typeof import('../../../src/store/index.js')>()),
  openStore: () => fakeStore(scenario()),
}));
const { main } = await import('../../../src/main.js');

const DRIFT = join(import.meta.dirname, '../../fixtures/drift');
const tmp = mkdtempSync(join(tmpdir(), 'dw-report-'));

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {} };
}

describe('driftwatch report', () => {
  it('writes the offline report and prints its path and what drifted', async () => {
    const io = capture();
    const out = join(tmp, 'sub', 'offline.html');
    const code = await main(['report', '--reference', join(DRIFT, 'ref.csv'), '--current', join(DRIFT, 'cur.csv'), '--categorical', 'country', '--out', out], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(io.stdout).toEqual([expect.stringMatching(new RegExp(`^report: ${out} \\(\\d+ KiB; 2 of 4 features drifted\\)$`))]);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/data-feature="country" data-drifted="true"/);
  });

  it('applies --alpha and --psi-threshold like driftwatch drift', async () => {
    const io = capture();
    const out = join(tmp, 'strict.html');
    await main(['report', '--reference', join(DRIFT, 'ref.csv'), '--current', join(DRIFT, 'cur.csv'), '--categorical', 'country', '--psi-threshold', '0.2', '--out', out], io);
    expect(io.stdout[0]).toMatch(/1 of 4 features drifted/);
  });

  it('writes the ClickHouse report for --model over --from/--to', async () => {
    const io = capture();
    const out = join(tmp, 'model.html');
    const code = await main(['report', '--model', 'fraud', '--from', '2026-11-20T00:00:00Z', '--to', '2026-11-20T12:00:00Z', '--out', out], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(io.stdout[0]).toMatch(/1 of 5 features drifted/);
    expect(readFileSync(out, 'utf8')).toContain('2026-11-20 00:00 UTC → 2026-11-20 12:00 UTC');
  });

  it.each([
    [['--reference', 'a.csv', '--current', 'b.csv'], /--out FILE is required/],
    [['--out', 'x.html'], /give either --reference and --current, or --model/],
    [['--model', 'm', '--reference', 'a.csv', '--out', 'x.html'], /give either --reference and --current, or --model/],
    [['--reference', 'a.csv', '--out', 'x.html'], /--reference and --current go together/],
    [['--model', 'm', '--from', 'yesterday', '--out', 'x.html'], /--from must be RFC 3339/],
    [['--model', 'm', '--from', '2026-11-21T00:00:00Z', '--to', '2026-11-20T00:00:00Z', '--out', 'x.html'], /must be before --to/],
    [['--reference', join(DRIFT, 'ref.csv'), '--current', join(DRIFT, 'cur.csv'), '--alpha', '2', '--out', 'x.html'], /--alpha must be a number in \(0, 1\)/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 with one clear line on bad input %#', async (args, message) => {
    const io = capture();
    expect(await main(['report', ...args], io)).toBe(2);
    expect(io.stderr[0]).toMatch(message);
  });
});
