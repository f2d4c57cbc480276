// docker-compose.yml cannot run here, so it is checked against the rest of the repo: service names and ports
// agree with the Prometheus, Grafana and driftwatch settings, every bind mount exists, no secret is inlined,
// and the Prometheus config passes promtool once its container paths are mapped back onto the repo.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULTS } from '../../../src/config/index.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const env = (s: string) => services[s].environment ?? {};

/** Bind mounts of a service: repo path → container path. */
function binds(service: string): Array<{ host: string; container: string }> {
  return (services[service].volumes ?? []).filter((v) => v.startsWith('./')).map((v) => {
    const [host, container] = v.split(':');
    return { host: host.slice(2), container };
  });
}

/** The repo file a container path of `service` comes from, through its bind mounts. */
function repoPath(service: string, containerPath: string): string | undefined {
  for (const b of binds(service)) {
    if (containerPath === b.container) return b.host;
    if (containerPath.startsWith(`${b.container}/`)) return join(b.host, containerPath.slice(b.container.length + 1));
  }
  return undefined;
}

const publishedPort = (service: string, containerPort: number) =>
  (services[service].ports ?? []).map((p) => p.split(':')).find(([, c]) => Number(c) === containerPort);

describe('docker-compose.yml', () => {
  it('has the stack the issue asks for, dcgm-exporter only under the gpu profile', () => {
    expect(Object.keys(services).sort()).toEqual(['alertmanager', 'clickhouse', 'dcgm-exporter', 'driftwatch', 'grafana', 'kafka', 'migrate', 'prometheus']);
    for (const [name, s] of Object.entries(services)) expect(s.profiles, name).toEqual(name === 'dcgm-exporter' ? ['gpu'] : undefined);
    expect(env('kafka').KAFKA_PROCESS_ROLES).toBe('broker,controller'); // KRaft, no ZooKeeper
  });

  it('gives every long-running service a healthcheck and named volumes for its data', () => {
    for (const [name, s] of Object.entries(services)) if (name !== 'migrate') expect(s.healthcheck?.test.length, name).toBeGreaterThan(1);
    const named = Object.values(services).flatMap((s) => (s.volumes ?? []).filter((v) => !v.startsWith('./')).map((v) => v.split(':')[0]));
    expect(new Set(named)).toEqual(new Set(Object.keys(compose.volumes)));
    for (const s of ['kafka', 'clickhouse', 'driftwatch', 'prometheus', 'alertmanager', 'grafana']) {
      expect(services[s].volumes?.some((v) => !v.startsWith('./')), s).toBe(true);
    }
  });

  it('mounts only paths that exist in the repo (secrets excepted: the operator provides them)', () => {
    for (const name of Object.keys(services)) {
      for (const b of binds(name)) {
        if (b.host.startsWith('secrets/')) continue;
        expect(existsSync(join(ROOT, b.host)), `${name} mounts ./${b.host}`).toBe(true);
      }
    }
    expect(binds('alertmanager').map((b) => b.host)).toContain('secrets/alertmanager');
  });

  it('inlines no secret: passwords, tokens and keys come from the environment', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|TOKEN|SECRET|ROUTING_KEY/.test(key)) expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z_]+(:[?-][^}]*)?\}$/);
      }
    }
    expect(read('docker-compose.yml')).not.toMatch(/whsec_|Bearer [A-Za-z0-9]/);
  });

  it('points driftwatch at the clickhouse and kafka services on their ports, and listens where Prometheus scrapes', () => {
    const dw = env('driftwatch');
    expect(dw).toEqual(env('migrate'));
    expect(new URL(String(dw.DRIFTWATCH_CLICKHOUSE_URL)).host).toBe('clickhouse:8123');
    expect(publishedPort('clickhouse', 8123)).toBeDefined();
    expect(dw.DRIFTWATCH_KAFKA_BROKERS).toBe('kafka:9092');
    expect(String(env('kafka').KAFKA_ADVERTISED_LISTENERS)).toContain('PLAINTEXT://kafka:9092');
    expect(Number(dw.DRIFTWATCH_PORT)).toBe(DEFAULTS.http.port);
    expect(publishedPort('driftwatch', DEFAULTS.http.port)).toBeDefined();
    expect(new URL(String(dw.DRIFTWATCH_ALERTMANAGER_URL)).host).toBe('alertmanager:9093');
    expect(read('Dockerfile')).toContain(`EXPOSE ${DEFAULTS.http.port}`);
    expect(services.driftwatch.depends_on?.migrate.condition).toBe('service_completed_successfully');
  });

  it('Prometheus scrapes driftwatch and dcgm-exporter by service name and loads the rules from alerts/', () => {
    const host = repoPath('prometheus', '/etc/prometheus/prometheus.yml');
    expect(host).toBe('alerts/prometheus.compose.yml');
    const prom = parse(read(host!)) as { rule_files: string[]; alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> }; scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    const targets = Object.fromEntries(prom.scrape_configs.map((s) => [s.job_name, s.static_configs.flatMap((c) => c.targets)]));
    expect(targets.driftwatch).toEqual([`driftwatch:${DEFAULTS.http.port}`]);
    expect(targets['dcgm-exporter']).toEqual(['dcgm-exporter:9400']);
    expect(publishedPort('dcgm-exporter', 9400)).toBeDefined();
    expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    expect(publishedPort('alertmanager', 9093)).toBeDefined();
    const rules = prom.rule_files.map((f) => repoPath('prometheus', f));
    expect(rules).toEqual(['alerts/driftwatch.rules.yml', 'alerts/gpu.rules.yml']);
    // promtool on a copy whose container paths point back into the repo
    const dir = mkdtempSync(join(tmpdir(), 'dw-compose-'));
    try {
      const file = join(dir, 'prometheus.yml');
      writeFileSync(file, read(host!).replace(/\/etc\/prometheus\/rules\//g, join(ROOT, 'alerts/')));
      expect(execFileSync('promtool', ['check', 'config', file], { encoding: 'utf8' })).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Alertmanager reads alerts/alertmanager.example.yml and its key files from the mounted secrets', () => {
    expect(repoPath('alertmanager', '/etc/alertmanager/alertmanager.yml')).toBe('alerts/alertmanager.example.yml');
    const files = [...read('alerts/alertmanager.example.yml').matchAll(/_file: (\S+)/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(repoPath('alertmanager', f), f).toMatch(/^secrets\/alertmanager\//);
  });

  it('Grafana gets the provisioning files and the generated dashboards where the provider looks', () => {
    expect(repoPath('grafana', '/etc/grafana/provisioning/datasources')).toBe('dashboards/provisioning/datasources');
    expect(repoPath('grafana', '/etc/grafana/provisioning/dashboards')).toBe('dashboards/provisioning/dashboards');
    const provider = parse(read('dashboards/provisioning/dashboards/driftwatch.yml')) as { providers: Array<{ options: { path: string } }> };
    expect(repoPath('grafana', provider.providers[0].options.path)).toBe('dashboards/generated');
    const home = String(env('grafana').GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    expect(existsSync(join(ROOT, repoPath('grafana', home)!))).toBe(true);
    const ds = parse(read('dashboards/provisioning/datasources/driftwatch.yml')) as { datasources: Array<{ type: string; url?: string; jsonData: { host?: string; port?: number } }> };
    const promDs = ds.datasources.find((d) => d.type === 'prometheus')!;
    expect(new URL(promDs.url!).host).toBe('prometheus:9090');
    expect(publishedPort('prometheus', 9090)).toBeDefined();
    const ch = ds.datasources.find((d) => d.type === 'grafana-clickhouse-datasource')!;
    expect(`${ch.jsonData.host}:${ch.jsonData.port}`).toBe('clickhouse:8123');
    expect(String(env('grafana').GF_INSTALL_PLUGINS)).toContain('grafana-clickhouse-datasource');
    for (const v of ['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD']) expect(env('grafana')[v], v).toBeDefined();
  });

  it('dcgm-exporter reads the counters CSV the collectors ship', () => {
    const [flag, path] = services['dcgm-exporter'].command!;
    expect(flag).toBe('-f');
    expect(repoPath('dcgm-exporter', path)).toBe('collectors/dcgm-exporter-counters.csv');
  });

  it('the Dockerfile copies only paths that exist and runs the CLI', () => {
    const docker = read('Dockerfile');
    const copied = [...docker.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
    expect(copied.length).toBeGreaterThan(3);
    for (const p of copied) expect(existsSync(join(ROOT, p)), p).toBe(true);
    expect(docker).toMatch(/ENTRYPOINT \["node", "bin\/driftwatch.js"\]/);
  });
});
