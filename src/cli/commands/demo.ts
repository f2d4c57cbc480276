// `driftwatch demo [--hours 48] [--drift-at 30] [--sigmas 0.8] [--out .driftwatch-demo] [--clickhouse URL] [--json]`
import { parseArgs } from 'node:util';
import { InputError } from '../../domain/index.js';
import { runDemo } from '../../demo/run.js';
import { EXIT, type CliIO } from '../io.js';

function positive(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`--${name} must be a positive number, got "${text}"`);
  return n;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { hours: { type: 'string' }, 'drift-at': { type: 'string' }, sigmas: { type: 'string' }, out: { type: 'string' }, clickhouse: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    io.out('usage: driftwatch demo [--hours 48] [--drift-at 30] [--sigmas 0.8] [--out .driftwatch-demo] [--clickhouse http://HOST:8123] [--json]');
    io.out('  the embedded ClickHouse (in this process) unless --clickhouse names a server');
    return EXIT.ok;
  }
  const hours = Math.round(positive(values.hours, 'hours', 48));
  const driftAtHour = Math.round(positive(values['drift-at'], 'drift-at', Math.round(hours * 0.6)));
  if (driftAtHour >= hours) throw new InputError('--drift-at must be before the end (--hours)');
  const result = await runDemo({
    outDir: values.out ?? '.driftwatch-demo',
    hours,
    driftAtHour,
    driftSigmas: positive(values.sigmas, 'sigmas', 0.8),
    ...(values.clickhouse ? { clickhouse: values.clickhouse } : {}),
    say: values.json ? (line) => io.err(line) : (line) => io.out(line),
  });
  if (values.json) io.out(JSON.stringify({ produced: result.produced, stored: result.stored, dead_letters: result.deadLetters, windows: result.windows.length, alerts: result.alerts, report: result.reportPath }));
  return EXIT.ok;
}
