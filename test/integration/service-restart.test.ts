// A restarted service remembers which alerts fire and the tests' evidence (data dir), so it neither pages again
// for a drift it already paged nor forgets to resolve it; an unreadable state file is set aside, never trusted.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, readTable } from '../../src/baseline/index.js';
import { DEFAULTS, type Config } from '../../src/config/index.js';
import { trainingCsv } from '../../src/demo/stream.js';
import { predictionRow } from '../../src/ingest/rows.js';
import { simulateStream } from '../../src/replay/index.js';
import { startService } from '../../src/service.js';
import type { Store } from '../../src/store/index.js';
import { jsonLogger, silentLogger } from '../../src/telemetry/log.js';
import { clickhouseUrl, freshStore } from '../support/services.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 20);

describe('service restart', () => {
  let store: Store;
  let config: Config;
  beforeAll(async () => {
    store = await freshStore('restart');
    const dir = mkdtempSync(join(tmpdir(), 'dw-restart-'));
    writeFileSync(join(dir, 'train.csv'), trainingCsv(3, 5_000));
    const profile = buildBaseline(await readTable(join(dir, 'train.csv')), { model: 'fraud', createdAt: START, version: 'v1' });
    await store.insert('baselines', [{ model: 'fraud', version: 'v1', created_at: START / 1000, profile: JSON.stringify(profile) }]);
    const rows = [...simulateStream({ model: 'fraud', seed: 5, start: START, hours: 6, drift: { kind: 'mean_shift', sigmas: 1.5, start: START + 2 * HOUR } })]
      .map((p) => predictionRow(p, START + 7 * HOUR));
    await store.insert('predictions', rows as unknown as Record<string, unknown>[]);
    config = structuredClone(DEFAULTS);
    config.clickhouse.url = clickhouseUrl();
    config.clickhouse.database = store.database;
    config.http = { ...config.http, port: 0, host: '127.0.0.1' };
    config.ingest.models = ['fraud'];
    config.dataDir = join(dir, 'state');
  });
  afterAll(async () => store.close());

  it('keeps the firing alert and the evidence across a restart', async () => {
    const first = await startService(config, silentLogger);
    const report = await first.evaluator.tick(START + 6 * HOUR + 10 * 60_000);
    expect(report.evaluated).toHaveLength(6);
    const firing = first.alerts.dispatch.book.firing().map((a) => `${a.model}/${a.feature}`);
    expect(firing).toEqual(['fraud/amount']);
    const evidence = JSON.stringify(first.evaluator.judgeState());
    await first.stop();
    expect(existsSync(join(config.dataDir, 'state.json'))).toBe(true);

    const second = await startService(config, silentLogger);
    try {
      expect(second.alerts.dispatch.book.firing().map((a) => `${a.model}/${a.feature}`)).toEqual(firing);
      expect(JSON.stringify(second.evaluator.judgeState())).toBe(evidence);
      const metrics = (await second.app.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(/driftwatch_alerts_firing\{model="fraud",kind="feature_drift"\} 1/);
    } finally {
      await second.stop();
    }
  });

  it('keeps models declared through the API across a restart; the models file wins over a saved declaration', async () => {
    const admin = 'admin-token-0123456789abcdef';
    const withToken: Config = { ...config, http: { ...config.http, tokens: [{ token: admin, scopes: ['admin'] }] } };
    const declared = { window: '30m', grace: '2m', label_horizon: '2d', task: 'binary', features: { amount: 'numeric' } };
    const first = await startService(withToken, silentLogger);
    try {
      for (const id of ['churn', 'fraud']) {
        const res = await first.app.inject({ method: 'PUT', url: `/v1/models/${id}`, headers: { authorization: `Bearer ${admin}` }, payload: declared });
        expect(res.statusCode).toBe(200);
      }
    } finally {
      await first.stop();
    }
    const second = await startService(withToken, silentLogger);
    try {
      for (const id of ['churn', 'fraud']) expect(second.models.get(id)).toMatchObject({ windowMs: 1_800_000, graceMs: 120_000, labelHorizonMs: 2 * 86_400_000, task: 'binary', features: { amount: 'numeric' } });
    } finally {
      await second.stop();
    }
    // an explicit models file is the operator's word: it replaces the saved declaration of the same model (warned)
    const file = join(config.dataDir, '..', 'models.yaml');
    writeFileSync(file, 'models:\n  - id: fraud\n    window: 2h\n');
    const lines: string[] = [];
    const third = await startService({ ...withToken, evaluation: { ...withToken.evaluation, modelsFile: file } }, jsonLogger('warn', {}, (l) => lines.push(l) > 0));
    try {
      expect(third.models.get('fraud')?.windowMs).toBe(7_200_000);
      expect(third.models.get('churn')?.windowMs).toBe(1_800_000);
      expect(lines.some((l) => l.includes('"saved_model_not_restored"') && l.includes('replaced by the models file'))).toBe(true);
    } finally {
      await third.stop();
    }
  });

  it('sets an unreadable state file aside and starts clean', async () => {
    writeFileSync(join(config.dataDir, 'state.json'), '{"half": ');
    const lines: string[] = [];
    const service = await startService(config, jsonLogger('warn', {}, (l) => lines.push(l) > 0));
    try {
      expect(service.alerts.dispatch.book.firing()).toEqual([]);
      expect(lines.some((l) => l.includes('"state_unreadable"'))).toBe(true);
      expect(readdirSync(config.dataDir).some((f) => f.startsWith('state.json.unreadable-'))).toBe(true);
    } finally {
      await service.stop();
    }
  });
});
