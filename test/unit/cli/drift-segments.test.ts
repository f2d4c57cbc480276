// `driftwatch drift --segments`: a drift confined to one country is reported for that segment while the whole file
// and the other segments stay quiet; a value outside the top N goes to __other__; each segment's PSI equals the
// comparison of that segment's rows alone.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.js';
import { SeededRandom } from '../../../src/stats/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'dw-drift-segments-'));
const COUNTRIES: Array<[string, number]> = [['US', 0.45], ['GB', 0.25], ['DE', 0.15], ['ES', 0.1], ['IT', 0.05]];

function csv(name: string, rows: number, seed: number, deShift: number, only?: string): string {
  const rng = new SeededRandom(seed);
  const lines = ['amount,device,country'];
  for (let i = 0; i < rows; i++) {
    let u = rng.next();
    const country = COUNTRIES.find(([, p]) => (u -= p) < 0)?.[0] ?? 'IT';
    const amount = rng.normal() + (country === 'DE' ? deShift : 0);
    const device = rng.next() < 0.6 ? 'ios' : 'android';
    if (only === undefined || only === country) lines.push(`${amount},${device},${country}`);
  }
  const path = join(tmp, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('drift --segments', () => {
  const reference = csv('train.csv', 8000, 1, 0);

  it('reports the drifting segment only; the rest together; each segment as if compared alone', async () => {
    const current = csv('current.csv', 4000, 2, 1.5);
    const r = await cli('drift', '--reference', reference, '--current', current, '--categorical', 'device,country', '--segments', 'country', '--segment-top', '3', '--json');
    expect(r.code).toBe(0);
    expect(r.json.drift).toBe(false); // 15 % of the rows shifted: not enough for the whole file
    const names = r.json.segments.map((s: { segment: string }) => s.segment);
    expect(names).toEqual(['country=US', 'country=GB', 'country=DE', 'country=__other__']);
    const drifted = r.json.segments.filter((s: { drift: boolean }) => s.drift).map((s: { segment: string; drifted_columns: string[] }) => [s.segment, s.drifted_columns]);
    expect(drifted).toEqual([['country=DE', ['amount']]]);
    const de = r.json.segments[2];
    expect(de.columns.map((c: { column: string }) => c.column)).toEqual(['amount', 'device']); // without its own column
    // the same as comparing DE's rows alone (the same seed draws the same rows)
    const alone = await cli('drift', '--reference', reference, '--current', csv('de.csv', 4000, 2, 1.5, 'DE'), '--categorical', 'device,country', '--json');
    expect(de.rows).toBe(alone.json.columns[0].n_current);
    expect(de.columns[0].psi).toBe(alone.json.columns[0].psi);
    expect(de.columns[0].ks).toEqual(alone.json.columns[0].ks);
    const other = r.json.segments[3];
    const it = await cli('drift', '--reference', reference, '--current', csv('it.csv', 4000, 2, 1.5, 'IT'), '--categorical', 'device,country', '--json');
    const es = await cli('drift', '--reference', reference, '--current', csv('es.csv', 4000, 2, 1.5, 'ES'), '--categorical', 'device,country', '--json');
    expect(other.rows).toBe(it.json.columns[0].n_current + es.json.columns[0].n_current);
    const text = await cli('drift', '--reference', reference, '--current', current, '--categorical', 'device,country', '--segments', 'country', '--segment-top', '3');
    expect(text.out).toContain(`segment country=DE (${de.rows} rows, against the whole reference): drifted: amount`);
  });

  it('compares each segment with its own profile in a baseline built with --segments; a value without one with the whole model', async () => {
    // DE's normal amounts are 1 σ higher; the current file is like training
    const train = csv('train-de.csv', 8000, 5, 1);
    const current = csv('current-de.csv', 4000, 6, 1);
    const baseline = join(tmp, 'segmented.json');
    const built = await cli('baseline', 'build', '--input', train, '--model', 'm', '--categorical', 'device,country', '--segments', 'country', '--segment-top', '3', '--segment-min-rows', '300', '--out', baseline);
    expect(built.code).toBe(0);
    expect(built.out.join('\n')).toContain('segments country=US,GB,DE,__other__');
    const own = await cli('drift', '--reference', baseline, '--current', current, '--segments', 'country', '--segment-top', '4', '--json');
    expect(own.code).toBe(0);
    const by = (r: typeof own) => Object.fromEntries(r.json.segments.map((x: { segment: string }) => [x.segment, x])) as Record<string, { reference: string; drift: boolean; rows: number; columns: Array<{ column: string; psi: number; ks: unknown }> }>;
    const seg = by(own);
    // ES is the 4th value here, without a profile of its own: the whole model's; __other__ (IT) has every profiled value in the top
    expect(Object.fromEntries(Object.entries(seg).map(([k, v]) => [k, v.reference]))).toEqual({ 'country=US': 'segment', 'country=GB': 'segment', 'country=DE': 'segment', 'country=ES': 'model', 'country=__other__': 'segment' });
    expect(Object.values(seg).filter((x) => x.drift)).toEqual([]);
    // the contrast: against the whole training file, DE's normal is a drift
    const whole = by(await cli('drift', '--reference', train, '--current', current, '--categorical', 'device,country', '--segments', 'country', '--segment-top', '4', '--json'));
    expect(whole['country=DE'].reference).toBe('model');
    expect(whole['country=DE'].drift).toBe(true);
    // DE against its profile is DE's current rows against a baseline of DE's training rows alone
    const deBaseline = join(tmp, 'de-only.json');
    expect((await cli('baseline', 'build', '--input', csv('train-de-only.csv', 8000, 5, 1, 'DE'), '--model', 'm', '--categorical', 'device,country', '--out', deBaseline)).code).toBe(0);
    const alone = await cli('drift', '--reference', deBaseline, '--current', csv('current-de-only.csv', 4000, 6, 1, 'DE'), '--json');
    const amount = alone.json.columns.find((c: { column: string }) => c.column === 'amount');
    expect(seg['country=DE'].columns[0]).toMatchObject({ column: 'amount', psi: amount.psi, ks: amount.ks });
    const text = await cli('drift', '--reference', baseline, '--current', current, '--segments', 'country', '--segment-top', '4');
    expect(text.out).toContain(`segment country=DE (${seg['country=DE'].rows} rows, against the segment's own profile): no drift`);
  });

  it('refuses a numeric or unknown segment column and a bad --segment-top', async () => {
    const current = csv('c2.csv', 500, 3, 0);
    for (const [args, message] of [
      [['--segments', 'amount'], /"amount" is numeric/],
      [['--segments', 'nope'], /has no column "nope"/],
      [['--segments', 'country', '--segment-top', '0'], /--segment-top must be a whole number/],
      [['--segment-top', '3'], /--segment-top needs --segments/],
    ] as const) {
      const r = await cli('drift', '--reference', reference, '--current', current, '--categorical', 'device,country', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.join('\n')).toMatch(message);
    }
  });
});
