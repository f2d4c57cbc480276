#!/usr/bin/env bash
# Compiles the test/demo Kafka-protocol broker (librdkafka's mock cluster) into .tmp/bin/mock-kafka.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp/bin
if [ ! -x .tmp/bin/mock-kafka ] || [ scripts/mock-kafka.c -nt .tmp/bin/mock-kafka ]; then
  gcc -O2 -Wall -o .tmp/bin/mock-kafka scripts/mock-kafka.c -lrdkafka
fi
