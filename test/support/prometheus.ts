// Starts Debian's real Prometheus on a free loopback port with a temp data dir: optional scrape targets,
// rule files and an Alertmanager to notify. Used to check PromQL and to run rules end to end.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReadyDaemon } from './daemon.js';

export interface LocalPrometheus {
  url: string;
  /** /api/v1/query at the current time; throws with Prometheus' error for a bad expression */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** host:port targets scraped under job "driftwatch" */
  driftwatchTargets?: string[];
  ruleFiles?: string[];
  /** host:port of an Alertmanager */
  alertmanager?: string;
  scrapeInterval?: string;
  evaluationInterval?: string;
}

const BINARY = '/usr/bin/prometheus';

function config(o: PrometheusOptions): string {
  const lines = [
    'global:',
    `  scrape_interval: ${o.scrapeInterval ?? '15s'}`,
    `  evaluation_interval: ${o.evaluationInterval ?? '15s'}`,
  ];
  if (o.ruleFiles?.length) lines.push('rule_files:', ...o.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`));
  if (o.alertmanager) lines.push('alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: [${JSON.stringify(o.alertmanager)}]`);
  lines.push('scrape_configs:');
  if (o.driftwatchTargets?.length) lines.push('  - job_name: driftwatch', '    static_configs:', `      - targets: [${o.driftwatchTargets.map((t) => JSON.stringify(t)).join(', ')}]`);
  else lines.push('  - job_name: none', '    static_configs: []');
  return `${lines.join('\n')}\n`;
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<LocalPrometheus> {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is not installed: apt-get install prometheus`);
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), config(options));
  const daemon = await startReadyDaemon('Prometheus', BINARY, (port) => [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], dir);
  const url = daemon.url;
  return {
    url,
    stop: () => daemon.stop(),
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
      const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
      if (body.status !== 'success') throw new Error(`${body.error ?? res.status}: ${expr}`);
      const r = body.data?.result;
      return (body.data?.resultType === 'scalar' ? [{ metric: {}, value: r }] : r) as Array<{ metric: Record<string, string>; value: [number, string] }>;
    },
  };
}
