// The ClickHouse-mode report end to end: a model's history in a real ClickHouse, the report written from it, and
// the page opened in headless Chromium (Debian `chromium`, driven by playwright-core): no console errors, no
// network requests, every chart drawn, the drifted feature first, readable at phone width; the offline report too.
// Screenshots go to artifacts/report.png, artifacts/report-phone.png and artifacts/report-offline.png.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindsOf, readTable, referenceFromTable } from '../../src/baseline/index.js';
import { offlineReport, writeReport } from '../../src/report/index.js';
import { DEFAULT_DRIFT_RULE } from '../../src/stats/index.js';
import { OTHER_CATEGORIES, TOP_CATEGORIES, readCategoryCounts } from '../../src/report/store-queries.js';
import type { Store } from '../../src/store/index.js';
import { freshStore } from '../support/services.js';
import { HOUR, MODEL, START, WINDOWS, scenario } from '../unit/report/scenario.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve('artifacts');

async function browse(file: string, width: number, screenshot: string) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium" (apt-get install -y chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'driftwatch-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    await page.screenshot({ path: screenshot, fullPage: true });
    const charts = await page.locator('figure.chart svg').count();
    const features = await page.locator('article.feature').evaluateAll((els) => els.map((e) => [e.getAttribute('data-feature'), e.getAttribute('data-drifted')]));
    // wider than the viewport means sideways scrolling on a phone
    const overflow = (await page.locator('html').evaluate((e) => e.scrollWidth)) - width;
    const svgSizes = await page.locator('figure.chart svg').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    return { problems, requests, charts, features, overflow, svgSizes };
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

describe('driftwatch report from ClickHouse, in a real browser', () => {
  let store: Store;
  let path: string;
  beforeAll(async () => {
    store = await freshStore('report');
    const s = scenario();
    await store.insert('baselines', [{ model: MODEL, version: s.baseline.version, created_at: Math.floor(Date.parse(s.baseline.created_at) / 1000), profile: JSON.stringify(s.baseline) }]);
    await store.insert('predictions', s.predictions as unknown as Record<string, unknown>[]);
    await store.insert('drift_results', s.driftResults);
    await store.insert('alert_events', s.alertEvents);
    const written = await writeReport(join(ARTIFACTS, 'report.html'), { store, model: MODEL, from: START, to: START + WINDOWS * HOUR, now: START + WINDOWS * HOUR });
    path = written.path;
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  it('reads every section from ClickHouse', async () => {
    const { model } = await writeReport(join(ARTIFACTS, 'report.html'), { store, model: MODEL, from: START, to: START + WINDOWS * HOUR, now: START + WINDOWS * HOUR });
    expect(model.features.map((f) => f.name)[0]).toBe('amount');
    expect(model.features).toHaveLength(5);
    expect(model.features.every((f) => f.histogram !== undefined)).toBe(true);
    // the current histogram covers every prediction of the range: 12 windows × 300 rows (score has missing values)
    const age = model.features.find((f) => f.name === 'age')!.histogram!;
    expect(age.kind).toBe('numeric');
    expect(age.current.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(model.timeline.filter((p) => p.statistic === 'psi')).toHaveLength(WINDOWS * 5);
    expect(model.quality).toHaveLength(WINDOWS);
    expect(model.quality[WINDOWS - 1]).toMatchObject({ labeled: 75, rows: 300 });
    expect(model.alerts).toHaveLength(1);
  });

  it('bounds the categories fetched per feature and sums the long tail (ID-like features)', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      model: 'wide', model_version: '1', prediction_id: `w${i}`, ts: START / 1000 + i, ts_ms: START + i * 1000,
      num_names: [], num_values: [], cat_names: ['merchant'], cat_values: [i < 300 ? 'big' : `m${i}`], missing_names: i % 100 === 0 ? ['device'] : [],
      prediction_num: null, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: START / 1000,
    }));
    await store.insert('predictions', rows);
    const counts = await readCategoryCounts(store, { model: 'wide', from: START, to: START + 2 * HOUR }, ['merchant', 'device']);
    const merchant = counts.get('merchant')!;
    expect(merchant.get('big')).toBe(300);
    expect(merchant.size).toBe(TOP_CATEGORIES + 1);
    expect(merchant.get(OTHER_CATEGORIES)).toBe(1200 - 300 - (TOP_CATEGORIES - 1));
    expect(counts.get('device')).toEqual(new Map([[null, 12]]));
  });

  it('opens in Chromium without errors or requests, drifted feature first, all charts drawn', async () => {
    const r = await browse(path, 1280, join(ARTIFACTS, 'report.png'));
    expect(r.problems).toEqual([]);
    expect(r.requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    // 5 histograms + the PSI overview + drift over time + quality over time
    expect(r.charts).toBe(8);
    expect(r.features[0]).toEqual(['amount', 'true']);
    expect(r.features.slice(1).every(([, drifted]) => drifted === 'false')).toBe(true);
    expect(r.svgSizes.every((w) => w > 100)).toBe(true);
  }, 60_000);

  it('opens the offline report (two files) the same way', async () => {
    const drift = resolve('test/fixtures/drift');
    const reference = referenceFromTable(await readTable(join(drift, 'ref.csv'), { kinds: new Map([['country', 'categorical']]) }));
    const current = await readTable(join(drift, 'cur.csv'), { kinds: kindsOf(reference), columns: new Set(reference.columns.keys()) });
    const written = await writeReport(join(ARTIFACTS, 'report-offline.html'), offlineReport(reference, current, { rule: DEFAULT_DRIFT_RULE, generatedAt: START }));
    const r = await browse(written.path, 1280, join(ARTIFACTS, 'report-offline.png'));
    expect(r.problems).toEqual([]);
    expect(r.requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    // 4 histograms + the PSI overview; no time axis in two files
    expect(r.charts).toBe(5);
    expect(r.features.map(([name, drifted]) => `${name}:${drifted}`)).toEqual(['country:true', 'score:true', 'amount:false', 'age:false']);
  }, 60_000);

  it('fits a phone screen without sideways scrolling', async () => {
    const r = await browse(path, 390, join(ARTIFACTS, 'report-phone.png'));
    expect(r.problems).toEqual([]);
    expect(r.overflow).toBeLessThanOrEqual(0);
    expect(r.svgSizes.every((w) => w <= 390)).toBe(true);
  }, 60_000);
});
