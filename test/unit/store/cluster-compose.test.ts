// docker-compose.cluster.yml cannot run here: checked against its ClickHouse config instead — every server of the
// cluster in <remote_servers> is a service with its own {shard}/{replica}, two replicas per shard, mounts that
// exist, driftwatch pointed at the cluster, and no secret inlined.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = new URL('../../../', import.meta.url).pathname;
const overlay = parse(readFileSync(join(ROOT, 'docker-compose.cluster.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; volumes?: string[]; depends_on?: Record<string, unknown> }>;
};
const xml = readFileSync(join(ROOT, 'deploy/clickhouse-cluster/cluster.xml'), 'utf8');

describe('docker-compose.cluster.yml', () => {
  it('runs every server <remote_servers> names, each with its own shard and replica macros', () => {
    const shards = [...xml.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((m) => [...m[1].matchAll(/<host>([\w-]+)<\/host>/g)].map((h) => h[1]));
    expect(shards).toHaveLength(2);
    expect(shards.every((s) => s.length === 2)).toBe(true);
    expect(xml.match(/<internal_replication>true<\/internal_replication>/g)).toHaveLength(2);
    const macros = new Set<string>();
    shards.forEach((hosts, i) => {
      for (const host of hosts) {
        const env = overlay.services[host]?.environment;
        expect(env, host).toBeDefined();
        expect(env!.CLICKHOUSE_SHARD, host).toBe(String(i + 1).padStart(2, '0'));
        macros.add(`${env!.CLICKHOUSE_SHARD}/${env!.CLICKHOUSE_REPLICA}`);
        expect(overlay.services[host].depends_on, host).toHaveProperty('zookeeper');
      }
    });
    expect(macros.size).toBe(4);
    expect(xml).toContain('<host>zookeeper</host>');
    expect(xml).toContain('<distributed_ddl>');
  });

  it('points migrate and driftwatch at the cluster; mounts exist; passwords come from the environment', () => {
    for (const s of ['migrate', 'driftwatch']) expect(overlay.services[s].environment).toMatchObject({ DRIFTWATCH_CLICKHOUSE_CLUSTER: 'driftwatch', DRIFTWATCH_CLICKHOUSE_URL: 'http://ch-s1r1:8123' });
    for (const [name, s] of Object.entries(overlay.services)) {
      for (const v of (s.volumes ?? []).filter((x) => x.startsWith('./'))) expect(existsSync(join(ROOT, v.split(':')[0])), `${name} ${v}`).toBe(true);
      for (const [k, v] of Object.entries(s.environment ?? {})) if (/PASSWORD/.test(k)) expect(v, `${name}.${k}`).toMatch(/^\$\{[A-Z_]+:\?[^}]*\}$/);
    }
  });
});
