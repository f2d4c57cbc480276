// `driftwatch baseline build`: profiles training data into a versioned baseline (JSON file or ClickHouse row).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InputError } from '../../domain/index.js';
import { buildBaseline, formatOf, readTable, type BaselineProfile } from '../../baseline/index.js';
import { openStore } from '../../store/index.js';
import { EXIT, type CliIO } from '../io.js';
import { categoricalList } from './drift.js';

const USAGE = `usage: driftwatch baseline build --input train.(csv|jsonl) --model ID [--categorical a,b] [--label COL]
                                [--prediction COL] [--version V] (--out baseline.json | --store)
  Columns are numeric unless listed in --categorical or their first value is not a number.
  JSONL prediction messages default to --label label --prediction prediction when those fields are present.
  --store saves into ClickHouse table baselines (DRIFTWATCH_* settings, as for serve).`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        input: { type: 'string' },
        model: { type: 'string' },
        categorical: { type: 'string' },
        label: { type: 'string' },
        prediction: { type: 'string' },
        version: { type: 'string' },
        out: { type: 'string' },
        store: { type: 'boolean' },
        config: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n${USAGE}`);
  }
}

/** JSON without NaN/Infinity (JSON has none): metrics that are undefined for the data become null. */
export function baselineJson(profile: BaselineProfile): string {
  return JSON.stringify(profile, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value));
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help || positionals[0] === 'help') {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1 || positionals[0] !== 'build') throw new InputError(`expected "baseline build"\n${USAGE}`);
  if (!values.input) throw new InputError(`--input is required\n${USAGE}`);
  if (!values.model) throw new InputError(`--model is required\n${USAGE}`);
  if (!values.out === !values.store) throw new InputError(`give exactly one of --out FILE or --store\n${USAGE}`);
  const format = formatOf(values.input);
  const table = await readTable(values.input, { kinds: categoricalList(values.categorical) });
  const defaultColumn = (name: string) => (format === 'jsonl' && table.columns.has(name) ? name : undefined);
  const profile = buildBaseline(table, {
    model: values.model,
    createdAt: Date.now(),
    version: values.version,
    label: values.label ?? defaultColumn('label'),
    prediction: values.prediction ?? defaultColumn('prediction'),
  });
  const json = baselineJson(profile);
  if (values.out) {
    await writeFile(values.out, json);
    io.out(`baseline ${profile.model}@${profile.version}: ${profile.rows} rows, ${Object.keys(profile.features).length} features${profile.quality ? `, ${profile.quality.task} quality` : ''} -> ${values.out}`);
    return EXIT.ok;
  }
  const store = openStore(io.env, values.config);
  try {
    await store.insert('baselines', [{ model: profile.model, version: profile.version, created_at: Math.floor(Date.parse(profile.created_at) / 1000), profile: json }]);
  } finally {
    await store.close();
  }
  io.out(`baseline ${profile.model}@${profile.version}: ${profile.rows} rows, ${Object.keys(profile.features).length} features -> ClickHouse ${store.database}.baselines`);
  return EXIT.ok;
}
