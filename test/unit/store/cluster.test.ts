// The cluster form of migrations: every table becomes a replicated local table and a Distributed table of the same
// name, generically (a migration added later gets its form without writing one); errors a cluster raises are
// classified so that nothing that cannot go away is retried. The cluster itself: test/integration/cluster.test.ts.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { ClusterFormError, clusterForm, SHARDING_KEYS, throughDistributed } from '../../../src/store/cluster.js';
import { kindOfCode, MIGRATIONS, toStoreError } from '../../../src/store/index.js';

const spec = { name: 'dw', replicaPath: '/clickhouse/tables/{shard}/{database}/{table}' };
const creates = MIGRATIONS.flatMap((m) => m.statements).filter((s): s is string => typeof s === 'string' && /CREATE TABLE/.test(s));
const tableOf = (s: string) => /CREATE TABLE IF NOT EXISTS (\w+)/.exec(s)![1];

describe('cluster form of migrations', () => {
  it('every table of every migration: a Replicated local table and a Distributed one of the same name, ON CLUSTER', () => {
    expect(creates.length).toBeGreaterThanOrEqual(10);
    for (const statement of creates) {
      const table = tableOf(statement);
      const [local, distributed, ...more] = clusterForm(statement, spec, 'db') as string[];
      expect(more).toEqual([]);
      const engine = /ENGINE = (\w*MergeTree)\(([^()]*)\)/.exec(statement)!;
      const args = engine[2].trim();
      expect(local).toContain(`CREATE TABLE IF NOT EXISTS db.${table}_local ON CLUSTER dw (`);
      expect(local).toContain(`ENGINE = Replicated${engine[1]}('/clickhouse/tables/{shard}/db/${table}_local', '{replica}'${args ? `, ${args}` : ''})`);
      // partitioning and ordering kept as they were
      expect(local.slice(local.indexOf(')', local.indexOf('Replicated')) + 1)).toBe(statement.slice(statement.indexOf(')', statement.indexOf('ENGINE')) + 1));
      expect(distributed).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS db\\.${table} ON CLUSTER dw \\([\\s\\S]*\\) ENGINE = Distributed\\(dw, db, ${table}_local, cityHash64\\([^)]+\\)\\)$`));
    }
  });

  it('a prediction, its duplicates and its labels share a shard; other tables shard by their dedup (ORDER BY) key', () => {
    const key = (t: string) => /Distributed\(dw, db, \w+, (.*)\)$/.exec((clusterForm(creates.find((s) => tableOf(s) === t)!, spec, 'db') as string[])[1])![1];
    expect(key('predictions')).toBe('cityHash64(prediction_id)');
    expect(key('labels')).toBe(key('predictions'));
    expect(key('drift_results')).toBe('cityHash64(model, window_start, feature, statistic)');
    expect(key('evaluations')).toBe('cityHash64(model, window_start)');
    expect(key('shared_state')).toBe('cityHash64(kind, key)');
    expect(Object.keys(SHARDING_KEYS).sort()).toEqual(['labels', 'predictions']);
  });

  it('a MATERIALIZED column stays on the local table and is an ALIAS of the Distributed one (18.16 refuses it through Distributed)', () => {
    const v5 = MIGRATIONS.find((m) => m.version === 5)!.statements[0];
    const steps = clusterForm(v5, spec, 'db');
    expect(steps).toEqual([
      { table: 'predictions_local', addColumn: 'name_layout', definition: 'UInt64 MATERIALIZED cityHash64(num_names, cat_names, missing_names)', cluster: 'dw' },
      { distributedOver: 'predictions' }, // its columns follow the local table's, MATERIALIZED as ALIAS
    ]);
    expect(throughDistributed('a String, n UInt64 MATERIALIZED length(a), d UInt8 DEFAULT 1')).toBe('a String, n UInt64 ALIAS length(a), d UInt8 DEFAULT 1');
  });

  it('a migration written later gets its cluster form: new tables, column changes on both tables, partitions on the local one', () => {
    const table = `CREATE TABLE IF NOT EXISTS model_cards (
      model String, at DateTime, body String, size UInt64 MATERIALIZED length(body)
    ) ENGINE = ReplacingMergeTree(at) PARTITION BY toYYYYMM(at) ORDER BY model`;
    const [local, distributed] = clusterForm(table, spec, 'db') as string[];
    expect(local).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/model_cards_local', '{replica}', at) PARTITION BY toYYYYMM(at) ORDER BY model");
    expect(local).toContain('size UInt64 MATERIALIZED length(body)');
    expect(distributed).toContain('size UInt64 ALIAS length(body)');
    expect(distributed).toContain('ENGINE = Distributed(dw, db, model_cards_local, cityHash64(model))');
    expect(clusterForm('ALTER TABLE drift_results MODIFY COLUMN details String', spec, 'db')).toEqual([
      'ALTER TABLE db.drift_results_local ON CLUSTER dw MODIFY COLUMN details String',
      { distributedOver: 'drift_results' },
    ]);
    expect(clusterForm('ALTER TABLE predictions DROP PARTITION 20260101', spec, 'db')).toEqual(['ALTER TABLE db.predictions_local ON CLUSTER dw DROP PARTITION 20260101']);
    expect(clusterForm('DROP TABLE IF EXISTS old', spec, 'db')).toEqual(['DROP TABLE IF EXISTS db.old ON CLUSTER dw', 'DROP TABLE IF EXISTS db.old_local ON CLUSTER dw']);
  });

  it('every statement of every migration has a cluster form (a new migration that fails here needs one: src/store/cluster.ts)', () => {
    for (const m of MIGRATIONS) for (const statement of m.statements) expect(clusterForm(statement, spec, 'db').length, `migration ${m.version}`).toBeGreaterThan(0);
    const bare = clusterForm('CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = MergeTree ORDER BY a SETTINGS index_granularity = 1024', spec, 'db') as string[];
    expect(bare[0]).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/db/t_local', '{replica}') ORDER BY a SETTINGS index_granularity = 1024");
  });

  it('a statement it does not know stops the migration instead of running on one server only', () => {
    expect(() => clusterForm('CREATE VIEW v AS SELECT 1', spec, 'db')).toThrow(ClusterFormError);
    expect(() => clusterForm('CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = Memory', spec, 'db')).toThrow(/no cluster form/);
  });

  it('the replica path is configurable and checked; names go through ident', () => {
    const [local] = clusterForm(creates[0], { name: 'dw', replicaPath: '/ch/{cluster}/{shard}/{table}' }, 'db') as string[];
    expect(local).toContain("('/ch/{cluster}/{shard}/predictions_local', '{replica}', ingested_at)");
    expect(() => clusterForm(creates[0], { name: 'dw; DROP', replicaPath: spec.replicaPath }, 'db')).toThrow(/invalid identifier/);
    expect(() => clusterForm(creates[0], { name: 'dw', replicaPath: "/x/{shard}/{table}'" }, 'db')).toThrow(/invalid replica path/);
  });
});

describe('cluster configuration', () => {
  const server = { DRIFTWATCH_CLICKHOUSE_URL: 'http://ch:8123' };
  it('DRIFTWATCH_CLICKHOUSE_CLUSTER (or clickhouse.cluster in YAML) names the cluster; nothing changes without it', () => {
    expect(loadConfig(server).clickhouse).toMatchObject({ cluster: '', replicaPath: '/clickhouse/tables/{shard}/{database}/{table}' });
    expect(loadConfig({ ...server, DRIFTWATCH_CLICKHOUSE_CLUSTER: 'analytics', DRIFTWATCH_CLICKHOUSE_REPLICA_PATH: '/ch/{shard}/{table}' }).clickhouse)
      .toMatchObject({ cluster: 'analytics', replicaPath: '/ch/{shard}/{table}' });
  });
  it('refuses a cluster with the embedded engine, a bad name or a path that would mix shards or tables', () => {
    expect(() => loadConfig({ DRIFTWATCH_CLICKHOUSE_CLUSTER: 'analytics' })).toThrow(/needs DRIFTWATCH_CLICKHOUSE_URL=http/);
    expect(() => loadConfig({ ...server, DRIFTWATCH_CLICKHOUSE_CLUSTER: 'a-b' })).toThrow(/invalid cluster name/);
    expect(() => loadConfig({ ...server, DRIFTWATCH_CLICKHOUSE_CLUSTER: 'a', DRIFTWATCH_CLICKHOUSE_REPLICA_PATH: '/ch/{table}' })).toThrow(/\{shard\} and \{table\}/);
    expect(() => loadConfig({ ...server, DRIFTWATCH_CLICKHOUSE_CLUSTER: 'a', DRIFTWATCH_CLICKHOUSE_REPLICA_PATH: '/ch/{shard}' })).toThrow(/\{shard\} and \{table\}/);
  });
});

describe('errors on a cluster', () => {
  it('a MATERIALIZED column refused through Distributed (code 44) is never retried; every replica of a shard down (279) is', () => {
    const refused = toStoreError(new Error('Code: 44, e.displayText() = DB::Exception: Cannot insert column name_layout, because it is MATERIALIZED column., e.what() = DB::Exception'), 'insert into predictions');
    expect(refused).toMatchObject({ retryable: false, kind: 'refused', code: 'clickhouse_44' });
    const down = toStoreError(new Error('Code: 279, e.displayText() = DB::NetException: All connection tries failed. Log: \n\nCode: 210, e.displayText() = DB::NetException: Connection refused (127.0.0.1:9000)'), 'insert into predictions');
    expect(down).toMatchObject({ retryable: true, kind: 'transient' });
    expect(kindOfCode(44)).toBe('refused');
  });
});
