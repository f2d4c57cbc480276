// driftwatch on a real ClickHouse cluster started by the project's own starter (src/local/cluster.ts): ZooKeeper and
// 2 shards × 2 replicas of Debian's ClickHouse 18.16 on loopback. Migrations ON CLUSTER (idempotent, from two
// processes at once), evaluate, the report and the dashboards' SQL identical to one server on the same rows,
// retention on every shard.
// Faults: test/integration/cluster-faults.test.ts. Only on the server project: ClickHouse 26 runs embedded (chdb,
// one engine), so no part of the cluster is verified on 26.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../dashboards/index.js';
import { QUALITY_FEATURE, WINDOW_FEATURE } from '../../dashboards/lib/clickhouse.js';
import { isSqlQuery, queriesOf } from '../../dashboards/lib/panels.js';
import { buildBaseline, type Column } from '../../src/baseline/index.js';
import { duplicatesSql, labelArrivalsSql, labelsPresentSql, layoutsSql, qualitySql, readResults } from '../../src/evaluate/index.js';
import type { CliIO } from '../../src/cli/io.js';
import type { LocalCluster } from '../../src/local/cluster.js';
import { main } from '../../src/main.js';
import { writeReport } from '../../src/report/index.js';
import { applyRetention, createStore, migrate, MIGRATIONS, type Store } from '../../src/store/index.js';
import { clusterStore, freshClusterStore, onceMoreIfCrashed, perNode, startWarmCluster, syncReplicas } from '../support/cluster.js';
import { clickhouseUrl, engine, freshStore, uniqueName } from '../support/services.js';
import { expandSql } from '../unit/dashboards/grafana-sql.js';

const START = Date.UTC(2026, 2, 2, 8);
const MIN10 = 10 * 60_000;
const PLANS = ['basic', 'pro', 'team', 'enterprise'];

/** Two 10-minute windows, the second drifted; two name layouts, missing values, a categorical feature. */
function predictions(from: number, to: number) {
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    const ts = START + i * 1500;
    const late = ts >= START + MIN10;
    const amount = i % 13 === 0 ? null : ((i * 6151) % 997) / 7 + (late ? 30 : 0);
    const wide = i % 4 === 1;
    return {
      model: 'churn', model_version: 'v3', prediction_id: `c-${i}`, ts: Math.floor(ts / 1000), ts_ms: ts,
      num_names: [...(amount === null ? [] : ['amount']), ...(wide ? ['tenure'] : [])],
      num_values: [...(amount === null ? [] : [amount]), ...(wide ? [i % 11] : [])],
      cat_names: ['plan'], cat_values: [PLANS[(i * 7) % (late ? 4 : 2)]], missing_names: amount === null ? ['amount'] : [],
      prediction_num: ((i * 53) % 100) / 100, prediction_str: null, label_num: null, label_str: null, metadata: '', ingested_at: Math.floor(ts / 1000),
    };
  });
}

function labels(count: number) {
  const at = Math.floor((START + 2 * MIN10) / 1000);
  return Array.from({ length: count }, (_, i) => ({ model: 'churn', prediction_id: `c-${i * 3}`, label_num: i % 3 === 0 ? 1 : 0, label_str: null, ts: at, ts_ms: at * 1000, ingested_at: at }));
}

async function fill(store: Store): Promise<void> {
  await store.insert('predictions', predictions(0, 800));
  await store.insert('predictions', predictions(300, 360)); // redelivered: counted once
  await store.insert('labels', labels(200));
  await store.insert('labels', labels(40)); // a label delivered twice
}

/** A result line without its fractional numbers (compared to 12 digits apart). */
function exactParts(line: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(line).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? 'float' : v]));
}

/** A row with its fractional numbers to 12 significant digits (a cluster adds the shards' partial sums in another order). */
function digits(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v]));
}

function io(env: NodeJS.ProcessEnv): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env };
}

(engine() === 'server' ? describe : describe.skip)('a ClickHouse cluster (ZooKeeper, 2 shards × 2 replicas of 18.16)', () => {
  let cluster: LocalCluster;
  let pair: { single: Store; onCluster: Store } | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dw-cluster-'));
  beforeAll(async () => {
    cluster = await startWarmCluster();
  });
  afterAll(async () => cluster?.stop());

  it('migrate: replicated local tables on every server and Distributed tables of the usual names; again, and from two processes at once', () => onceMoreIfCrashed(cluster, async () => {
    const database = uniqueName('migrate');
    const stores = [clusterStore(cluster, database), clusterStore(cluster, database, cluster.node(2, 2).url)];
    const admins = [clusterStore(cluster, 'default'), clusterStore(cluster, 'default', cluster.node(2, 2).url)];
    const reports = await Promise.all(stores.map((s, i) => migrate(admins[i], s, new Date())));
    expect(reports.map((r) => r.applied.length + r.alreadyApplied.length)).toEqual([MIGRATIONS.length, MIGRATIONS.length]);
    const tables = await perNode(cluster, database, `SELECT name, engine FROM system.tables WHERE database = '${database}' ORDER BY name`);
    const expected = MIGRATIONS.flatMap((m) => m.statements).filter((s): s is string => typeof s === 'string')
      .map((s) => /CREATE TABLE IF NOT EXISTS (\w+)/.exec(s)?.[1]).filter((t): t is string => t !== undefined).concat('schema_migrations');
    for (const [node, json] of Object.entries(tables)) {
      const found = JSON.parse(json) as Array<{ name: string; engine: string }>;
      for (const t of expected) {
        expect(found.find((x) => x.name === t)?.engine, `${node} ${t}`).toBe('Distributed');
        expect(found.find((x) => x.name === `${t}_local`)?.engine, `${node} ${t}_local`).toMatch(/^Replicated\w*MergeTree$/);
      }
    }
    expect(Object.keys(tables)).toHaveLength(4);
    // a third run applies nothing; the name layout is stored on the shards and readable through Distributed
    const again = await migrate(admins[0], stores[0], new Date());
    expect(again.applied).toEqual([]);
    const [column] = await stores[0].query<{ default_kind: string }>(`SELECT default_kind FROM system.columns WHERE database = '${database}' AND table = 'predictions_local' AND name = 'name_layout'`);
    expect(column.default_kind).toBe('MATERIALIZED');
    await Promise.all([...stores, ...admins].map((s) => s.close()));
  }));

  it('`driftwatch migrate` with DRIFTWATCH_CLICKHOUSE_CLUSTER does the same from the command line', () => onceMoreIfCrashed(cluster, async () => {
    const database = uniqueName('cli');
    const cli = io({ DRIFTWATCH_CLICKHOUSE_URL: cluster.node(2, 1).url, DRIFTWATCH_CLICKHOUSE_DATABASE: database, DRIFTWATCH_CLICKHOUSE_CLUSTER: cluster.name });
    expect(await main(['migrate', '--json'], cli)).toBe(0);
    expect((JSON.parse(cli.stdout[0]) as { applied: unknown[] }).applied).toHaveLength(MIGRATIONS.length);
    const engines = await perNode(cluster, database, `SELECT engine FROM system.tables WHERE database = '${database}' AND name IN ('predictions', 'predictions_local') ORDER BY name`);
    expect(Object.values(engines)).toEqual(Array(4).fill(JSON.stringify([{ engine: 'Distributed' }, { engine: 'ReplicatedReplacingMergeTree' }])));
  }));

  it('migrate refuses a database a single server migrated (its tables would be skipped, rows left on one server)', () => onceMoreIfCrashed(cluster, async () => {
    const database = uniqueName('plain');
    const url = cluster.node(1, 1).url;
    const plainAdmin = createStore({ url, database: 'default' });
    const plain = createStore({ url, database });
    await migrate(plainAdmin, plain, new Date()); // without the cluster variable: plain tables on one server
    const [admin, store] = [clusterStore(cluster, 'default'), clusterStore(cluster, database)];
    await expect(migrate(admin, store, new Date())).rejects.toThrow(/holds tables that are not on the cluster \(\w+: \w*MergeTree/);
    await Promise.all([plainAdmin, plain, admin, store].map((s) => s.close()));
  }));

  it('evaluate --json and the report: the same as one server given the same rows (duplicates, labels, two layouts)', () => onceMoreIfCrashed(cluster, async () => {
    const single = await freshStore('single', clickhouseUrl());
    const onCluster = await freshClusterStore(cluster, 'evaluate');
    await fill(single);
    await fill(onCluster); // through the Distributed tables, as ingest writes
    // rows are spread over both shards, a prediction's duplicates on one of them
    const spread = await perNode(cluster, onCluster.database, 'SELECT count() AS n FROM predictions_local');
    expect(Number(JSON.parse(spread['1.1'])[0].n)).toBeGreaterThan(200);
    expect(Number(JSON.parse(spread['2.1'])[0].n)).toBeGreaterThan(200);
    expect(Number(JSON.parse(spread['1.1'])[0].n) + Number(JSON.parse(spread['2.1'])[0].n)).toBe(860);

    const baselineFile = join(dir, 'baseline.json');
    const n = 2000;
    const columns = new Map<string, Column>([
      ['amount', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => ((i * 104729) % 997) / 7) }],
      ['tenure', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => i % 11) }],
      ['plan', { kind: 'categorical', values: Array.from({ length: n }, (_, i) => PLANS[i % 2]) }],
      ['score', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => ((i * 53) % 100) / 100) }],
      ['label', { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)) }],
    ]);
    writeFileSync(baselineFile, JSON.stringify(buildBaseline({ source: 'train', rows: n, columns }, { model: 'churn', createdAt: START, version: 'b1', prediction: 'score', label: 'label' })));
    const args = ['evaluate', '--model', 'churn', '--from', new Date(START).toISOString(), '--to', String(START + 2 * MIN10), '--window', '10m', '--baseline', baselineFile, '--json'];
    const run = async (env: NodeJS.ProcessEnv) => {
      const cli = io(env);
      expect(await main(args, cli)).toBe(0);
      expect(cli.stderr).toEqual([]);
      return cli.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const one = await run({ DRIFTWATCH_CLICKHOUSE_URL: clickhouseUrl(), DRIFTWATCH_CLICKHOUSE_DATABASE: single.database });
    const many = await run({ DRIFTWATCH_CLICKHOUSE_URL: cluster.node(1, 1).url, DRIFTWATCH_CLICKHOUSE_DATABASE: onCluster.database, DRIFTWATCH_CLICKHOUSE_CLUSTER: cluster.name });
    // the comparison means something: both windows, duplicates collapsed, labels joined, drift in the second window
    const quality = one.filter((l) => l.feature === null);
    expect(quality.map((l) => l.n)).toEqual([400, 400]);
    expect(quality[0].label_coverage as number).toBeGreaterThan(0.2);
    expect(one.find((l) => l.feature === 'amount' && l.window_start === new Date(START + MIN10).toISOString())!.psi as number).toBeGreaterThan(0.1);
    // identical but for the last digit of a float sum: the shards' partial sums are added in another order
    expect(many.map(exactParts)).toEqual(one.map(exactParts));
    one.forEach((line, i) => {
      for (const [k, v] of Object.entries(line)) if (typeof v === 'number' && !Number.isInteger(v)) expect(many[i][k], `line ${i} ${k}`).toBeCloseTo(v, 12);
    });

    const html: string[] = [];
    for (const store of [single, onCluster]) {
      const report = await writeReport(join(dir, `report-${store.database}.html`), { store, model: 'churn', from: START, to: START + 2 * MIN10, now: START + 3 * MIN10 });
      html.push(readFileSync(report.path, 'utf8').replaceAll(store.database, 'DB').replace(/-clip\d+/g, '-clip'));
    }
    expect(html[0]).toContain('<svg');
    expect(html[1]).toBe(html[0]);
    pair = { single, onCluster };
  }));

  it("every dashboard panel's SQL, the evaluator's other reads and the API's results give the same rows on the cluster as on one server", () => onceMoreIfCrashed(cluster, async () => {
    const { single, onCluster } = pair!;
    const t = Math.floor((START + MIN10) / 1000);
    for (const store of [single, onCluster]) {
      await store.insert('baselines', [{ model: 'churn', version: 'b1', created_at: t - 86_400, profile: readFileSync(join(dir, 'baseline.json'), 'utf8') }]);
      await store.insert('drift_results', ['amount', 'plan', QUALITY_FEATURE, WINDOW_FEATURE].flatMap((feature, k) => [0, 1].map((w) => ({
        model: 'churn', feature, window_start: t - 600 + w * 600, window_end: t + w * 600, n: 400, statistic: feature === QUALITY_FEATURE ? 'accuracy' : feature === WINDOW_FEATURE ? 'rows' : 'psi',
        value: 0.1 * (k + w), p_value: null, baseline_version: 'b1', evaluated_at: t + 1200, details: '{}',
      }))));
      await store.insert('alert_events', [{ at: t, at_ms: t * 1000, alert_id: 'dw-1', model: 'churn', feature: 'amount', kind: 'feature_drift', status: 'firing', statistic: 'psi', value: 0.4, reason: 'r', payload: '{}' }]);
      await store.insert('nccl_collectives', [{ ts: t, ts_ms: t * 1000, source: 'nccl-tests', host: 'n1', comm: 'c', rank: 0, nranks: 8, collective: 'AllReduce', bytes: 1 << 20, time_us: 100, algbw_gbs: 10, busbw_gbs: 17.5 }]);
    }
    const ctx = { from: Math.floor(START / 1000), to: Math.floor((START + 2 * MIN10) / 1000), vars: { model: 'churn', feature: 'amount', collective: '.*' } };
    const panels = DASHBOARDS.flatMap((d) => queriesOf(d).filter((q) => isSqlQuery(q.query)).map((q) => [`${d.uid} / ${q.panel}`, (q.query as { rawSql: string }).rawSql] as const));
    expect(panels.length).toBeGreaterThan(5);
    let nonEmpty = 0;
    for (const [panel, sql] of panels) {
      const [one, many] = await Promise.all([single, onCluster].map(async (s) => (await s.query(expandSql(sql, ctx))).map(digits).map((r) => JSON.stringify(r)).sort()));
      expect(many, panel).toEqual(one);
      if (one.length) nonEmpty += 1;
    }
    expect(nonEmpty).toBeGreaterThan(panels.length / 2);
    // the evaluator's other reads: late labels (a join), duplicates, layouts, label presence
    const w = { model: 'churn', start: START, end: START + MIN10 };
    for (const sql of [labelArrivalsSql('churn', MIN10, START, START + 2 * MIN10), duplicatesSql(w), layoutsSql(w), labelsPresentSql(w), qualitySql(w, true, true, true)]) {
      const [one, many] = await Promise.all([single, onCluster].map(async (s) => (await s.query<Record<string, unknown>>(sql)).map(digits).map((r) => JSON.stringify(r)).sort()));
      expect(many, sql.slice(0, 80)).toEqual(one);
      expect(one.length, sql.slice(0, 80)).toBeGreaterThan(0);
    }
    expect(JSON.parse((await single.query(duplicatesSql(w))).map((r) => JSON.stringify(r))[0]).dups).not.toBe('0');
    // the API's window results (GET /v1/models/:id/drift and /quality)
    for (const kind of ['drift', 'quality'] as const) {
      const q = { model: 'churn', from: START - MIN10, to: START + 3 * MIN10, kind };
      // evaluate --json above stored its results in each: the two runs' clocks (evaluated_at) aside
      const read = async (store: Store) => (await readResults(store, q)).map(({ evaluated_at: _at, ...r }) => digits(r));
      const one = await read(single);
      expect(one.length, kind).toBeGreaterThan(4);
      expect(await read(onCluster), kind).toEqual(one);
    }
    await Promise.all([single.close(), onCluster.close()]);
  }));

  it('retention drops old partitions from every shard and replica, and keeps the rest', () => onceMoreIfCrashed(cluster, async () => {
    const store = await freshClusterStore(cluster, 'retention');
    const now = Date.UTC(2026, 5, 30, 12);
    const day = 86_400_000;
    const rows = (at: number, prefix: string) => predictions(0, 200).map((r) => ({ ...r, prediction_id: `${prefix}${r.prediction_id}`, ts: Math.floor(at / 1000), ts_ms: at, ingested_at: Math.floor(at / 1000) }));
    await store.insert('predictions', rows(now - 40 * day, 'old-'));
    await store.insert('predictions', rows(now - 2 * day, 'new-'));
    await store.insert('dead_letters', [{ received_at: Math.floor((now - 40 * day) / 1000), source: 'kafka', topic: 't', partition: 0, offset: '1', reason: 'r', payload: '' }]);
    await syncReplicas(cluster, store.database, ['predictions', 'dead_letters']);
    const before = await perNode(cluster, store.database, 'SELECT count() AS n FROM predictions_local');
    expect(Object.values(before).every((j) => Number(JSON.parse(j)[0].n) > 100)).toBe(true); // both days on every shard

    const dropped = await applyRetention(store, 30, now);
    expect(dropped).toEqual(expect.arrayContaining([{ table: 'predictions', partition: '20260521' }, { table: 'dead_letters', partition: '20260521' }]));
    const after = await perNode(cluster, store.database, `SELECT count() AS n, countIf(prediction_id LIKE 'old-%') AS old FROM predictions_local`);
    const [shard1, shard2] = [JSON.parse(after['1.1'])[0], JSON.parse(after['2.1'])[0]];
    expect(after['1.2']).toBe(after['1.1']);
    expect(after['2.2']).toBe(after['2.1']);
    expect([Number(shard1.old), Number(shard2.old)]).toEqual([0, 0]);
    expect(Number(shard1.n) + Number(shard2.n)).toBe(200);
    const [{ n }] = await store.query<{ n: string }>('SELECT count() AS n FROM dead_letters');
    expect(Number(n)).toBe(0);
    await store.close();
  }));
});
