// Versioned, idempotent schema migrations. Each runs once (recorded in schema_migrations); every statement is
// also safe to repeat, so two replicas migrating at once cannot break anything.
// Portable DDL: runs on ClickHouse 18.16 and 24.x (no TTL, DateTime64, Map, LowCardinality).
import { StoreError, type Store } from './client.js';
import { ident, sqlString } from './sql.js';
import { checkClusterLayout, clusterForm, createDatabaseOnCluster, matchDistributed, type ClusterStep } from './cluster.js';

/** A statement, or a column to add when the table lacks it (18.16 has no ADD COLUMN IF NOT EXISTS). */
export type MigrationStatement = string | { table: string; addColumn: string; definition: string };

export interface Migration {
  version: number;
  name: string;
  statements: MigrationStatement[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'predictions, labels and dead letters',
    statements: [
      // One row per prediction; features split by kind into parallel arrays (no Map on 18.16).
      // ReplacingMergeTree on (model, ts, prediction_id): a redelivered message collapses into one row;
      // readers use FINAL so counts never see the duplicate even before the merge.
      `CREATE TABLE IF NOT EXISTS predictions (
        model String, model_version String, prediction_id String,
        ts DateTime, ts_ms UInt64,
        num_names Array(String), num_values Array(Float64),
        cat_names Array(String), cat_values Array(String),
        missing_names Array(String),
        prediction_num Nullable(Float64), prediction_str Nullable(String),
        label_num Nullable(Float64), label_str Nullable(String),
        metadata String, ingested_at DateTime
      ) ENGINE = ReplacingMergeTree(ingested_at) PARTITION BY toYYYYMMDD(ts) ORDER BY (model, ts, prediction_id)`,
      `CREATE TABLE IF NOT EXISTS labels (
        model String, prediction_id String,
        label_num Nullable(Float64), label_str Nullable(String),
        ts DateTime, ts_ms UInt64, ingested_at DateTime
      ) ENGINE = ReplacingMergeTree(ingested_at) PARTITION BY toYYYYMM(ts) ORDER BY (model, prediction_id)`,
      `CREATE TABLE IF NOT EXISTS dead_letters (
        received_at DateTime, source String, topic String, partition Int32, offset String,
        reason String, payload String
      ) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(received_at) ORDER BY (received_at, source)`,
    ],
  },
  {
    version: 2,
    name: 'baselines, drift results and alert events',
    statements: [
      `CREATE TABLE IF NOT EXISTS baselines (
        model String, version String, created_at DateTime, profile String
      ) ENGINE = ReplacingMergeTree(created_at) ORDER BY (model, version)`,
      `CREATE TABLE IF NOT EXISTS drift_results (
        model String, feature String, window_start DateTime, window_end DateTime, n UInt64,
        statistic String, value Float64, p_value Nullable(Float64), baseline_version String,
        evaluated_at DateTime, details String
      ) ENGINE = ReplacingMergeTree(evaluated_at) PARTITION BY toYYYYMM(window_start)
        ORDER BY (model, window_start, feature, statistic)`,
      `CREATE TABLE IF NOT EXISTS alert_events (
        at DateTime, at_ms UInt64, alert_id String, model String, feature String, kind String, status String,
        statistic String, value Float64, reason String, payload String
      ) ENGINE = MergeTree() PARTITION BY toYYYYMM(at) ORDER BY (model, at, alert_id)`,
    ],
  },
  {
    version: 3,
    name: 'GPU samples and NCCL collectives',
    statements: [
      `CREATE TABLE IF NOT EXISTS gpu_samples (
        ts DateTime, ts_ms UInt64, source String, host String, gpu String, uuid String,
        metric String, value Float64, labels String
      ) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (host, metric, gpu, ts)`,
      `CREATE TABLE IF NOT EXISTS nccl_collectives (
        ts DateTime, ts_ms UInt64, source String, host String, comm String, rank Int32, nranks Int32,
        collective String, bytes UInt64, time_us Float64, algbw_gbs Float64, busbw_gbs Float64
      ) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (host, collective, ts)`,
    ],
  },
  {
    version: 4,
    name: 'window evaluations',
    statements: [
      // One row per evaluated (model, window), written after its drift_results: the mark that the window is done,
      // so a restart neither skips nor repeats it; labels_at says which labels the quality result has seen.
      `CREATE TABLE IF NOT EXISTS evaluations (
        model String, window_start DateTime, window_end DateTime, baseline_version String,
        rows UInt64, labelled UInt64, labels_at DateTime, evaluated_at DateTime, evaluated_at_ms UInt64, status String
      ) ENGINE = ReplacingMergeTree(evaluated_at_ms) PARTITION BY toYYYYMM(window_start) ORDER BY (model, window_start)`,
    ],
  },
  {
    version: 5,
    name: 'name layout of each prediction',
    statements: [
      // A hash of the row's feature name lists, computed by ClickHouse on every insert whatever the writer: the
      // evaluator groups a window's rows by it and reads features by position instead of searching names per row.
      // Parts written before this migration compute it when read (slower until merged, never wrong).
      { table: 'predictions', addColumn: 'name_layout', definition: 'UInt64 MATERIALIZED cityHash64(num_names, cat_names, missing_names)' },
    ],
  },
  {
    version: 6,
    name: 'state shared by replicas',
    statements: [
      // What every replica sees and a new owner continues from (src/coordination/shared-state.ts): per model the
      // sequential tests' evidence, its alerts and undelivered notifications (kind 'stream'), models declared through
      // the API ('model'), silences ('silence') and acknowledgements waiting for the owner ('ack'). The highest
      // version of a key wins; a stream's version starts with its owner's fencing epoch, so a deposed owner's late
      // write never wins, not even after a merge.
      `CREATE TABLE IF NOT EXISTS shared_state (
        kind String, key String, version UInt64, epoch UInt64, deleted UInt8, written_at DateTime, body String
      ) ENGINE = ReplacingMergeTree(version) ORDER BY (kind, key)`,
    ],
  },
];

export interface MigrationReport {
  applied: Array<{ version: number; name: string }>;
  alreadyApplied: number[];
}

// The embedded engine is one per process: its migrations run one after another. Concurrent DDL from several
// clients of one in-process engine was seen to leave a CREATE unanswered (store.test's racing migrators, 3 runs of
// about 8); a server's migrators still race, settled by idempotent().
let embeddedMigrations: Promise<unknown> = Promise.resolve();

/** Creates the database if needed (through a store bound to `default`), then applies pending migrations in order. */
export function migrate(admin: Store, store: Store, at: Date, migrations = MIGRATIONS): Promise<MigrationReport> {
  if (store.engine !== 'embedded') return migrateNow(admin, store, at, migrations);
  const run = embeddedMigrations.then(() => migrateNow(admin, store, at, migrations));
  embeddedMigrations = run.catch(() => undefined);
  return run;
}

async function migrateNow(admin: Store, store: Store, at: Date, migrations: readonly Migration[]): Promise<MigrationReport> {
  // on a cluster (src/store/cluster.ts) every statement runs in its cluster form: ON CLUSTER, local + Distributed
  const steps = (statement: MigrationStatement): ClusterStep[] => (store.cluster ? clusterForm(statement, store.cluster, store.database) : [statement]);
  await idempotent(admin.command(store.cluster ? createDatabaseOnCluster(store.cluster, store.database) : `CREATE DATABASE IF NOT EXISTS ${ident(store.database)}`));
  if (store.cluster) await checkClusterLayout(store);
  for (const step of steps(SCHEMA_MIGRATIONS)) await apply(store, step);
  const done = new Set(
    (await store.query<{ version: number }>('SELECT DISTINCT version FROM schema_migrations')).map((r) => Number(r.version)),
  );
  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) {
      report.alreadyApplied.push(m.version);
      continue;
    }
    for (const statement of m.statements) for (const step of steps(statement)) await apply(store, step);
    await store.command(
      `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${sqlString(m.name)}, toDateTime(${Math.floor(at.getTime() / 1000)}))`,
    );
    report.applied.push({ version: m.version, name: m.name });
  }
  return report;
}

const SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at DateTime)
     ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`;

async function apply(store: Store, step: ClusterStep): Promise<void> {
  if (typeof step === 'string') return idempotent(store.command(step));
  if ('distributedOver' in step) return matchDistributed(store, step.distributedOver);
  const [found] = await store.query<{ n: string }>(
    `SELECT count() AS n FROM system.columns WHERE database = ${sqlString(store.database)} AND table = ${sqlString(ident(step.table))} AND name = ${sqlString(ident(step.addColumn))}`,
  );
  const table = step.cluster ? `${ident(store.database)}.${ident(step.table)} ON CLUSTER ${ident(step.cluster)}` : ident(step.table);
  if (Number(found?.n ?? 0) === 0) await idempotent(store.command(`ALTER TABLE ${table} ADD COLUMN ${ident(step.addColumn)} ${step.definition}`));
}

// "already exists" (column 44 on 18.16, 15 on current releases; table 57, database 82): another process migrating at the same moment won the
// check-then-create race, and the step is done either way (every statement here only ever creates).
const ALREADY_EXISTS = new Set(['clickhouse_15', 'clickhouse_44', 'clickhouse_57', 'clickhouse_82']);

async function idempotent(step: Promise<void>): Promise<void> {
  try {
    await step;
  } catch (error) {
    if (!(error instanceof StoreError && ALREADY_EXISTS.has(error.code) && /already exists/i.test(error.message))) throw error;
  }
}

/** Tables whose old data is dropped by whole partitions (there is no TTL on ClickHouse 18.16). */
export const RETAINED_TABLES: Record<string, 'day' | 'month'> = {
  predictions: 'day',
  dead_letters: 'day',
  gpu_samples: 'day',
  nccl_collectives: 'day',
  labels: 'month',
  drift_results: 'month',
  alert_events: 'month',
  evaluations: 'month',
};
