#!/usr/bin/env bash
# The one test command (README, .ci/run): types, lint, then every unit and integration test.
# Integration tests start their own ClickHouse and Kafka-protocol broker (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint src test bench
echo "== tests"; npx vitest run "$@"
