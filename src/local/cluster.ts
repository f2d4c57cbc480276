// Starts a throw-away ClickHouse cluster on loopback: one ZooKeeper (Debian's zookeeper, standalone) and
// clickhouse-server processes for `shards` × `replicas`, each with its {shard}/{replica} macros, the cluster in
// <remote_servers> (internal_replication: ReplicatedMergeTree copies rows between a shard's replicas) and
// <distributed_ddl> for ON CLUSTER. ClickHouse starts only once ZooKeeper answers (18.16 can crash otherwise).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  /** Processes that died on their own (not kill()/stop()), with their last words: a test prints them when it fails. */
  crashes(): ClusterCrash[];
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


interface Managed { child?: ChildProcess; exited: boolean; stderr: string; halting: boolean; label: string; logDir?: string }

/** A process that exited without being told to: which, how, and the tail of what it logged. */
export interface ClusterCrash { process: string; exit: string; stderr: string; errorLog: string }

function launch(bin: string, args: string[], cwd: string, label: string, logDir?: string, onCrash?: (m: Managed, exit: string) => void): Managed {
  const m: Managed = { exited: false, stderr: '', halting: false, label, logDir };
  const child = spawn(bin, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => (m.stderr = (m.stderr + d.toString()).slice(-4000)));
  child.on('exit', (code, signal) => {
    m.exited = true;
    if (!m.halting) onCrash?.(m, signal ?? `code ${code}`);
  });
  m.child = child;
  return m;
}

function tail(file: string, bytes: number): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

async function halt(m: Managed | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!m?.child || m.exited) return;
  m.halting = true;
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
  const crashes: ClusterCrash[] = [];
  const onCrash = (m: Managed, exit: string) => {
    const crash = { process: m.label, exit, stderr: m.stderr, errorLog: m.logDir ? tail(join(m.logDir, 'error.log'), 4000) : '' };
    crashes.push(crash);
    // on stderr at once: the cluster's files are gone by the time a test reports its failure
    process.stderr.write(`driftwatch local cluster: ${m.label} exited on its own (${exit})\n${crash.errorLog || crash.stderr}\n`);
  };
  const zookeeper = launch('java', ['-Xmx256m', '-Dzookeeper.log.dir=' + zkDir, '-cp', zookeeperClasspath(),
    'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(zkDir, 'zoo.cfg')], zkDir, 'ZooKeeper', undefined, onCrash);
  const managed: Managed[] = [];
  const stopAll = async () => {
    // data thrown away: no need to wait for 18.16's orderly shutdown (seconds per server)
    const signal = options.keepData ? 'SIGTERM' : 'SIGKILL';
    await Promise.all(managed.map((m) => halt(m, signal)));
    await halt(zookeeper, signal);
    if (!options.keepData) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('ZooKeeper', () => zookeeperAnswers(zookeeperPort), 60_000,
      () => (zookeeper.exited ? `zookeeper exited during start: ${zookeeper.stderr}` : undefined));
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
          for (let attempt = 1; ; attempt++) {
            current = launch(bin, [...args, `--config-file=${join(nodeDir, 'config.xml')}`], nodeDir, `ClickHouse shard ${s + 1} replica ${r + 1}`, join(nodeDir, 'log'), onCrash);
            managed.push(current);
            const m = current;
            const exited = () => (m.exited ? `clickhouse-server exited during start: ${tail(join(nodeDir, 'log', 'error.log'), 1000) || m.stderr}` : undefined);
            try {
              await waitFor(`ClickHouse shard ${s + 1} replica ${r + 1}`, async () => (await fetch(`${url}/ping`)).ok, 60_000, exited);
              // 18.16 answers /ping before its ZooKeeper session is up, and an ON CLUSTER query in that gap can crash
              // it: ready once it reads the DDL queue in ZooKeeper
              await waitFor(`ClickHouse shard ${s + 1} replica ${r + 1} in ZooKeeper`, async () => {
                const sql = "SELECT count() FROM system.zookeeper WHERE path = '/clickhouse/task_queue'";
                const res = await fetch(`${url}/?query=${encodeURIComponent(sql)}`);
                return res.ok && Number(await res.text()) > 0;
              }, 60_000, exited);
              return;
            } catch (error) {
              // a port of its own taken meanwhile by another process's connection: it is usually free again soon
              if (attempt === 3 || !/Address already in use/.test(String(error))) throw error;
              await new Promise((done) => setTimeout(done, 1000));
            }
          }
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
      crashes: () => [...crashes],
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
