// `bash scripts/cluster.sh`: a loopback ClickHouse cluster to point driftwatch at, until Ctrl-C. Prints the
// servers and the environment driftwatch needs (one JSON line).
import { startCluster } from './cluster.js';

const count = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1 || v > 8) throw new Error(`${name} must be 1..8`);
  return v;
};
const started = Date.now();
const cluster = await startCluster({ name: process.env.CLUSTER_NAME ?? 'driftwatch', shards: count('SHARDS', 2), replicas: count('REPLICAS', 2) });
process.stdout.write(`${JSON.stringify({
  started_ms: Date.now() - started,
  zookeeper: `127.0.0.1:${cluster.zookeeperPort}`,
  servers: cluster.nodes.map((n) => ({ shard: n.shard, replica: n.replica, http: n.url, tcp: n.tcpPort })),
  env: { DRIFTWATCH_CLICKHOUSE_URL: cluster.nodes[0].url, DRIFTWATCH_CLICKHOUSE_CLUSTER: cluster.name },
  dir: cluster.dir,
})}\n`);
const stop = () => void cluster.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
