// Composition root of the `driftwatch` CLI: picks the command, maps errors to exit codes.
import { DriftwatchError, InputError } from './domain/index.js';
import { EXIT, processIO, type CliIO, type Command } from './cli/io.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: Command }> }> = {
  serve: { summary: 'run the service: ingest, evaluation, alerting, HTTP API and /metrics', load: () => import('./cli/commands/serve.js') },
  migrate: { summary: 'create or upgrade the ClickHouse schema (idempotent)', load: () => import('./cli/commands/migrate.js') },
  baseline: { summary: 'baseline build: profile training data into a versioned baseline', load: () => import('./cli/commands/baseline.js') },
  drift: { summary: 'offline drift between a reference and a current file', load: () => import('./cli/commands/drift.js') },
  evaluate: { summary: 'evaluate or backfill closed windows from ClickHouse', load: () => import('./cli/commands/evaluate.js') },
  replay: { summary: 'backtest detection and alert policy on a recorded stream', load: () => import('./cli/commands/replay.js') },
  collect: { summary: 'collect dcgm|nvidia-smi|nccl once and print normalized samples', load: () => import('./cli/commands/collect.js') },
  report: { summary: 'self-contained HTML drift report, offline from two files or from ClickHouse', load: () => import('./cli/commands/report.js') },
  dashboards: { summary: 'dashboards build: write the Grafana dashboards as JSON for provisioning', load: () => import('./cli/commands/dashboards.js') },
  demo: { summary: 'run the whole pipeline on a local ClickHouse and broker', load: () => import('./cli/commands/demo.js') },
};

/** node:util parseArgs' errors (unknown option, missing value, stray argument): the caller's usage is wrong. */
function isUsageError(error: unknown): boolean {
  return error instanceof TypeError && /^ERR_PARSE_ARGS_/.test(String((error as NodeJS.ErrnoException).code));
}

function usage(io: CliIO): void {
  io.out('usage: driftwatch <command> [options]   (driftwatch <command> --help for its options)\n');
  for (const [name, c] of Object.entries(COMMANDS)) io.out(`  ${name.padEnd(10)} ${c.summary}`);
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    usage(io);
    return name ? EXIT.ok : EXIT.badInput;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`driftwatch: unknown command "${name}"; run driftwatch --help`);
    return EXIT.badInput;
  }
  try {
    const { run } = await command.load();
    return await run(rest, io);
  } catch (error) {
    if (error instanceof InputError || isUsageError(error)) {
      io.err(`driftwatch ${name}: ${(error as Error).message}${error instanceof InputError ? '' : `; run driftwatch ${name} --help`}`);
      return EXIT.badInput;
    }
    const message = error instanceof DriftwatchError || error instanceof Error ? error.message : String(error);
    io.err(`driftwatch ${name}: ${message}`);
    return EXIT.failed;
  }
}
