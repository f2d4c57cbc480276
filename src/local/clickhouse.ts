// Starts a throw-away ClickHouse server (Debian's clickhouse-server) on free loopback ports with a temp data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

export interface LocalClickHouse {
  url: string;
  httpPort: number;
  tcpPort: number;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

const SERVER_BINARIES = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', '/usr/bin/clickhouse'];

export function serverCommand(): string[] {
  for (const bin of SERVER_BINARIES) {
    if (!existsSync(bin)) continue;
    return bin.endsWith('/clickhouse') ? [bin, 'server'] : [bin];
  }
  throw new Error('clickhouse-server is not installed: run scripts/setup.sh (apt-get install clickhouse-server)');
}

/** A server's config.xml on loopback; `extra` lines (a cluster node's ZooKeeper, macros, …) go before its end. */
export function serverConfigXml(dir: string, ports: { http: number; tcp: number }, extra: readonly string[] = []): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
${extra.map((l) => `  ${l}\n`).join('')}</yandex>
`;
}

/** users.xml: the passwordless default user on loopback, each query capped at `maxMemoryBytes`. */
export function usersXml(maxMemoryBytes: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>${maxMemoryBytes}</max_memory_usage><log_queries>0</log_queries></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
}

export async function startClickHouse(options: { keepData?: boolean } = {}): Promise<LocalClickHouse> {
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-ch-'));
  for (const sub of ['log', 'data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub));
  const [httpPort, tcpPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'config.xml'), serverConfigXml(dir, { http: httpPort, tcp: tcpPort }));
  writeFileSync(join(dir, 'users.xml'), usersXml(8_000_000_000));
  const [bin, ...args] = serverCommand();
  const child: ChildProcess = spawn(bin, [...args, `--config-file=${join(dir, 'config.xml')}`], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor('ClickHouse', async () => (await fetch(`${url}/ping`)).ok, 60_000,
      () => (exited ? `clickhouse-server exited during start: ${stderr}` : undefined));
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    httpPort,
    tcpPort,
    dataDir: dir,
    pid: child.pid ?? -1,
    async stop() {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await done;
        clearTimeout(timer);
      }
      if (!options.keepData) rmSync(dir, { recursive: true, force: true });
    },
  };
}
