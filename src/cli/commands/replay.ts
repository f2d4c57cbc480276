// `driftwatch replay` — backtest the detection and alert policy on a recorded stream of predictions,
// offline: one line per alert event (JSON with --json), a summary on stderr.
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { expectedFalsePagesPerDay } from '../../alerting/budget.js';
import { InputError } from '../../domain/index.js';
import { parseDuration, toRfc3339 } from '../../domain/time.js';
import { DEFAULT_POLICY, parsePolicyYaml, readLabelLines, readReferences, replayJsonLines, replayLine } from '../../replay/index.js';
import { EXIT, type CliIO } from '../io.js';

const USAGE = `usage: driftwatch replay --baseline baseline.json --input stream.jsonl [--labels labels.jsonl] [--window 1h]
         [--label-coverage 0.9] [--label-horizon 7d] [--policy policy.yaml] [--json]
  --input -           reads the stream from stdin; messages must be ordered by timestamp
  --labels FILE       label messages; each one's timestamp is when it arrived (any order in the file)
  --label-coverage    a window's accuracy is judged once this share of its predictions is labelled…
  --label-horizon     …or this long after its end, whichever comes first (as a model's label_coverage/label_horizon)`;

const OPTIONS = {
  baseline: { type: 'string' },
  input: { type: 'string' },
  window: { type: 'string' },
  policy: { type: 'string' },
  labels: { type: 'string' },
  'label-coverage': { type: 'string' },
  'label-horizon': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (e) {
    throw new InputError(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (!values.baseline || !values.input) throw new InputError(`--baseline and --input are required\n${USAGE}`);
  const windowMs = parseDuration(values.window ?? '1h');
  let rawBaseline: unknown;
  try {
    rawBaseline = JSON.parse(await readText(values.baseline, 'baseline'));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`baseline ${values.baseline} is not JSON`);
  }
  const references = readReferences(rawBaseline);
  const policy = values.policy ? parsePolicyYaml(await readText(values.policy, 'policy')) : DEFAULT_POLICY;

  let input: NodeJS.ReadableStream;
  if (values.input === '-') input = process.stdin;
  else {
    await access(values.input).catch((e: NodeJS.ErrnoException) => {
      throw new InputError(`cannot read input ${values.input}: ${e.code ?? String(e)}`);
    });
    input = createReadStream(values.input, 'utf8');
  }
  const coverage = values['label-coverage'] === undefined ? undefined : Number(values['label-coverage']);
  if (coverage !== undefined && !(coverage > 0 && coverage <= 1)) throw new InputError(`--label-coverage must be a share in (0, 1], got ${values['label-coverage']}`);
  const labelHorizonMs = parseDuration(values['label-horizon'] ?? '7d');
  const labels = values.labels ? await readLabelLines((await readText(values.labels, 'labels')).split('\n')) : [];
  const lines = createInterface({ input, crlfDelay: Infinity });
  const summary = await replayJsonLines(lines, {
    references,
    policy,
    windowMs,
    labels: { labelHorizonMs, ...(coverage !== undefined ? { labelCoverage: coverage } : {}) },
    onEvent: (e) => {
      if (e.status === 'acknowledged') return;
      const line = replayLine(e);
      io.out(values.json ? JSON.stringify(line) : `${line.at}  ${line.status.toUpperCase().padEnd(8)} ${line.model}/${line.feature}  ${line.statistic}=${line.value.toFixed(4)}  ${line.reason}`);
    },
  }, labels);
  const perDay = expectedFalsePagesPerDay(summary.arl0, summary.streams, windowMs);
  const firing = summary.events.filter((e) => e.status === 'firing').length;
  io.err(
    `replayed ${summary.messages} messages in ${summary.windows} windows of ${values.window ?? '1h'}: ${firing} alerts fired, ` +
    `${summary.events.filter((e) => e.status === 'resolved').length} resolved; per-stream ARL0 ${Math.round(summary.arl0)} windows ` +
    `over ${summary.streams} streams (≤ ${perDay.toPrecision(2)} false pages/day overall)` +
    (summary.late ? `; ${summary.late} messages arrived after their window closed and were skipped` : '') +
    (summary.labels.judged + summary.labels.unlabelled + summary.labels.judgedAtEnd
      ? `; quality of ${summary.labels.judged} windows judged once labelled, ${summary.labels.unlabelled} never labelled (not judged)` +
        (summary.labels.judgedAtEnd ? `, ${summary.labels.judgedAtEnd} judged at the end of the recording with the labels they had` : '')
      : '') +
    (summary.labels.unmatched ? `; ${summary.labels.unmatched} labels matched no prediction` : '') +
    (summary.unknownModel ? `; ${summary.unknownModel} messages were for models not in the baseline` : '') +
    (summary.events.length ? `; last event ${toRfc3339(summary.events[summary.events.length - 1].at)}` : ''),
  );
  return EXIT.ok;
}
