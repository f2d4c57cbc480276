// `driftwatch report`: one self-contained HTML drift report, offline from two files (same statistics as
// `driftwatch drift`) or from what the service stored in ClickHouse for one model over a time range.
import { parseArgs } from 'node:util';
import { formatOf, kindsOf, readTable } from '../../baseline/index.js';
import { InputError } from '../../domain/index.js';
import { parseTimestamp } from '../../domain/time.js';
import { offlineReport, writeReport, type ReportModel } from '../../report/index.js';
import { DEFAULT_DRIFT_RULE, type DriftRule } from '../../stats/index.js';
import { openStore } from '../../store/index.js';
import { EXIT, type CliIO } from '../io.js';
import { categoricalList, loadReference } from './drift.js';

const USAGE = `usage: driftwatch report --out report.html
         (--reference (FILE | baseline.json) --current FILE [--categorical a,b] [--alpha 0.05] [--psi-threshold 0.1]
          | --model ID [--from TIME] [--to TIME] [--config FILE])
  Offline: the statistics and drift rule of \`driftwatch drift\`, with baseline vs current charts per column.
  --model: drift results, alerts, quality and label coverage the service stored in ClickHouse (DRIFTWATCH_*
  settings, as for serve); TIME is RFC 3339 or epoch ms, default the last 7 days.
  Writes one HTML file (inline SVG, no network fetches) and prints its path.`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        reference: { type: 'string' },
        current: { type: 'string' },
        categorical: { type: 'string' },
        alpha: { type: 'string' },
        'psi-threshold': { type: 'string' },
        model: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        config: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n${USAGE}`);
  }
}

function positive(text: string | undefined, fallback: number, flag: string, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0 && value < max)) throw new InputError(`--${flag} must be a number in (0, ${max}), got "${text}"`);
  return value;
}

function time(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseTimestamp(text);
  if (ms === undefined) throw new InputError(`--${flag} must be RFC 3339 (2026-01-31T12:00:00Z) or epoch ms, got "${text}"`);
  return ms;
}

async function offline(values: ReturnType<typeof parse>, rule: DriftRule, now: number): Promise<ReportModel> {
  formatOf(values.current!);
  const reference = await loadReference(values.reference!, categoricalList(values.categorical));
  const current = await readTable(values.current!, { kinds: kindsOf(reference), columns: new Set(reference.columns.keys()), countTypeMismatches: true });
  return offlineReport(reference, current, { rule, generatedAt: now });
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const values = parse(argv);
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (!values.out) throw new InputError(`--out FILE is required\n${USAGE}`);
  const offlineMode = values.reference !== undefined || values.current !== undefined;
  if (offlineMode === (values.model !== undefined)) throw new InputError(`give either --reference and --current, or --model\n${USAGE}`);
  const rule: DriftRule = {
    alpha: positive(values.alpha, DEFAULT_DRIFT_RULE.alpha, 'alpha', 1),
    psiThreshold: positive(values['psi-threshold'], DEFAULT_DRIFT_RULE.psiThreshold, 'psi-threshold', Infinity),
  };
  const now = Date.now();
  let written: Awaited<ReturnType<typeof writeReport>>;
  if (offlineMode) {
    if (!values.reference || !values.current) throw new InputError(`--reference and --current go together\n${USAGE}`);
    written = await writeReport(values.out, await offline(values, rule, now));
  } else {
    const store = openStore(io.env, values.config);
    try {
      written = await writeReport(values.out, { store, model: values.model!, from: time(values.from, 'from'), to: time(values.to, 'to'), now, rule });
    } finally {
      await store.close();
    }
  }
  const drifted = written.model.features.filter((f) => f.drifted).length;
  io.out(`report: ${written.path} (${Math.ceil(written.bytes / 1024)} KiB; ${drifted} of ${written.model.features.length} features drifted)`);
  return EXIT.ok;
}
