// The report's feature cards carry the data-quality shares and Hellinger that `driftwatch drift --json` computes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/main.js';

const fixture = (name: string) => join(import.meta.dirname, '../../fixtures/drift', name);
const silent = () => ({ out: (l: string) => lines.push(l), err: () => undefined, env: {} });
const lines: string[] = [];

describe('report: data quality on the feature cards', () => {
  it('shows out-of-range, unseen, wrong-type and missing shares and Hellinger as drift computes them', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'dw-report-quality-')), 'report.html');
    expect(await main(['report', '--reference', fixture('qual_ref.csv'), '--current', fixture('qual_cur.csv'), '--out', out], silent())).toBe(0);
    lines.length = 0;
    expect(await main(['drift', '--reference', fixture('qual_ref.csv'), '--current', fixture('qual_cur.csv'), '--json'], silent())).toBe(0);
    const columns = JSON.parse(lines.join('\n')).columns as Array<Record<string, number | string | null>>;
    const html = readFileSync(out, 'utf8');
    const card = (name: string) => html.slice(html.indexOf(`data-feature="${name}"`), html.indexOf('</article>', html.indexOf(`data-feature="${name}"`)));
    const pct = (v: number) => `${Number((v * 100).toPrecision(3))} %`;
    const load = columns.find((c) => c.column === 'load')!;
    expect(card('load')).toContain(`<dt>out of range</dt><dd>${pct(load.out_of_range_rate as number)}</dd>`);
    expect(card('load')).toContain(`<dt>wrong type</dt><dd>${pct(load.type_mismatch_rate as number)}</dd>`);
    expect(card('load')).not.toContain('unseen categories');
    const plan = columns.find((c) => c.column === 'plan')!;
    expect(card('plan')).toContain(`<dt>unseen categories</dt><dd>${pct(plan.unseen_rate as number)}</dd>`);
    expect(card('plan')).toContain(`<dt>missing</dt><dd>${pct(plan.missing_rate as number)}</dd>`);
    expect(card('plan')).toContain('<dt>Hellinger</dt>');
  });
});
