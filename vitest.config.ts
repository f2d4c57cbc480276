import { defineConfig } from 'vitest/config';

// `unit` needs nothing running. The integration suite runs twice, once per ClickHouse engine users run:
// Debian's clickhouse-server 18.16 over HTTP, and ClickHouse 26 embedded in the test process (npm chdb).
// Each starts its own Kafka-protocol broker (and server) once for the run (test/support/global-setup.ts).
const integration = (engine: 'server' | 'embedded') => ({
  test: {
    name: `integration-${engine}`,
    include: ['test/integration/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/support/global-setup.ts'],
    provide: { engine },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // the simulations take ~3.5 s alone and shared the 2 cores with both integration projects on CI: 5 s
          // (vitest's default) timed one out there
          testTimeout: 30_000,
        },
      },
      integration('server'),
      integration('embedded'),
    ],
  },
});
