// `driftwatch serve [--config driftwatch.yaml]`: runs until SIGTERM/SIGINT, then drains and exits 0 — within
// DRIFTWATCH_SHUTDOWN_TIMEOUT_MS whatever state ClickHouse and Kafka are in.
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { startService } from '../../service.js';
import { jsonLogger } from '../../telemetry/log.js';
import { EXIT, type CliIO } from '../io.js';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    io.out('usage: driftwatch serve [--config driftwatch.yaml]   (settings: DRIFTWATCH_* environment variables, see README)');
    return EXIT.ok;
  }
  const config = loadConfig(io.env, values.config);
  const logger = jsonLogger(config.logLevel);
  const signalled = new Promise<'signal'>((resolve) => {
    process.once('SIGTERM', () => resolve('signal'));
    process.once('SIGINT', () => resolve('signal'));
  });
  const starting = startService(config, logger);
  const first = await Promise.race([starting, signalled]);
  if (first === 'signal') {
    // Stopped while starting (e.g. a broker that does not answer yet): nothing was committed, so nothing is lost.
    logger.log('info', 'service_stopped_while_starting', {});
    exitSoon();
    return EXIT.ok;
  }
  await signalled;
  const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs).unref());
  const stopped = first.stop().then(() => 'stopped' as const, (error: Error) => {
    logger.log('error', 'service_stop_failed', { error: error.message });
    return 'failed' as const;
  });
  if ((await Promise.race([stopped, deadline])) === 'timeout') logger.log('error', 'shutdown_deadline_passed', { timeout_ms: config.shutdownTimeoutMs });
  exitSoon();
  return EXIT.ok;
}

/** A stop requested by a signal always ends the process, even if a client library still holds a socket open. */
function exitSoon(): void {
  setTimeout(() => process.exit(EXIT.ok), 1_000).unref();
}
