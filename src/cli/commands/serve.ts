// `driftwatch serve [--config driftwatch.yaml]`: runs until SIGTERM/SIGINT, then drains and exits 0.
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
  const service = await startService(config, logger);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await service.stop();
  return EXIT.ok;
}
