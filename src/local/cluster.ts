// Starts a throw-away ClickHouse cluster on loopback: one ZooKeeper (Debian's zookeeper, standalone) and
// clickhouse-server processes for `shards` × `replicas`, each with its {shard}/{replica} macros, the cluster in
// <remote_servers> (internal_replication: ReplicatedMergeTree copies rows between a shard's replicas) and
// <distributed_ddl> for ON CLUSTER. ClickHouse starts only once ZooKeeper answers (18.16 can crash otherwise).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverCommand, serverConfigXml, usersXml } from './clickhouse.js';
import { freePort, waitFor } from './ports.js';

export interface ClusterNode {
  shard: number;
  replica: number;
  url: string;
  httpPort: number;
  tcpPort: number;
  /** Whether the process is running (kill/start change it). */
  readonly running: boolean;
  /** SIGKILL: a crash, not a shutdown. */
  kill(): Promise<void>;
  /** Starts the node again on the same ports and data. */
  start(): Promise<void>;
}

export interface LocalCluster {
  name: string;
  zookeeperPort: number;
  nodes: ClusterNode[];
  /** The node of shard s (1-based), replica r (1-based). */
  node(shard: number, replica: number): ClusterNode;
  dir: string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  name?: string;
  shards?: number;
  replicas?: number;
  keepData?: boolean;
}

const ZOOKEEPER_JARS = '/usr/share/java';

function zookeeperClasspath(): string {
  if (!existsSync(join(ZOOKEEPER_JARS, 'zookeeper.jar'))) throw new Error('ZooKeeper is not installed: run scripts/setup.sh (apt-get install zookeeper)');
  return readdirSync(ZOOKEEPER_JARS).filter((f) => f.endsWith('.jar')).map((f) => join(ZOOKEEPER_JARS, f)).join(':');
}

/** ZooKeeper's `ruok` four-letter word: true once it answers `imok`. */
export function zookeeperAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('ruok'));
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('close', () => resolve(reply === 'imok'));
    socket.on('error', () => resolve(false));
  });
}

interface Ports { http: number; tcp: number; interserver: number }

function clusterXml(name: string, layout: Ports[][]): string {
  const shards = layout.map((replicas) => `<shard><internal_replication>true</internal_replication>${
    replicas.map((p) => `<replica><host>127.0.0.1</host><port>${p.tcp}</port></replica>`).join('')}</shard>`).join('\n      ');
  return `<remote_servers><${name}>\n      ${shards}\n    </${name}></remote_servers>`;
}

function nodeConfig(dir: string, ports: Ports, zookeeperPort: number, shard: number, replica: number): string {
  return serverConfigXml(dir, ports, [
    `<interserver_http_port>${ports.interserver}</interserver_http_port>`,
    '<interserver_http_host>127.0.0.1</interserver_http_host>',
    `<zookeeper><node><host>127.0.0.1</host><port>${zookeeperPort}</port></node><session_timeout_ms>6000</session_timeout_ms></zookeeper>`,
    '<distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>',
    `<macros><shard>${String(shard).padStart(2, '0')}</shard><replica>r${replica}</replica></macros>`,
    `<include_from>${dir}/cluster.xml</include_from>`,
    '<remote_servers incl="remote_servers" />',
  ]);
}


interface Managed { child?: ChildProcess; exited: boolean; stderr: string }

function launch(bin: string, args: string[], cwd: string): Managed {
  const m: Managed = { exited: false, stderr: '' };
  const child = spawn(bin, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => (m.stderr = (m.stderr + d.toString()).slice(-4000)));
  child.on('exit', () => (m.exited = true));
  m.child = child;
  return m;
}

async function halt(m: Managed | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!m?.child || m.exited) return;
  const done = new Promise((r) => m.child!.once('exit', r));
  m.child.kill(signal);
  const timer = setTimeout(() => m.child!.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

export async function startCluster(options: ClusterOptions = {}): Promise<LocalCluster> {
  const name = options.name ?? 'driftwatch';
  const shardCount = options.shards ?? 2;
  const replicaCount = options.replicas ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-cluster-'));
  const zkDir = join(dir, 'zookeeper');
  mkdirSync(join(zkDir, 'data'), { recursive: true });
  const zookeeperPort = await freePort();
  writeFileSync(join(zkDir, 'zoo.cfg'), [
    'tickTime=500', `dataDir=${zkDir}/data`, `clientPort=${zookeeperPort}`, 'clientPortAddress=127.0.0.1',
    'admin.enableServer=false', '4lw.commands.whitelist=ruok,srvr', 'maxClientCnxns=0', '',
  ].join('\n'));
  const zookeeper = launch('java', ['-Xmx256m', '-Dzookeeper.log.dir=' + zkDir, '-cp', zookeeperClasspath(),
    'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(zkDir, 'zoo.cfg')], zkDir);
  const managed: Managed[] = [];
  const stopAll = async () => {
    // data thrown away: no need to wait for 18.16's orderly shutdown (seconds per server)
    const signal = options.keepData ? 'SIGTERM' : 'SIGKILL';
    await Promise.all(managed.map((m) => halt(m, signal)));
    await halt(zookeeper, signal);
    if (!options.keepData) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('ZooKeeper', async () => {
      if (zookeeper.exited) throw new Error(`zookeeper exited during start: ${zookeeper.stderr}`);
      return zookeeperAnswers(zookeeperPort);
    }, 60_000);
    const layout: Ports[][] = [];
    for (let s = 0; s < shardCount; s++) {
      layout.push([]);
      for (let r = 0; r < replicaCount; r++) layout[s].push({ http: await freePort(), tcp: await freePort(), interserver: await freePort() });
    }
    const [bin, ...args] = serverCommand();
    const nodes: ClusterNode[] = [];
    for (let s = 0; s < shardCount; s++) {
      for (let r = 0; r < replicaCount; r++) {
        const ports = layout[s][r];
        const nodeDir = join(dir, `s${s + 1}r${r + 1}`);
        for (const sub of ['log', 'data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(nodeDir, sub), { recursive: true });
        writeFileSync(join(nodeDir, 'config.xml'), nodeConfig(nodeDir, ports, zookeeperPort, s + 1, r + 1));
        writeFileSync(join(nodeDir, 'cluster.xml'), `<?xml version="1.0"?>\n<yandex>\n  ${clusterXml(name, layout)}\n</yandex>\n`);
        writeFileSync(join(nodeDir, 'users.xml'), usersXml(4_000_000_000));
        const url = `http://127.0.0.1:${ports.http}`;
        let current: Managed | undefined;
        const start = async () => {
          current = launch(bin, [...args, `--config-file=${join(nodeDir, 'config.xml')}`], nodeDir);
          managed.push(current);
          const m = current;
          await waitFor(`ClickHouse shard ${s + 1} replica ${r + 1}`, async () => {
            if (m.exited) throw new Error(`clickhouse-server exited during start: ${m.stderr}`);
            return (await fetch(`${url}/ping`)).ok;
          }, 60_000);
        };
        nodes.push({
          shard: s + 1, replica: r + 1, url, httpPort: ports.http, tcpPort: ports.tcp,
          get running() { return current !== undefined && !current.exited; },
          kill: () => halt(current, 'SIGKILL'),
          start,
        });
      }
    }
    await Promise.all(nodes.map((n) => n.start()));
    return {
      name,
      zookeeperPort,
      nodes,
      node: (shard, replica) => nodes.find((n) => n.shard === shard && n.replica === replica)!,
      dir,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
