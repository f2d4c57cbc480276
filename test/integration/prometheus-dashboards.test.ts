// Every PromQL expression of every dashboard panel, variable and alert rule is accepted by a real Prometheus
// (which also loads the rule files), and every ClickHouse panel's SQL runs on the real ClickHouse, with the
// baseline-vs-current histogram checked against counts computed here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DASHBOARDS } from '../../dashboards/index.js';
import { BASELINE_VS_CURRENT, QUALITY_FEATURE, WINDOW_FEATURE } from '../../dashboards/lib/clickhouse.js';
import { PROMETHEUS, isPromQuery, isSqlQuery, queriesOf } from '../../dashboards/lib/panels.js';
import { buildBaseline } from '../../src/baseline/index.js';
import type { Store } from '../../src/store/index.js';
import { expandSql } from '../unit/dashboards/grafana-sql.js';
import { startPrometheus, type LocalPrometheus } from '../support/prometheus.js';
import { freshStore } from '../support/services.js';

const ALERTS = new URL('../../alerts/', import.meta.url).pathname;
const RULE_FILES = readdirSync(ALERTS).filter((f) => f.endsWith('.rules.yml')).map((f) => join(ALERTS, f));

/** What Grafana puts in place of the dashboard variables in PromQL ("All" is the regex .*). */
const promVars = (expr: string) => expr.replace(/\$__rate_interval/g, '1m').replace(/\$(host|instance|collective)\b/g, '.*');

const promExprs = DASHBOARDS.flatMap((d) => [
  ...queriesOf(d).filter((q) => isPromQuery(q.query)).map((q) => [`${d.uid} / ${q.panel}`, (q.query as { expr: string }).expr] as const),
  ...(d.templating?.list ?? []).filter((v) => v.datasource?.uid === PROMETHEUS.uid)
    .map((v) => [`${d.uid} / $${v.name}`, String(v.query).replace(/^label_values\((.+), \w+\)$/, '$1')] as const),
]);
const ruleExprs = RULE_FILES.flatMap((f) => (parse(readFileSync(f, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> })
  .groups.flatMap((g) => g.rules.map((r) => [`${r.alert}`, r.expr] as const)));

describe('PromQL against a real Prometheus', () => {
  let prometheus: LocalPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus({ ruleFiles: RULE_FILES });
  });
  afterAll(async () => prometheus?.stop());

  it('loaded every rule file', async () => {
    const res = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ file: string; rules: unknown[] }> } };
    expect(new Set(res.data.groups.map((g) => g.file))).toEqual(new Set(RULE_FILES));
    expect(res.data.groups.flatMap((g) => g.rules)).toHaveLength(ruleExprs.length);
  });

  it('has panels to check', () => {
    expect(promExprs.length).toBeGreaterThan(40);
  });

  it.each([...promExprs, ...ruleExprs])('%s', async (_where, expr) => {
    await expect(prometheus.query(promVars(expr))).resolves.toBeInstanceOf(Array);
  });

  it('rejects a broken expression (so the checks above can fail)', async () => {
    await expect(prometheus.query('sum by (model (driftwatch_alerts_firing)')).rejects.toThrow(/parse error/);
  });
});

describe('ClickHouse panels against a real ClickHouse', () => {
  let store: Store;
  const T = 1_800_000_000; // unix seconds
  const ctx = { from: T - 7200, to: T + 7200, vars: { model: 'fraud', feature: 'amount', collective: '.*' } };

  beforeAll(async () => {
    store = await freshStore('dash');
    const amounts = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
    const profile = buildBaseline({ source: 'test', rows: 1000, columns: new Map([
      ['country', { kind: 'categorical' as const, values: Array.from({ length: 1000 }, (_, i) => (i % 3 ? 'DE' : 'amount')) }],
      ['amount', { kind: 'numeric' as const, values: amounts }],
    ]) }, { model: 'fraud', createdAt: (T - 86_400) * 1000, version: 'v1' });
    await store.insert('baselines', [{ model: 'fraud', version: 'v1', created_at: T - 86_400, profile: JSON.stringify(profile) }]);
    // an older, different baseline of the same model must not be the one shown
    await store.insert('baselines', [{ model: 'fraud', version: 'v0', created_at: T - 2 * 86_400, profile: JSON.stringify({ ...profile, features: { amount: { ...profile.features.amount, psi: { edges: [5], counts: [1, 1] } } } }) }]);
    const current = [-5, 1, 50, 100.5, 333, 700, 999, 2000, 2000, 2000];
    await store.insert('predictions', current.map((v, i) => ({
      model: 'fraud', model_version: '3', prediction_id: `p${i}`, ts: T, ts_ms: T * 1000, num_names: ['amount'], num_values: [v],
      cat_names: ['country'], cat_values: ['DE'], missing_names: [], metadata: '{}', ingested_at: T,
    })));
    const result = (feature: string, statistic: string, value: number, end = T) => ({
      model: 'fraud', feature, window_start: end - 3600, window_end: end, n: 10, statistic, value, p_value: null, baseline_version: 'v1', evaluated_at: end, details: '{}',
    });
    await store.insert('drift_results', [
      result('amount', 'psi', 0.8), result('amount', 'psi', 0.1, T - 3600), result('country', 'psi', 0.05), result('amount', 'ks', 0.4),
      result('amount', 'missing_rate', 0), result('amount', 'out_of_range_rate', 0.02), result('amount', 'type_mismatch_rate', 0), result('amount', 'js', 0.3), result('amount', 'hellinger', 0.25),
      result(QUALITY_FEATURE, 'accuracy', 0.91), result(QUALITY_FEATURE, 'label_coverage', 0.5), result(WINDOW_FEATURE, 'rows', 10),
      result('__estimate__', 'estimated_accuracy', 0.9), result('__estimate__', 'estimation_error_accuracy', -0.01), result('__multivariate__', 'reconstruction_error', 1.2),
    ]);
    await store.insert('alert_events', [{ at: T, at_ms: T * 1000, alert_id: 'dw-x', model: 'fraud', feature: 'amount', kind: 'feature_drift', status: 'firing', statistic: 'psi', value: 0.8, reason: 'r', payload: '{}' }]);
    await store.insert('nccl_collectives', [{ ts: T, ts_ms: T * 1000, source: 'nccl-tests', host: 'n1', comm: 'c', rank: 0, nranks: 8, collective: 'AllReduce', bytes: 1 << 20, time_us: 100, algbw_gbs: 10, busbw_gbs: 17.5 }]);

    // the expected histogram, computed here: bin i counts values v with edges[i-1] <= v < edges[i] (numpy.digitize)
    const edges = profile.features.amount.kind === 'numeric' ? profile.features.amount.psi.edges : [];
    const counts = profile.features.amount.kind === 'numeric' ? profile.features.amount.psi.counts : [];
    expected = counts.map((c, bin) => ({
      bin: String(bin),
      baseline_share: c / counts.reduce((a, b) => a + b, 0),
      current_share: current.filter((v) => edges.filter((e) => v >= e).length === bin).length / current.length,
    }));
  });
  let expected: Array<{ bin: string; baseline_share: number; current_share: number }> = [];
  afterAll(async () => store?.close());

  const sqlPanels = DASHBOARDS.flatMap((d) => [
    ...queriesOf(d).filter((q) => isSqlQuery(q.query)).map((q) => [`${d.uid} / ${q.panel}`, (q.query as { rawSql: string }).rawSql] as const),
    ...(d.templating?.list ?? []).filter((v) => v.datasource?.uid !== PROMETHEUS.uid).map((v) => [`${d.uid} / $${v.name}`, String(v.query)] as const),
  ]);

  it.each(sqlPanels)('%s runs and returns rows', async (_where, sql) => {
    const rows = await store.query(expandSql(sql, ctx));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('worst features puts the most drifted feature first, at its newest window', async () => {
    const sql = queriesOf(DASHBOARDS[0]).find((q) => q.panel.startsWith('Worst features'))!.query as { rawSql: string };
    const rows = await store.query<{ feature: string; psi: number }>(expandSql(sql.rawSql, ctx));
    expect(rows.map((r) => [r.feature, r.psi])).toEqual([['amount', 0.8], ['country', 0.05]]);
  });

  it('baseline vs current histogram matches counts computed here, from the newest baseline', async () => {
    const rows = await store.query<{ bin: string; baseline_share: number; current_share: number }>(expandSql(BASELINE_VS_CURRENT, ctx));
    expect(rows).toHaveLength(10);
    rows.forEach((r, i) => {
      expect(r.bin).toBe(expected[i].bin);
      expect(r.baseline_share).toBeCloseTo(expected[i].baseline_share, 12);
      expect(r.current_share).toBeCloseTo(expected[i].current_share, 12);
    });
    expect(expected.map((e) => e.baseline_share)).toEqual(Array(10).fill(0.1));
    // first decile edge 100.9, last 900.1: -5, 1, 50, 100.5 below; 999 and 2000 ×3 above
    expect([expected[0].current_share, expected[9].current_share]).toEqual([0.4, 0.4]);
  });
});
