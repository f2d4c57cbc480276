// `driftwatch collect dcgm|nvidia-smi|nccl --once` — reads one GPU or NCCL source and prints what driftwatch
// would store, as JSON lines (--json) or readable lines, so operators can debug a source in isolation.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import {
  DcgmCollector, TargetList, parseSmiCsv, queryNvidiaSmi, readNcclInput, parseExposition, dcgmSamples,
  type GpuSample, type NcclRecord, type NcclCommunicator,
} from '../../collectors/index.js';
import { InputError } from '../../domain/index.js';
import { parseDuration } from '../../domain/time.js';
import { EXIT, type CliIO } from '../io.js';

const USAGE = `usage:
  driftwatch collect dcgm --target URL [--target URL…] [--targets-file FILE] [--timeout 5s] --once [--json]
  driftwatch collect dcgm --input FILE (saved exposition text) --once [--json]
  driftwatch collect nvidia-smi [--input FILE (captured CSV)] [--bin PATH] [--host NAME] [--utc-offset MINUTES] --once [--json]
  driftwatch collect nccl --input FILE_OR_DIR [--collective NAME] [--host NAME] --once [--json]`;

const OPTIONS = {
  target: { type: 'string', multiple: true },
  'targets-file': { type: 'string' },
  timeout: { type: 'string' },
  input: { type: 'string' },
  bin: { type: 'string' },
  host: { type: 'string' },
  'utc-offset': { type: 'string' },
  collective: { type: 'string' },
  once: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new InputError(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  const source = positionals[0];
  if (!source || positionals.length > 1) throw new InputError(`expected one source (dcgm, nvidia-smi, nccl)\n${USAGE}`);
  if (!values.once) throw new InputError('continuous collection runs inside `driftwatch serve`; pass --once to read the source once');
  switch (source) {
    case 'dcgm': return collectDcgm(values, io);
    case 'nvidia-smi': return collectSmi(values, io);
    case 'nccl': return collectNccl(values, io);
    default: throw new InputError(`unknown source "${source}" (dcgm, nvidia-smi, nccl)`);
  }
}

async function readInput(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
}

function printSamples(samples: GpuSample[], io: CliIO, json: boolean | undefined): void {
  for (const s of samples) {
    if (json) io.out(JSON.stringify({ source: s.source, host: s.host, gpu: s.gpu, uuid: s.uuid, metric: s.metric, value: s.value, labels: s.labels, ts: s.ts }));
    else io.out(`${new Date(s.ts).toISOString()} ${s.host} gpu=${s.gpu || '-'} ${s.metric}=${s.value}${Object.keys(s.labels).length ? ` ${JSON.stringify(s.labels)}` : ''}`);
  }
}

async function collectDcgm(values: Values, io: CliIO): Promise<number> {
  if (values.input) {
    const expo = parseExposition(await readInput(values.input));
    const samples = dcgmSamples(expo, { ts: Date.now(), host: values.host ?? hostname() });
    if (!samples.length) throw new InputError(`${values.input}: no DCGM samples${expo.errors[0] ? ` (line ${expo.errors[0].line}: ${expo.errors[0].message})` : ''}`);
    printSamples(samples, io, values.json);
    for (const e of expo.errors.slice(0, 5)) io.err(`line ${e.line}: ${e.message} (skipped)`);
    return EXIT.ok;
  }
  const targets = values.target ?? [];
  if (!targets.length && !values['targets-file']) throw new InputError('give --target URL (repeatable), --targets-file FILE or --input FILE');
  if (values['targets-file']) await readInput(values['targets-file']);
  const timeoutMs = values.timeout ? parseDuration(values.timeout) : 5_000;
  const list = new TargetList(targets, values['targets-file']);
  const current = await list.current();
  if (list.lastError) throw new InputError(`targets file ${values['targets-file']}: ${list.lastError}`);
  if (!current.length) throw new InputError('no targets to scrape');
  let printed: GpuSample[] = [];
  const collector = new DcgmCollector({ targets: list, intervalMs: 60_000, timeoutMs, onSamples: (s) => void (printed = s) });
  const results = await collector.scrapeAll();
  printSamples(printed.filter((s) => s.source !== 'collector' || s.metric === 'up'), io, values.json);
  const failed = results.filter((r) => !r.up);
  for (const r of failed) io.err(`cannot scrape ${r.target}: ${r.error}`);
  if (failed.length === results.length) throw new InputError(failed.length === 1 ? `cannot scrape ${failed[0].target}: ${failed[0].error}` : `all ${failed.length} targets failed`);
  return failed.length ? EXIT.failed : EXIT.ok;
}

async function collectSmi(values: Values, io: CliIO): Promise<number> {
  const host = values.host ?? hostname();
  const offset = values['utc-offset'] !== undefined ? Number(values['utc-offset']) : 0;
  if (!Number.isFinite(offset)) throw new InputError('--utc-offset must be minutes east of UTC, e.g. 60 or -300');
  if (values.input) {
    const { samples, errors } = parseSmiCsv(await readInput(values.input), { host, utcOffsetMinutes: offset, now: Date.now() });
    if (!samples.length) throw new InputError(`${values.input}: no nvidia-smi samples${errors[0] ? ` (line ${errors[0].line}: ${errors[0].message})` : ''}`);
    printSamples(samples, io, values.json);
    for (const e of errors.slice(0, 5)) io.err(`line ${e.line}: ${e.message} (skipped)`);
    return EXIT.ok;
  }
  let result;
  try {
    result = await queryNvidiaSmi({ bin: values.bin, host });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError(err.code === 'ENOENT' ? `${values.bin ?? 'nvidia-smi'} not found (no NVIDIA driver here? use --input FILE)` : `nvidia-smi failed: ${err.message}`);
  }
  if (!result.samples.length) throw new InputError(`nvidia-smi printed no samples${result.errors[0] ? ` (${result.errors[0]})` : ''}`);
  printSamples(result.samples, io, values.json);
  return EXIT.ok;
}

function printRecords(records: NcclRecord[], io: CliIO, json: boolean | undefined): void {
  for (const r of records) {
    if (json) io.out(JSON.stringify({ source: r.source, host: r.host, comm: r.comm, rank: r.rank, nranks: r.nranks, collective: r.collective, bytes: r.bytes, time_us: r.time_us, algbw_gbs: r.algbw_gbs, busbw_gbs: r.busbw_gbs, ts: r.ts }));
    else io.out(`${r.host || '-'} ${r.collective} ${r.bytes} B nranks=${r.nranks} time=${r.time_us ?? '-'} us algbw=${r.algbw_gbs ?? '-'} busbw=${r.busbw_gbs ?? '-'} GB/s`);
  }
}

function printComm(c: NcclCommunicator, io: CliIO, json: boolean | undefined): void {
  if (json) io.out(JSON.stringify({ source: 'nccl-debug', communicator: { host: c.host, pid: c.pid, comm: c.comm, comm_id: c.commId, rank: c.rank, nranks: c.nranks, nnodes: c.nnodes ?? null, cuda_dev: c.cudaDev, bus_id: c.busId, init_complete: c.initComplete, network: c.network ?? null, ib_unavailable: c.ibUnavailable, transports: c.transports } }));
  else io.out(`comm ${c.comm} on ${c.host}: rank ${c.rank}/${c.nranks}, network ${c.network ?? '?'}, transports ${JSON.stringify(c.transports)}`);
}

async function collectNccl(values: Values, io: CliIO): Promise<number> {
  if (!values.input) throw new InputError('give --input FILE_OR_DIR (nccl-tests output, Inspector dump, NCCL_DEBUG log)');
  const inputs = await readNcclInput(values.input, { collective: values.collective, host: values.host });
  const known = inputs.filter((i) => i.parsed);
  if (!known.length) throw new InputError(`${values.input}: not an NCCL output this collector reads (nccl-tests, Inspector JSONL/Prometheus, NCCL_DEBUG=INFO)`);
  for (const { parsed } of known) {
    for (const c of parsed!.comms) printComm(c, io, values.json);
    printRecords(parsed!.records, io, values.json);
  }
  for (const { path, parsed } of inputs) {
    if (!parsed) io.err(`${path}: unrecognized format (skipped)`);
    else for (const e of parsed.errors.slice(0, 5)) io.err(`${path}: ${e} (skipped)`);
  }
  return EXIT.ok;
}
