// The live service on a real ClickHouse when labels arrive long after the predictions: 48 hourly windows are all
// evaluated first without labels; their labels then land out of order, some before and some after a restart. A model
// whose accuracy drops from hour 30 pages exactly once (Alertmanager and the retraining webhook), at the hour-30 window;
// a model without a drop never pages; a model whose labels never come is reported at its horizon, never judged.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseline, type Column } from '../../src/baseline/index.js';
import { DEFAULTS, type Config } from '../../src/config/index.js';
import { startService } from '../../src/service.js';
import type { Store } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/log.js';
import { AlertmanagerReceiver, WebhookReceiver } from '../support/http-receiver.js';
import { clickhouseUrl, freshStore } from '../support/services.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 2); // 48 windows from here
const WINDOWS = 48;
const ROWS = 120;
const DROP_FROM = 30;
const SECRET = `whsec_${Buffer.from('late-labels-secret-0123').toString('base64')}`;
const amount = (i: number) => ((i * 7919) % 1000) / 10;
const score = (i: number) => ((i * 37) % 100) / 100;
/** the label of prediction i: 1 in 10 wrong in training and before the drop, 3 in 10 after it */
const truth = (i: number, wrongOf10: number) => ((score(i) >= 0.5) !== (i % 10 < wrongOf10) ? 1 : 0);

function baseline(model: string) {
  const n = 2000;
  const columns = new Map<string, Column>([
    ['amount', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => amount(i)) }],
    ['score', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => score(i)) }],
    ['label', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => truth(i, 1)) }],
  ]);
  return buildBaseline({ source: 'train', rows: n, columns }, { model, createdAt: START - HOUR, version: 'v1', label: 'label', prediction: 'score' });
}

const id = (w: number, j: number) => `w${w}-${j}`;
function predictions(model: string, windows: number) {
  return Array.from({ length: windows * ROWS }, (_, k) => {
    const [w, j] = [Math.floor(k / ROWS), k % ROWS];
    const ts = START + w * HOUR + j * 29_000;
    return {
      model, model_version: '1', prediction_id: id(w, j), ts: Math.floor(ts / 1000), ts_ms: ts,
      num_names: ['amount'], num_values: [amount(k + 17)], cat_names: [], cat_values: [], missing_names: [],
      prediction_num: score(j), prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000),
    };
  });
}

/** Labels of window w (rows `from`..`to`), stored at `at`. */
function labels(model: string, w: number, at: number, from = 0, to = ROWS) {
  const wrong = model === 'drop' && w >= DROP_FROM ? 3 : 1;
  return Array.from({ length: to - from }, (_, k) => {
    const j = from + k;
    return { model, prediction_id: id(w, j), label_num: truth(j, wrong), label_str: null, ts: Math.floor(at / 1000), ts_ms: at, ingested_at: Math.floor(at / 1000) };
  });
}

describe('late labels in the live service', () => {
  let store: Store;
  let config: Config;
  const alertmanager = new AlertmanagerReceiver();
  const webhook = new WebhookReceiver(SECRET);

  beforeAll(async () => {
    store = await freshStore('late_labels');
    await Promise.all([alertmanager.start(), webhook.start()]);
    for (const model of ['drop', 'steady', 'silent']) {
      await store.insert('baselines', [{ model, version: 'v1', created_at: Math.floor((START - HOUR) / 1000), profile: JSON.stringify(baseline(model)) }]);
    }
    await store.insert('predictions', [...predictions('drop', WINDOWS), ...predictions('steady', WINDOWS), ...predictions('silent', 24)]);
    const dir = mkdtempSync(join(tmpdir(), 'dw-late-labels-'));
    writeFileSync(join(dir, 'models.yaml'), [
      'models:',
      '  - { id: drop, task: binary, label_coverage: 0.9 }',
      '  - { id: steady, task: binary }',
      '  - { id: silent, task: binary, window: 6h, label_horizon: 6h }',
    ].join('\n'));
    config = structuredClone(DEFAULTS);
    config.clickhouse.url = clickhouseUrl();
    config.clickhouse.database = store.database;
    config.http = { ...config.http, port: 0, host: '127.0.0.1' };
    config.evaluation.modelsFile = join(dir, 'models.yaml');
    config.evaluation.intervalMs = 3_600_000; // the test drives the evaluation clock itself
    config.alerting.alertmanagerUrl = alertmanager.url;
    config.alerting.webhookUrl = `${webhook.url}/retrain`;
    config.alerting.webhookSecret = SECRET;
    config.dataDir = join(dir, 'state');
  });
  afterAll(async () => {
    await Promise.all([alertmanager.stop(), webhook.stop()]);
    await store.close();
  });

  const firing = (s: Awaited<ReturnType<typeof startService>>) => s.alerts.dispatch.book.firing().map((a) => `${a.model}/${a.feature}`).sort();

  it('pages once for an accuracy drop from hour 30 whose labels came after every window was evaluated, across a restart', async () => {
    const closed = START + WINDOWS * HOUR;
    let service = await startService(config, silentLogger);
    try {
      // every window evaluated once, without a label: nothing to judge the accuracy on yet
      const first = await service.evaluator.tick(closed + 10 * 60_000);
      expect(first.failed).toEqual([]);
      expect(first.evaluated).toHaveLength(2 * WINDOWS + 8); // silent: eight 6 h windows
      expect(first.evaluated.every((e) => e.quality.labelCoverage === 0 || e.rows === 0)).toBe(true);
      // the model whose labels never come: its windows past the 6 h horizon are reported, not judged
      expect(first.labelled.map((l) => [l.model, l.outcome, (l.start - START) / HOUR])).toEqual([0, 6, 12, 18].map((h) => ['silent', 'unlabelled', h]));
      expect(firing(service)).toEqual([]);
      const metrics = (await service.app.inject({ url: '/metrics' })).body;
      expect(metrics).toContain('driftwatch_labelled_windows_total{model="silent",outcome="unlabelled"} 4');
      expect(metrics).toContain(`driftwatch_windows_awaiting_labels{model="drop"} ${WINDOWS}`);

      // labels land for the later windows first (all of them), and for half the rows of window 0
      const t1 = closed + 2 * HOUR;
      const batch1 = [];
      for (const model of ['drop', 'steady']) {
        for (let w = WINDOWS - 1; w >= 24; w--) batch1.push(...labels(model, w, t1));
        batch1.push(...labels(model, 0, t1, 0, ROWS / 2));
      }
      await store.insert('labels', batch1);
      const second = await service.evaluator.tick(t1 + 2 * 60_000);
      expect(second.failed).toEqual([]);
      expect(second.reevaluated).toHaveLength(2 * 25);
      // window 0 is half labelled, so nothing may enter the tests yet: windows are judged in their order
      expect(second.labelled).toEqual([]);
      expect(firing(service)).toEqual([]);
      const waiting = service.evaluator.judgeStateOf('drop')!.labels!;
      expect(waiting.pending.map((w) => (w.start - START) / HOUR)).toEqual(Array.from({ length: WINDOWS }, (_, w) => w));
      expect(waiting.pending[0]).toMatchObject({ rows: ROWS, labelled: ROWS / 2 });
    } finally {
      await service.stop();
    }

    // restart: the waiting windows and the evidence come back from the data dir
    service = await startService(config, silentLogger);
    try {
      expect(service.evaluator.judgeStateOf('drop')!.labels!.pending).toHaveLength(WINDOWS);
      const t2 = closed + 5 * HOUR;
      const batch2 = [];
      for (const model of ['drop', 'steady']) for (let w = 23; w >= 0; w--) batch2.push(...labels(model, w, t2, w === 0 ? ROWS / 2 : 0, ROWS));
      await store.insert('labels', batch2);
      const third = await service.evaluator.tick(t2 + 2 * 60_000);
      expect(third.failed).toEqual([]);
      expect(third.reevaluated).toHaveLength(2 * 24);
      for (const model of ['drop', 'steady']) {
        expect(third.labelled.filter((l) => l.model === model).map((l) => [(l.start - START) / HOUR, l.outcome, l.why, l.coverage]))
          .toEqual(Array.from({ length: WINDOWS }, (_, w) => [w, 'judged', 'coverage', 1]));
      }
      expect(firing(service)).toEqual(['drop/__accuracy__']);
      const metrics = (await service.app.inject({ url: '/metrics' })).body;
      expect(metrics).toContain(`driftwatch_labelled_windows_total{model="drop",outcome="judged"} ${WINDOWS}`);
      expect(metrics).toContain('driftwatch_windows_awaiting_labels{model="drop"} 0');
      const alert = service.alerts.dispatch.book.firing()[0].last;
      // the window where the drop began decides, and the page says so
      expect(alert).toMatchObject({ kind: 'metric_drop', statistic: 'accuracy', window: { start: START + DROP_FROM * HOUR } });
      expect(alert.value).toBeCloseTo(0.7, 12);
      await service.alerts.dispatch.tick(Date.now());
      const pages = [...alertmanager.alerts.values()].map((a) => (a.labels as Record<string, string>));
      expect(pages.map((l) => [l.model, l.feature])).toEqual([['drop', '__accuracy__']]);
      expect(webhook.accepted.map((r) => [r.body.model, r.body.kind])).toEqual([['drop', 'metric_drop']]);

      // exactly once: nothing new to judge, nothing pages again
      const fourth = await service.evaluator.tick(t2 + 10 * 60_000);
      expect([fourth.reevaluated, fourth.labelled]).toEqual([[], []]);
      await service.alerts.dispatch.tick(Date.now());
      expect(webhook.accepted).toHaveLength(1);
      expect(service.evaluator.judgeStateOf('steady')!.labels).toMatchObject({ pending: [], judged: WINDOWS, unlabelled: 0 });
    } finally {
      await service.stop();
    }
  }, 240_000);
});
