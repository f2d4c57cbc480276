// `driftwatch evaluate`: evaluates (or re-evaluates, for a backfill) every closed window of a range from ClickHouse
// with the live evaluator's code, and stores the results as the service does.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseBaseline, type BaselineProfile } from '../../baseline/index.js';
import { InputError } from '../../domain/index.js';
import { parseDuration, parseTimestamp } from '../../domain/time.js';
import { Evaluator, ModelRegistry, declareModel, fixedBaselines, jsonLines, parseModelsYaml, storedBaselines, type ModelDeclaration } from '../../evaluate/index.js';
import { loadConfig } from '../../config/index.js';
import { storeFromConfig } from '../../store/index.js';
import { EXIT, type CliIO } from '../io.js';

const USAGE = `usage: driftwatch evaluate --model ID --from T --to T [--json] [--baseline FILE] [--window 1h] [--models models.yaml] [--config FILE]
  Evaluates every window [start, start + window) that overlaps [--from, --to) (RFC 3339 or epoch ms) and has ended, and stores the
  results in drift_results, like the service. The model comes from --models (a YAML "models:" list) or is declared
  here (--window, default 1h); its baseline from --baseline FILE or the baselines table (latest version unless pinned).
  --json prints one line per (window, feature) and one per window with "feature": null holding quality and label_coverage.
  KS is computed from a binned CDF counted by ClickHouse (256–512 grid cells, split at every PSI decile): the exact D lies in
  [ks_statistic, ks_upper_bound], widened by the baseline's own ks_bound when it kept quantiles, not the sample.`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean' },
        baseline: { type: 'string' },
        window: { type: 'string' },
        models: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n${USAGE}`);
  }
}

function time(value: string | undefined, name: string): number {
  if (value === undefined) throw new InputError(`--${name} is required\n${USAGE}`);
  const ms = parseTimestamp(value);
  if (ms === undefined) throw new InputError(`--${name} must be RFC 3339 or epoch ms, got "${value}"`);
  return ms;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new InputError(`${what} not readable: ${path}`);
  }
}

async function modelFrom(values: ReturnType<typeof parse>, id: string): Promise<ModelDeclaration> {
  if (values.models) {
    const declared = parseModelsYaml(await readText(values.models, 'models file')).find((m) => m.id === id);
    if (!declared) throw new InputError(`model "${id}" is not declared in ${values.models}`);
    return values.window ? { ...declared, windowMs: parseDuration(values.window) } : declared;
  }
  return declareModel(id, values.window ? { windowMs: parseDuration(values.window) } : {});
}

const fmt = (x: number | null) => (x === null ? '-' : x.toFixed(4));

export async function run(argv: string[], io: CliIO): Promise<number> {
  const values = parse(argv);
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (!values.model) throw new InputError(`--model is required\n${USAGE}`);
  const from = time(values.from, 'from');
  const to = time(values.to, 'to');
  if (to <= from) throw new InputError('--to must be after --from');
  const model = await modelFrom(values, values.model);
  if (model.windowMs < 1000 || model.windowMs % 1000 !== 0) throw new InputError('--window must be a whole number of seconds');
  let profile: BaselineProfile | undefined;
  if (values.baseline) {
    profile = parseBaseline(JSON.parse(await readText(values.baseline, 'baseline file')) as unknown, values.baseline);
    if (profile.model !== model.id) throw new InputError(`${values.baseline} is the baseline of model "${profile.model}", not "${model.id}"`);
  }
  const now = Date.now();
  const first = Math.floor(from / model.windowMs) * model.windowMs;
  const starts: number[] = [];
  if ((to - first) / model.windowMs > 100_000) throw new InputError('more than 100000 windows in that range; evaluate a shorter range at a time');
  // windows that overlap [from, to) and have ended
  for (let s = first; s < to && s + model.windowMs <= now; s += model.windowMs) starts.push(s);
  const config = loadConfig(io.env, values.config);
  const store = storeFromConfig(config);
  try {
    const evaluator = new Evaluator({ store, models: new ModelRegistry([model]), baselines: profile ? fixedBaselines([profile]) : storedBaselines(store), judge: false, multivariateSampleRows: config.evaluation.multivariateSampleRows });
    for (const start of starts) {
      const e = await evaluator.evaluateWindow(model.id, start, start + model.windowMs);
      if (values.json) for (const line of jsonLines(e)) io.out(JSON.stringify(line));
      else {
        const worst = [...e.features].sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1))[0];
        io.out(`${new Date(start).toISOString()}  rows ${e.rows}  ${worst ? `max PSI ${fmt(worst.psi)} (${worst.feature})` : 'no features'}  accuracy ${fmt(e.quality.accuracy)}  label coverage ${fmt(e.quality.labelCoverage)}`);
      }
    }
  } finally {
    await store.close();
  }
  if (!values.json) io.err(`evaluated ${starts.length} window(s) of ${model.id} (${model.windowMs / 1000}s each); results in drift_results`);
  return EXIT.ok;
}
