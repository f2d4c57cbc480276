// `driftwatch baseline build`: profiles training data into a versioned baseline (JSON file or ClickHouse row).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InputError } from '../../domain/index.js';
import { buildBaseline, formatOf, readTable, type BaselineProfile, type SegmentOptions } from '../../baseline/index.js';
import { openStore } from '../../store/index.js';
import { EXIT, type CliIO } from '../io.js';
import { categoricalList } from './drift.js';

const USAGE = `usage: driftwatch baseline build --input train.(csv|jsonl) --model ID [--categorical a,b] [--label COL]
                                [--prediction COL] [--version V] (--out baseline.json | --store)
                                [--segments COL[,COL] [--segment-top 10] [--segment-min-rows 500]]
  Columns are numeric unless listed in --categorical or their first value is not a number.
  JSONL prediction messages default to --label label --prediction prediction when those fields are present.
  --store saves into ClickHouse table baselines (DRIFTWATCH_* settings, as for serve).
  --segments: per categorical column, its top values by rows (each with at least --segment-min-rows rows) and the
  other rows together (__other__) get profiles of their own; live and in drift --segments each segment is then
  compared with its own profile (a value without one, with the whole model's).`;

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
        segments: { type: 'string' },
        'segment-top': { type: 'string' },
        'segment-min-rows': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n${USAGE}`);
  }
}

/** `, segments country=DE,US,__other__` when the baseline profiles segments. */
function segmentNote(profile: BaselineProfile): string {
  const s = Object.entries(profile.segments ?? {}).map(([column, p]) => `${column}=${Object.keys(p.values).join(',') || '(none with enough rows)'}`);
  return s.length ? `, segments ${s.join(' ')}` : '';
}

/** JSON without NaN/Infinity (JSON has none): metrics that are undefined for the data become null. */
export function baselineJson(profile: BaselineProfile): string {
  return JSON.stringify(profile, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value));
}

function whole(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--${flag} must be a whole number ≥ 1, got "${text}"`);
  return n;
}

/** --segments COL[,COL] with --segment-top and --segment-min-rows (refused without --segments). */
export function segmentFlags(segments: string | undefined, top: string | undefined, minRows: string | undefined): SegmentOptions | undefined {
  const columns = (segments ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (columns.length === 0) {
    if (top !== undefined || minRows !== undefined) throw new InputError('--segment-top and --segment-min-rows need --segments');
    return undefined;
  }
  return { columns, top: whole(top, 'segment-top'), minRows: whole(minRows, 'segment-min-rows') };
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
  const segments = segmentFlags(values.segments, values['segment-top'], values['segment-min-rows']);
  // a segment column is categorical whatever its values look like (a model version "3")
  const kinds = new Map([...categoricalList(values.categorical), ...(segments?.columns ?? []).map((c) => [c, 'categorical' as const] as const)]);
  const table = await readTable(values.input, { kinds });
  const defaultColumn = (name: string) => (format === 'jsonl' && table.columns.has(name) ? name : undefined);
  const profile = buildBaseline(table, {
    model: values.model,
    createdAt: Date.now(),
    version: values.version,
    label: values.label ?? defaultColumn('label'),
    prediction: values.prediction ?? defaultColumn('prediction'),
    segments,
  });
  const json = baselineJson(profile);
  if (values.out) {
    await writeFile(values.out, json);
    io.out(`baseline ${profile.model}@${profile.version}: ${profile.rows} rows, ${Object.keys(profile.features).length} features${profile.quality ? `, ${profile.quality.task} quality` : ''}${segmentNote(profile)} -> ${values.out}`);
    return EXIT.ok;
  }
  const store = openStore(io.env, values.config);
  try {
    await store.insert('baselines', [{ model: profile.model, version: profile.version, created_at: Math.floor(Date.parse(profile.created_at) / 1000), profile: json }]);
  } finally {
    await store.close();
  }
  io.out(`baseline ${profile.model}@${profile.version}: ${profile.rows} rows, ${Object.keys(profile.features).length} features${segmentNote(profile)} -> ClickHouse ${store.database}.baselines`);
  return EXIT.ok;
}
