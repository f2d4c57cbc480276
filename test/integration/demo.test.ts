// The README's main command, end to end on its own local ClickHouse and broker: the drift fires, the night-time
// noise before it does not, and every malformed message is dead-lettered.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run.js';
import { clickhouseUrl, engine, uniqueName } from '../support/services.js';

describe('driftwatch demo', () => {
  it('ingests everything, dead-letters the malformed messages, and pages once for the injected drift', async () => {
    const lines: string[] = [];
    // embedded: the demo's own default (its engine in the output folder); server: the suite's ClickHouse 18.16
    const store = engine() === 'server' ? { clickhouse: clickhouseUrl(), database: uniqueName('demo') } : {};
    const result = await runDemo({ outDir: mkdtempSync(join(tmpdir(), 'dw-demo-')), hours: 36, driftAtHour: 24, driftSigmas: 0.8, say: (l) => lines.push(l), ...store });
    expect(result.stored).toBe(result.produced);
    expect(result.deadLetters).toBe(result.malformed);
    expect(result.malformed).toBeGreaterThan(0);
    expect(result.windows).toHaveLength(36);
    const firing = result.alerts.filter((a) => a.status === 'firing');
    expect(firing.map((a) => a.feature)).toEqual(['amount']);
    const driftStart = Date.UTC(2026, 10, 22, 0) + 24 * 3_600_000;
    const delayHours = (Date.parse(firing[0].at) - driftStart) / 3_600_000;
    expect(delayHours).toBeGreaterThan(0);
    expect(delayHours).toBeLessThanOrEqual(6);
    expect(lines.some((l) => l.includes('ingested'))).toBe(true);
    const html = readFileSync(result.reportPath, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('amount');
  });
});
