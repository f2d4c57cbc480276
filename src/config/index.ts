// driftwatch's operator contract: environment variables (12-factor), optionally a YAML file with the same keys.
// Unknown keys are rejected so a typo never silently falls back to a default.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../domain/index.js';

export interface Config {
  clickhouse: {
    url: string; database: string; user: string; password: string; requestTimeoutMs: number; embeddedMemoryMb: number;
    /** a cluster in the servers' <remote_servers>: tables ON CLUSTER, replicated local tables under Distributed ones ('' none) */
    cluster: string;
    /** the replicated tables' ZooKeeper path; {database} and {table} filled by driftwatch, {shard} by each server's macros */
    replicaPath: string;
  };
  kafka: { brokers: string[]; predictionsTopic: string; labelsTopic: string; consumerGroup: string; clientId: string; sessionTimeoutMs: number };
  ingest: {
    batchSize: number; batchMaxWaitMs: number; maxMessageBytes: number; models: string[];
    /** oldest event time accepted, in days before now; 0: the retention horizon (never more) */
    maxEventAgeDays: number;
    /** newest event time accepted, in ms after now (producers' clock skew) */
    maxEventFutureMs: number;
    /** worker threads decoding Kafka batches (0: the main thread); −1: by the cores (decode-pool.ts defaultDecodeThreads) */
    decodeThreads: number;
  };
  http: { port: number; host: string; tokens: ApiToken[] };
  evaluation: {
    modelsFile: string; intervalMs: number; queryTimeoutMs: number; settleMs: number;
    /** beyond this many rows a window, its PCA reconstruction error comes from a time sample of about as many (0: every row) */
    multivariateSampleRows: number;
  };
  /** replicas: who evaluates and alerts for which model (README "Several replicas") */
  coordination: { mode: 'auto' | 'kafka' | 'none'; controlTopic: string; controlPartitions: number };
  alerting: { alertmanagerUrl: string; pagerdutyRoutingKey: string; webhookUrl: string; webhookSecret: string; policyFile: string };
  gpu: { dcgmTargets: string[]; dcgmTargetsFile: string; nvidiaSmiIntervalMs: number; ncclInspectorDir: string; ncclDebugDir: string };
  retentionDays: number;
  /** SIGTERM: how long draining (storing what was fetched, committing it) may take before the service exits anyway */
  shutdownTimeoutMs: number;
  dataDir: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export interface ApiToken { token: string; scopes: Array<'ingest' | 'read' | 'admin'> }

export const DEFAULTS: Config = {
  clickhouse: { url: 'embedded', database: 'driftwatch', user: 'default', password: '', requestTimeoutMs: 30_000, embeddedMemoryMb: 0, cluster: '', replicaPath: '/clickhouse/tables/{shard}/{database}/{table}' },
  kafka: { brokers: [], predictionsTopic: 'predictions', labelsTopic: 'labels', consumerGroup: 'driftwatch', clientId: 'driftwatch', sessionTimeoutMs: 30_000 },
  ingest: { batchSize: 20_000, batchMaxWaitMs: 1_000, maxMessageBytes: 1_000_000, models: [], maxEventAgeDays: 0, maxEventFutureMs: 3_600_000, decodeThreads: 0 },
  http: { port: 8080, host: '0.0.0.0', tokens: [] },
  // settleMs −1: 10 s with replicas, off for one replica without Kafka (as before)
  evaluation: { modelsFile: '', intervalMs: 30_000, queryTimeoutMs: 300_000, settleMs: -1, multivariateSampleRows: 200_000 },
  coordination: { mode: 'auto', controlTopic: 'driftwatch-control', controlPartitions: 12 },
  alerting: { alertmanagerUrl: '', pagerdutyRoutingKey: '', webhookUrl: '', webhookSecret: '', policyFile: '' },
  gpu: { dcgmTargets: [], dcgmTargetsFile: '', nvidiaSmiIntervalMs: 0, ncclInspectorDir: '', ncclDebugDir: '' },
  retentionDays: 90,
  shutdownTimeoutMs: 30_000,
  dataDir: './.driftwatch',
  logLevel: 'info',
};

/** Environment variable → path in Config, with its parser. */
const ENV: Record<string, (c: Config, v: string) => void> = {
  DRIFTWATCH_CLICKHOUSE_URL: (c, v) => (c.clickhouse.url = storeUrl(v)),
  DRIFTWATCH_EMBEDDED_MEMORY_MB: (c, v) => (c.clickhouse.embeddedMemoryMb = int(v, 'DRIFTWATCH_EMBEDDED_MEMORY_MB', 0, 16_777_216)),
  DRIFTWATCH_CLICKHOUSE_DATABASE: (c, v) => (c.clickhouse.database = v),
  DRIFTWATCH_CLICKHOUSE_USER: (c, v) => (c.clickhouse.user = v),
  DRIFTWATCH_CLICKHOUSE_PASSWORD: (c, v) => (c.clickhouse.password = v),
  DRIFTWATCH_CLICKHOUSE_CLUSTER: (c, v) => (c.clickhouse.cluster = v),
  DRIFTWATCH_CLICKHOUSE_REPLICA_PATH: (c, v) => (c.clickhouse.replicaPath = v),
  DRIFTWATCH_KAFKA_BROKERS: (c, v) => (c.kafka.brokers = list(v)),
  DRIFTWATCH_PREDICTIONS_TOPIC: (c, v) => (c.kafka.predictionsTopic = v),
  DRIFTWATCH_LABELS_TOPIC: (c, v) => (c.kafka.labelsTopic = v),
  DRIFTWATCH_CONSUMER_GROUP: (c, v) => (c.kafka.consumerGroup = v),
  DRIFTWATCH_KAFKA_SESSION_TIMEOUT_MS: (c, v) => (c.kafka.sessionTimeoutMs = int(v, 'DRIFTWATCH_KAFKA_SESSION_TIMEOUT_MS', 6_000, 300_000)),
  DRIFTWATCH_PORT: (c, v) => (c.http.port = int(v, 'DRIFTWATCH_PORT', 0, 65535)),
  DRIFTWATCH_HOST: (c, v) => (c.http.host = v),
  DRIFTWATCH_BATCH_SIZE: (c, v) => (c.ingest.batchSize = int(v, 'DRIFTWATCH_BATCH_SIZE', 1, 1_000_000)),
  DRIFTWATCH_BATCH_MAX_WAIT_MS: (c, v) => (c.ingest.batchMaxWaitMs = int(v, 'DRIFTWATCH_BATCH_MAX_WAIT_MS', 1, 600_000)),
  DRIFTWATCH_MODELS: (c, v) => (c.ingest.models = list(v)),
  DRIFTWATCH_RETENTION_DAYS: (c, v) => (c.retentionDays = int(v, 'DRIFTWATCH_RETENTION_DAYS', 1, 36_500)),
  DRIFTWATCH_MAX_EVENT_AGE_DAYS: (c, v) => (c.ingest.maxEventAgeDays = int(v, 'DRIFTWATCH_MAX_EVENT_AGE_DAYS', 0, 36_500)),
  DRIFTWATCH_MAX_EVENT_FUTURE_MS: (c, v) => (c.ingest.maxEventFutureMs = int(v, 'DRIFTWATCH_MAX_EVENT_FUTURE_MS', 0, 31 * 86_400_000)),
  DRIFTWATCH_INGEST_DECODE_THREADS: (c, v) => (c.ingest.decodeThreads = v === 'auto' ? -1 : int(v, 'DRIFTWATCH_INGEST_DECODE_THREADS', 0, 16)),
  DRIFTWATCH_SHUTDOWN_TIMEOUT_MS: (c, v) => (c.shutdownTimeoutMs = int(v, 'DRIFTWATCH_SHUTDOWN_TIMEOUT_MS', 1_000, 600_000)),
  DRIFTWATCH_CLICKHOUSE_TIMEOUT_MS: (c, v) => (c.clickhouse.requestTimeoutMs = int(v, 'DRIFTWATCH_CLICKHOUSE_TIMEOUT_MS', 1_000, 3_600_000)),
  DRIFTWATCH_DATA_DIR: (c, v) => (c.dataDir = v),
  DRIFTWATCH_LOG_LEVEL: (c, v) => {
    if (!['debug', 'info', 'warn', 'error'].includes(v)) throw new InputError(`DRIFTWATCH_LOG_LEVEL must be debug, info, warn or error, got "${v}"`);
    c.logLevel = v as Config['logLevel'];
  },
  DRIFTWATCH_MODELS_FILE: (c, v) => (c.evaluation.modelsFile = v),
  DRIFTWATCH_EVALUATE_INTERVAL_MS: (c, v) => (c.evaluation.intervalMs = int(v, 'DRIFTWATCH_EVALUATE_INTERVAL_MS', 1_000, 3_600_000)),
  DRIFTWATCH_EVALUATE_TIMEOUT_MS: (c, v) => (c.evaluation.queryTimeoutMs = int(v, 'DRIFTWATCH_EVALUATE_TIMEOUT_MS', 1_000, 3_600_000)),
  DRIFTWATCH_EVALUATE_SETTLE_MS: (c, v) => (c.evaluation.settleMs = int(v, 'DRIFTWATCH_EVALUATE_SETTLE_MS', 0, 3_600_000)),
  DRIFTWATCH_MULTIVARIATE_SAMPLE_ROWS: (c, v) => (c.evaluation.multivariateSampleRows = int(v, 'DRIFTWATCH_MULTIVARIATE_SAMPLE_ROWS', 0, 1_000_000_000)),
  DRIFTWATCH_COORDINATION: (c, v) => {
    if (!['auto', 'kafka', 'none'].includes(v)) throw new InputError(`DRIFTWATCH_COORDINATION must be auto, kafka or none, got "${v}"`);
    c.coordination.mode = v as Config['coordination']['mode'];
  },
  DRIFTWATCH_CONTROL_TOPIC: (c, v) => (c.coordination.controlTopic = v),
  DRIFTWATCH_CONTROL_PARTITIONS: (c, v) => (c.coordination.controlPartitions = int(v, 'DRIFTWATCH_CONTROL_PARTITIONS', 1, 10_000)),
  DRIFTWATCH_ALERTMANAGER_URL: (c, v) => (c.alerting.alertmanagerUrl = url(v, 'DRIFTWATCH_ALERTMANAGER_URL')),
  DRIFTWATCH_PAGERDUTY_ROUTING_KEY: (c, v) => (c.alerting.pagerdutyRoutingKey = v),
  DRIFTWATCH_WEBHOOK_URL: (c, v) => (c.alerting.webhookUrl = url(v, 'DRIFTWATCH_WEBHOOK_URL')),
  DRIFTWATCH_WEBHOOK_SECRET: (c, v) => (c.alerting.webhookSecret = v),
  DRIFTWATCH_POLICY_FILE: (c, v) => (c.alerting.policyFile = v),
  DRIFTWATCH_DCGM_TARGETS: (c, v) => (c.gpu.dcgmTargets = list(v)),
  DRIFTWATCH_DCGM_TARGETS_FILE: (c, v) => (c.gpu.dcgmTargetsFile = v),
  DRIFTWATCH_NVIDIA_SMI_INTERVAL_MS: (c, v) => (c.gpu.nvidiaSmiIntervalMs = int(v, 'DRIFTWATCH_NVIDIA_SMI_INTERVAL_MS', 0, 3_600_000)),
  DRIFTWATCH_NCCL_INSPECTOR_DIR: (c, v) => (c.gpu.ncclInspectorDir = v),
  DRIFTWATCH_NCCL_DEBUG_DIR: (c, v) => (c.gpu.ncclDebugDir = v),
  // "token:scope+scope,token2:scope" — never logged.
  DRIFTWATCH_API_TOKENS: (c, v) => (c.http.tokens = tokens(v)),
};

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}
function int(v: string, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`${name} must be an integer in [${min}, ${max}], got "${v}"`);
  return n;
}
function url(v: string, name: string): string {
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return v.replace(/\/+$/, '');
  } catch {
    throw new InputError(`${name} must be an http(s) URL, got "${v}"`);
  }
}
/** `embedded`, `embedded:PATH` (ClickHouse inside the process) or a server's http(s) URL. */
function storeUrl(v: string): string {
  if (v === 'embedded') return v;
  if (v.startsWith('embedded:')) {
    if (v.length === 'embedded:'.length) throw new InputError('DRIFTWATCH_CLICKHOUSE_URL: embedded:PATH needs a path');
    return v;
  }
  try {
    return url(v, 'DRIFTWATCH_CLICKHOUSE_URL');
  } catch {
    throw new InputError(`DRIFTWATCH_CLICKHOUSE_URL must be an http(s) URL, "embedded" or "embedded:PATH", got "${v}"`);
  }
}
function tokens(v: string): ApiToken[] {
  return list(v).map((item) => {
    const [token, scopes = ''] = item.split(':');
    const parsed = scopes.split('+').filter(Boolean);
    for (const s of parsed) if (!['ingest', 'read', 'admin'].includes(s)) throw new InputError(`DRIFTWATCH_API_TOKENS: unknown scope "${s}"`);
    if (token.length < 16) throw new InputError('DRIFTWATCH_API_TOKENS: each token must be at least 16 characters');
    return { token, scopes: parsed as ApiToken['scopes'] };
  });
}

function merge(target: Record<string, unknown>, source: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(source)) {
    if (!(key in target)) throw new InputError(`config: unknown key "${path}${key}"`);
    const current = target[key];
    if (current && typeof current === 'object' && !Array.isArray(current)) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError(`config: "${path}${key}" must be a mapping`);
      merge(current as Record<string, unknown>, value as Record<string, unknown>, `${path}${key}.`);
    } else {
      if (typeof value !== typeof current && !(Array.isArray(current) && Array.isArray(value))) {
        throw new InputError(`config: "${path}${key}" must be a ${Array.isArray(current) ? 'list' : typeof current}`);
      }
      target[key] = value;
    }
  }
}

/** A cluster needs servers (the embedded engine is one), a plain name, and a replica path that keeps shards and tables apart. */
function checkCluster(c: Config['clickhouse']): void {
  if (c.cluster === '') return;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.cluster)) throw new InputError(`DRIFTWATCH_CLICKHOUSE_CLUSTER: invalid cluster name "${c.cluster.slice(0, 64)}"`);
  if (!/^https?:\/\//.test(c.url)) throw new InputError('DRIFTWATCH_CLICKHOUSE_CLUSTER needs DRIFTWATCH_CLICKHOUSE_URL=http(s)://… (the embedded engine is a single server)');
  if (!/^\/[A-Za-z0-9_/{}.-]*$/.test(c.replicaPath) || !c.replicaPath.includes('{shard}') || !c.replicaPath.includes('{table}')) {
    throw new InputError(`DRIFTWATCH_CLICKHOUSE_REPLICA_PATH must be an absolute ZooKeeper path with {shard} and {table} (letters, digits, _ . - / {}), got "${c.replicaPath.slice(0, 100)}"`);
  }
}

/** Credentials written into the ClickHouse URL (http://user:pw@host) become user and password, unless those are
 *  set on their own, and leave the URL: the URL is logged, the password never is. */
function moveCredentials(c: Config['clickhouse']): void {
  if (!/^https?:\/\//.test(c.url)) return; // embedded: no credentials
  const u = new URL(c.url);
  if (!u.username && !u.password) return;
  if (c.user === DEFAULTS.clickhouse.user && u.username) c.user = decodeURIComponent(u.username);
  if (c.password === DEFAULTS.clickhouse.password && u.password) c.password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  c.url = u.toString().replace(/\/+$/, '');
}

/** Which event times ingest accepts: `maxEventAgeDays` back (at most the retention horizon, so retention never drops
 *  a row as it arrives), `maxEventFutureMs` ahead. */
export function acceptedAge(config: Config): { maxAgeMs: number; maxFutureMs: number } {
  const days = config.ingest.maxEventAgeDays > 0 ? Math.min(config.ingest.maxEventAgeDays, config.retentionDays) : config.retentionDays;
  return { maxAgeMs: days * 86_400_000, maxFutureMs: config.ingest.maxEventFutureMs };
}

/** Defaults, then the YAML file (if any), then environment variables — the last one wins. */
export function loadConfig(env: NodeJS.ProcessEnv, file?: string): Config {
  const config = structuredClone(DEFAULTS);
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new InputError(`config file not readable: ${file}`);
    }
    const doc: unknown = parseYaml(text);
    if (doc !== null && doc !== undefined) {
      if (typeof doc !== 'object' || Array.isArray(doc)) throw new InputError(`config file ${file} must be a YAML mapping`);
      merge(config as unknown as Record<string, unknown>, doc as Record<string, unknown>, '');
    }
  }
  for (const [name, apply] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') apply(config, value);
  }
  if (config.coordination.mode === 'kafka' && config.kafka.brokers.length === 0) {
    throw new InputError('DRIFTWATCH_COORDINATION=kafka needs DRIFTWATCH_KAFKA_BROKERS');
  }
  moveCredentials(config.clickhouse);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(config.clickhouse.database)) {
    throw new InputError(`invalid ClickHouse database name "${config.clickhouse.database}"`);
  }
  checkCluster(config.clickhouse);
  return config;
}
