#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, then types, lint, and every unit and
# integration test. Integration tests start their own ClickHouse, Kafka-protocol broker, Alertmanager and
# Prometheus on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint src test bench dashboards
echo "== generated dashboards are current"; node bin/driftwatch.js dashboards build --check
echo "== tests"; npx vitest run "$@"
