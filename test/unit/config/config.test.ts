import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, acceptedAge, loadConfig } from '../../../src/config/index.js';
import { jsonLogger, redactUrls } from '../../../src/telemetry/log.js';
import { storeLocation } from '../../../src/store/index.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.clickhouse).toMatchObject({ url: 'embedded', database: 'driftwatch' });
    expect(c.kafka).toMatchObject({ brokers: [], predictionsTopic: 'predictions', labelsTopic: 'labels', consumerGroup: 'driftwatch' });
    expect(c.http.port).toBe(8080);
  });
  it('reads every documented environment variable', () => {
    const c = loadConfig({
      DRIFTWATCH_CLICKHOUSE_URL: 'http://ch:8123/', DRIFTWATCH_CLICKHOUSE_DATABASE: 'dw', DRIFTWATCH_CLICKHOUSE_USER: 'u', DRIFTWATCH_CLICKHOUSE_PASSWORD: 'p',
      DRIFTWATCH_KAFKA_BROKERS: 'k1:9092, k2:9092', DRIFTWATCH_PREDICTIONS_TOPIC: 'preds', DRIFTWATCH_LABELS_TOPIC: 'labs', DRIFTWATCH_CONSUMER_GROUP: 'g',
      DRIFTWATCH_PORT: '9000', DRIFTWATCH_API_TOKENS: 'aaaaaaaaaaaaaaaa:ingest+read,bbbbbbbbbbbbbbbb:admin',
      DRIFTWATCH_DCGM_TARGETS: 'gpu-1:9400,gpu-2:9400', DRIFTWATCH_ALERTMANAGER_URL: 'http://am:9093',
    });
    expect(c.clickhouse).toMatchObject({ url: 'http://ch:8123', database: 'dw', user: 'u', password: 'p' });
    expect(c.kafka).toMatchObject({ brokers: ['k1:9092', 'k2:9092'], predictionsTopic: 'preds', labelsTopic: 'labs', consumerGroup: 'g' });
    expect(c.http.port).toBe(9000);
    expect(c.http.tokens).toEqual([{ token: 'aaaaaaaaaaaaaaaa', scopes: ['ingest', 'read'] }, { token: 'bbbbbbbbbbbbbbbb', scopes: ['admin'] }]);
    expect(c.gpu.dcgmTargets).toEqual(['gpu-1:9400', 'gpu-2:9400']);
    expect(c.alerting.alertmanagerUrl).toBe('http://am:9093');
  });
  it('rejects bad values with the variable name', () => {
    expect(() => loadConfig({ DRIFTWATCH_PORT: 'eighty' })).toThrow(/DRIFTWATCH_PORT must be an integer/);
    expect(() => loadConfig({ DRIFTWATCH_CLICKHOUSE_URL: 'ch:8123' })).toThrow(/DRIFTWATCH_CLICKHOUSE_URL must be an http\(s\) URL/);
    expect(() => loadConfig({ DRIFTWATCH_API_TOKENS: 'short:ingest' })).toThrow(/at least 16 characters/);
    expect(() => loadConfig({ DRIFTWATCH_API_TOKENS: 'aaaaaaaaaaaaaaaa:root' })).toThrow(/unknown scope "root"/);
    expect(() => loadConfig({ DRIFTWATCH_CLICKHOUSE_DATABASE: 'x; DROP' })).toThrow(/invalid ClickHouse database name/);
    expect(() => loadConfig({ DRIFTWATCH_INGEST_DECODE_THREADS: '17' })).toThrow(/DRIFTWATCH_INGEST_DECODE_THREADS must be an integer in \[0, 16\]/);
  });
  it('decodes on the main thread unless told otherwise; auto sizes the decode threads by the cores', () => {
    expect(loadConfig({}).ingest.decodeThreads).toBe(0);
    expect(loadConfig({ DRIFTWATCH_INGEST_DECODE_THREADS: '3' }).ingest.decodeThreads).toBe(3);
    expect(loadConfig({ DRIFTWATCH_INGEST_DECODE_THREADS: 'auto' }).ingest.decodeThreads).toBe(-1);
  });
  it('samples the PCA error of windows beyond 200 000 rows unless told otherwise (0: every row)', () => {
    expect(loadConfig({}).evaluation.multivariateSampleRows).toBe(200_000);
    expect(loadConfig({ DRIFTWATCH_MULTIVARIATE_SAMPLE_ROWS: '0' }).evaluation.multivariateSampleRows).toBe(0);
    expect(() => loadConfig({ DRIFTWATCH_MULTIVARIATE_SAMPLE_ROWS: '-1' })).toThrow(/DRIFTWATCH_MULTIVARIATE_SAMPLE_ROWS must be an integer/);
  });
  it('reads YAML, rejects unknown keys, and lets the environment win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-config-'));
    const file = join(dir, 'driftwatch.yaml');
    writeFileSync(file, 'clickhouse:\n  url: http://yaml:8123\nkafka:\n  brokers: [a:1, b:2]\n');
    expect(loadConfig({}, file).kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(loadConfig({ DRIFTWATCH_CLICKHOUSE_URL: 'http://env:8123' }, file).clickhouse.url).toBe('http://env:8123');
    writeFileSync(file, 'clickhouse:\n  ulr: http://typo\n');
    expect(() => loadConfig({}, file)).toThrow(/unknown key "clickhouse.ulr"/);
    expect(() => loadConfig({}, join(dir, 'missing.yaml'))).toThrow(/not readable/);
    expect(DEFAULTS.clickhouse.url).toBe('embedded');
  });
  it('takes embedded, embedded:PATH or a server URL for the store, and nothing else', () => {
    expect(loadConfig({ DRIFTWATCH_CLICKHOUSE_URL: 'embedded' }).clickhouse.url).toBe('embedded');
    expect(loadConfig({ DRIFTWATCH_CLICKHOUSE_URL: 'embedded:/var/lib/dw' }).clickhouse.url).toBe('embedded:/var/lib/dw');
    expect(loadConfig({ DRIFTWATCH_CLICKHOUSE_URL: 'https://ch:8443/' }).clickhouse.url).toBe('https://ch:8443');
    expect(() => loadConfig({ DRIFTWATCH_CLICKHOUSE_URL: 'embedded:' })).toThrow(/needs a path/);
    expect(() => loadConfig({ DRIFTWATCH_CLICKHOUSE_URL: 'clickhouse://ch:9000' })).toThrow(/"embedded" or "embedded:PATH"/);
    expect(loadConfig({ DRIFTWATCH_EMBEDDED_MEMORY_MB: '2048' }).clickhouse.embeddedMemoryMb).toBe(2048);
    expect(storeLocation(loadConfig({ DRIFTWATCH_DATA_DIR: '/srv/dw' }))).toBe('embedded:/srv/dw/clickhouse');
    expect(storeLocation(loadConfig({ DRIFTWATCH_CLICKHOUSE_URL: 'http://ch:8123' }))).toBe('http://ch:8123');
  });
  it('documents exactly the variables it reads (README)', () => {
    const names = (text: string) => [...new Set(text.match(/DRIFTWATCH_[A-Z_]+[A-Z]/g))].sort();
    const readme = names(readFileSync(join(__dirname, '../../../README.md'), 'utf8'));
    const source = names(readFileSync(join(__dirname, '../../../src/config/index.ts'), 'utf8'));
    expect(readme).toEqual(source);
  });
});

describe('configuration for issue 13', () => {
  it('reads the listen address from DRIFTWATCH_HOST', () => {
    expect(loadConfig({ DRIFTWATCH_HOST: '127.0.0.1' }).http.host).toBe('127.0.0.1');
  });
  it('moves credentials out of the ClickHouse URL, unless user and password are set on their own', () => {
    expect(loadConfig({ DRIFTWATCH_CLICKHOUSE_URL: 'http://admin:p%40ss@ch:8123/' }).clickhouse).toMatchObject({ url: 'http://ch:8123', user: 'admin', password: 'p@ss' });
    expect(loadConfig({ DRIFTWATCH_CLICKHOUSE_URL: 'http://admin:pw@ch:8123', DRIFTWATCH_CLICKHOUSE_USER: 'u', DRIFTWATCH_CLICKHOUSE_PASSWORD: 'p' }).clickhouse).toMatchObject({ url: 'http://ch:8123', user: 'u', password: 'p' });
  });
  it('accepts event times back to the retention horizon at most, and a little ahead', () => {
    expect(acceptedAge(loadConfig({}))).toEqual({ maxAgeMs: 90 * 86_400_000, maxFutureMs: 3_600_000 });
    expect(acceptedAge(loadConfig({ DRIFTWATCH_MAX_EVENT_AGE_DAYS: '7', DRIFTWATCH_MAX_EVENT_FUTURE_MS: '60000' }))).toEqual({ maxAgeMs: 7 * 86_400_000, maxFutureMs: 60_000 });
    expect(acceptedAge(loadConfig({ DRIFTWATCH_MAX_EVENT_AGE_DAYS: '400', DRIFTWATCH_RETENTION_DAYS: '30' })).maxAgeMs).toBe(30 * 86_400_000);
    expect(loadConfig({ DRIFTWATCH_SHUTDOWN_TIMEOUT_MS: '5000' }).shutdownTimeoutMs).toBe(5000);
  });
  it('case 10: no log line carries URL credentials', () => {
    const lines: string[] = [];
    jsonLogger('info', {}, (l) => lines.push(l) > 0).log('info', 'service_started', { clickhouse: 'http://admin:pw@ch:8123', error: 'connect to https://u:s3cret@am:9093/api failed' });
    expect(lines[0]).not.toMatch(/pw|s3cret/);
    expect(JSON.parse(lines[0])).toMatchObject({ clickhouse: 'http://***@ch:8123', error: 'connect to https://***@am:9093/api failed' });
    expect(redactUrls('http://ch:8123 and mailto:a@b')).toBe('http://ch:8123 and mailto:a@b');
  });
});
