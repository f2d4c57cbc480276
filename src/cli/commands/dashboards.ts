// `driftwatch dashboards build`: writes the Grafana dashboards (dashboards/*.ts) as JSON for provisioning;
// --check only compares, so CI fails when the committed JSON lags the code.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { InputError } from '../../domain/index.js';
import { DASHBOARDS, GENERATED_DIR, buildDashboards, fileName, staleDashboards } from '../../../dashboards/index.js';
import { EXIT, type CliIO } from '../io.js';

const USAGE = `usage: driftwatch dashboards build [--out DIR] [--check] [--json]
  --out DIR  where to write the JSON (default: dashboards/generated, what Grafana provisioning mounts)
  --check    write nothing; exit 1 when a file in DIR is missing or differs from the code`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' }, check: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1 || positionals[0] !== 'build') throw new InputError(`expected the subcommand "build"\n${USAGE}`);
  const dir = values.out ? resolve(values.out) : GENERATED_DIR;
  if (values.check) {
    const stale = staleDashboards(dir);
    if (values.json) io.out(JSON.stringify({ dir, dashboards: DASHBOARDS.length, stale }));
    else if (stale.length) io.err(`stale dashboards in ${dir}: ${stale.join(', ')}; run driftwatch dashboards build`);
    else io.out(`${DASHBOARDS.length} dashboards in ${dir} are up to date`);
    return stale.length ? EXIT.failed : EXIT.ok;
  }
  const files = buildDashboards(dir);
  if (values.json) io.out(JSON.stringify({ dir, files: DASHBOARDS.map(fileName) }));
  else for (const f of files) io.out(`wrote ${f}`);
  return EXIT.ok;
}
