// Case 12: a usage error (unknown option, missing value) exits 2 in every command, as README says.
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/main.js';

describe('exit codes', () => {
  it.each([
    [['serve', '--bogus']], [['migrate', '--bogus']], [['demo', '--hours', '-5']], [['demo', '--hours', '0']], [['drift', '--bogus']],
    [['evaluate', '--bogus']], [['replay', '--bogus']], [['report', '--bogus']], [['baseline', 'build', '--bogus']],
    [['collect', 'dcgm', '--bogus']], [['dashboards', 'build', '--bogus']], [['nosuchcommand']],
  ])('driftwatch %j exits 2 with one line naming the problem', async (argv) => {
    const err: string[] = [];
    const code = await main(argv, { out: () => undefined, err: (l) => err.push(l), env: {} });
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^driftwatch[ :]/);
  });
});
