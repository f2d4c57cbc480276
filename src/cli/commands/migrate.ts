// `driftwatch migrate`: creates or upgrades the schema; safe to run again (and from several replicas).
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { migrate, storeFromConfig } from '../../store/index.js';
import { EXIT, type CliIO } from '../io.js';

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    io.out('usage: driftwatch migrate [--config FILE] [--json]');
    return EXIT.ok;
  }
  const config = loadConfig(io.env, values.config);
  const admin = storeFromConfig(config, 'default');
  const store = storeFromConfig(config);
  try {
    const report = await migrate(admin, store, new Date());
    if (values.json) io.out(JSON.stringify({ database: store.database, ...report }));
    else {
      for (const m of report.applied) io.out(`applied ${m.version}: ${m.name}`);
      io.out(`database ${store.database} is at version ${Math.max(0, ...report.applied.map((m) => m.version), ...report.alreadyApplied)}`);
    }
    return EXIT.ok;
  } finally {
    await admin.close();
    await store.close();
  }
}
