#!/usr/bin/env bash
# Installs everything driftwatch's tests and demo need on Debian: the real servers and node modules.
# Idempotent: skips what is already there. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v clickhouse-server >/dev/null || need+=(clickhouse-server clickhouse-client)
[ -f /usr/include/librdkafka/rdkafka_mock.h ] || need+=(librdkafka-dev)
command -v prometheus >/dev/null || need+=(prometheus)
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
command -v gcc >/dev/null || need+=(gcc)
command -v chromium >/dev/null || need+=(chromium)   # the report's browser test (playwright-core drives it)
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)   # the ClickHouse cluster tests (ON CLUSTER, replication)
command -v java >/dev/null || need+=(default-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
bash scripts/build-broker.sh
