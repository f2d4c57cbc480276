#!/usr/bin/env bash
# A throw-away ClickHouse cluster on loopback, to try driftwatch on one (tests and bench:cluster start their own):
# Debian's ZooKeeper standalone, then SHARDS × REPLICAS (default 2 × 2) clickhouse-server processes with {shard} /
# {replica} macros, the cluster CLUSTER_NAME (default driftwatch) in <remote_servers> and <distributed_ddl>.
# ClickHouse starts only once ZooKeeper answers. Prints the servers and the DRIFTWATCH_* variables; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null && [ -f /usr/share/java/zookeeper.jar ] || { echo "cluster: ZooKeeper missing: run scripts/setup.sh" >&2; exit 1; }
exec node --import tsx src/local/cluster-main.ts
