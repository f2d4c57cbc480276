// The Alertmanager sink against Debian's real prometheus-alertmanager 0.25.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertBook, AlertmanagerSink, Outbox } from '../../src/alerting/index.js';
import type { StreamDecision } from '../../src/alerting/lifecycle.js';
import { startAlertmanager, type LocalAlertmanager } from '../support/alertmanager.js';

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
  endsAt: string;
}

function decision(outcome: 'raised' | 'resolved', end: number): StreamDecision {
  return {
    model: 'fraud', feature: 'amount', kind: 'feature_drift', outcome, statistic: 'psi', value: outcome === 'raised' ? 0.3 : 0.01,
    reason: outcome === 'raised' ? 'PSI 0.30 above tolerance 0.1' : 'PSI back under 0.05', severity: 'warning',
    window: { start: end - 3_600_000, end }, baselineVersion: 'v1',
    evidence: { logEvidence: 10, logThreshold: 9, tolerance: 0.1, windows: 2, rows: 500, baselineRows: 20_000 },
  };
}

describe('Alertmanager sink (real Alertmanager)', () => {
  let am: LocalAlertmanager;
  let dir: string;
  beforeAll(async () => {
    am = await startAlertmanager();
    dir = mkdtempSync(join(tmpdir(), 'dw-am-outbox-'));
  });
  afterAll(async () => {
    await am?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const list = async (): Promise<ApiAlert[]> => (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as ApiAlert[];

  it('shows a firing alert, keeps it on refresh, and drops it once resolved', async () => {
    const sink = new AlertmanagerSink({ url: am.url, generatorUrl: 'http://driftwatch.local/v1/alerts' });
    const outbox = new Outbox({ dir, sinks: [sink] });
    const book = new AlertBook();
    const fired = book.record(decision('raised', Date.now() - 1000))!;
    outbox.enqueue(fired, Date.now());
    expect((await outbox.drain(Date.now())).delivered).toHaveLength(1);

    const active = await list();
    expect(active).toHaveLength(1);
    expect(active[0].labels).toMatchObject({ alertname: 'DriftwatchFeatureDrift', model: 'fraud', feature: 'amount', alert_id: fired.alertId, severity: 'warning' });
    expect(active[0].annotations.description).toBe('PSI 0.30 above tolerance 0.1');
    expect(active[0].status.state).toBe('active');

    await outbox.refresh(book.firing().map((a) => a.last), Date.now());
    expect(sink.lastRefresh).toEqual({ outcome: 'delivered' });
    expect(await list()).toHaveLength(1); // same labels: still one alert

    const resolved = book.record(decision('resolved', Date.now() - 500))!;
    outbox.enqueue(resolved, Date.now());
    expect((await outbox.drain(Date.now())).delivered).toHaveLength(1);
    expect(await list()).toEqual([]);
    outbox.close();
  });

  it('answers 400 to a malformed alert (the status the sinks settle as rejected)', async () => {
    const res = await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{"labels": 5}]' });
    expect(res.status).toBe(400);
  });
});
