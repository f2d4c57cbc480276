// nccl-tests results (text table and `-J` JSON) → NcclRecords, one per size and placement.
import { canonicalCollective } from './nccl-common.js';
import type { NcclRecord } from './types.js';

export interface NcclTestsOptions {
  /** e.g. "all_reduce_perf" or "AllReduce"; the text output does not always name it */
  collective?: string;
  host?: string;
  /** epoch ms to stamp records with (the output has no times) */
  ts: number;
}

export interface NcclTestsResult {
  records: NcclRecord[];
  /** `# Avg bus bandwidth` footer, GB/s */
  avgBusbw: number | undefined;
  nranks: number;
  hosts: string[];
  errors: string[];
}

function num(token: string | undefined): number | null {
  if (token === undefined) return null;
  const n = Number(token);
  return token !== '' && Number.isFinite(n) ? n : null;
}

/** Parses nccl-tests' text output. Columns are found from the right so builds with and without `root` both work. */
export function parseNcclTestsText(text: string, opts: NcclTestsOptions): NcclTestsResult {
  const hosts: string[] = [];
  const errors: string[] = [];
  const records: NcclRecord[] = [];
  let avgBusbw: number | undefined;
  let collective = opts.collective ? canonicalCollective(opts.collective) : '';
  let ranks = 0;
  const rows: string[][] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const rank = /^#\s*Rank\s+\d+\s+(?:Group\s+\d+\s+)?Pid\s+\d+\s+on\s+(\S+)\s+device/.exec(line);
      if (rank) {
        ranks++;
        if (!hosts.includes(rank[1])) hosts.push(rank[1]);
      }
      const avg = /^#\s*Avg bus bandwidth\s*:\s*([\d.eE+-]+)/.exec(line);
      if (avg) avgBusbw = Number(avg[1]);
      const named = /(?:Collective test starting|Running test)\s*:?\s*([a-z_]+)/i.exec(line);
      if (named && !opts.collective) collective = canonicalCollective(named[1]);
      continue;
    }
    const tokens = line.split(/\s+/);
    if (!/^\d+$/.test(tokens[0])) continue; // tolerate banners and warnings
    rows.push(tokens);
  }
  const nranks = Math.max(ranks, 1);
  for (const tokens of rows) {
    // from the right: [time algbw busbw wrong] in-place, then the same out-of-place
    if (tokens.length < 8) {
      errors.push(`short row: ${tokens.join(' ')}`);
      continue;
    }
    const bytes = num(tokens[0]);
    const sets = tokens.length >= 11 ? [tokens.slice(-8, -4), tokens.slice(-4)] : [tokens.slice(-4)];
    const places = sets.length === 2 ? ['out-of-place', 'in-place'] : ['out-of-place'];
    sets.forEach((set, i) => {
      const [time, algbw, busbw] = set.map(num);
      if (bytes === null || time === null) {
        errors.push(`unreadable row: ${tokens.join(' ')}`);
        return;
      }
      records.push({
        source: 'nccl-tests',
        host: opts.host ?? hosts[0] ?? '',
        comm: `nccl-tests/${places[i]}`,
        rank: -1,
        nranks,
        collective: collective || 'unknown',
        bytes,
        time_us: time,
        algbw_gbs: algbw,
        busbw_gbs: busbw,
        ts: opts.ts,
      });
    });
  }
  return { records, avgBusbw, nranks, hosts, errors };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function pick(obj: Json, keys: string[]): unknown {
  for (const k of keys) if (obj[k] !== undefined) return obj[k];
  return undefined;
}

/** Parses nccl-tests `-J file.json`; throws Error when the document is not that shape. */
export function parseNcclTestsJson(text: string, opts: NcclTestsOptions & { nranks?: number }): NcclTestsResult {
  const doc: unknown = JSON.parse(text);
  if (!isObject(doc) || !Array.isArray(doc.results)) throw new Error('not an nccl-tests JSON result: no "results" array');
  const config = isObject(doc.config) ? doc.config : {};
  const named = pick(config, ['collective', 'coll', 'test', 'name', 'op']);
  const collective = canonicalCollective(opts.collective ?? (typeof named === 'string' ? named : 'unknown'));
  const configRanks = Number(pick(config, ['nranks', 'n_ranks', 'nRanks', 'ranks', 'world_size']));
  const nranks = opts.nranks ?? (Number.isInteger(configRanks) && configRanks > 0 ? configRanks : 1);
  const host = opts.host ?? String(pick(config, ['hostname', 'host']) ?? '');
  const records: NcclRecord[] = [];
  const errors: string[] = [];
  for (const row of doc.results) {
    if (!isObject(row)) continue;
    const bytes = Number(row.size);
    for (const place of ['out_of_place', 'in_place'] as const) {
      const perf = row[place];
      if (!isObject(perf)) continue;
      const time = Number(perf.time);
      if (!Number.isFinite(bytes) || !Number.isFinite(time)) {
        errors.push(`unreadable result for size ${String(row.size)}`);
        continue;
      }
      const alg = Number(perf.alg_bw);
      const bus = Number(perf.bus_bw);
      records.push({
        source: 'nccl-tests',
        host,
        comm: `nccl-tests/${place.replace(/_/g, '-')}`,
        rank: -1,
        nranks,
        collective,
        bytes,
        time_us: time,
        algbw_gbs: Number.isFinite(alg) ? alg : null,
        busbw_gbs: Number.isFinite(bus) ? bus : null,
        ts: opts.ts,
      });
    }
  }
  const avg = isObject(doc.average_bus_bandwidth) ? Number(doc.average_bus_bandwidth.bandwidth) : NaN;
  return { records, avgBusbw: Number.isFinite(avg) ? avg : undefined, nranks, hosts: host ? [host] : [], errors };
}
