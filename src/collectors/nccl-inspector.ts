// NCCL Inspector profiler-plugin output → NcclRecords: its JSON Lines dumps and its Prometheus textfiles.
import { parseExposition } from './exposition.js';
import { busbwFactor, canonicalCollective } from './nccl-common.js';
import type { NcclRecord } from './types.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

/**
 * One Inspector JSON line → a record; undefined for lines that are not a completed collective or p2p op
 * (blank lines, other record kinds). Throws on text that is not JSON so the tailer can count it.
 */
export function parseInspectorLine(line: string, fallbackTs: number): NcclRecord | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  const doc: unknown = JSON.parse(text);
  if (!isObject(doc)) return undefined;
  const header = isObject(doc.header) ? doc.header : {};
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const coll = isObject(doc.coll_perf) ? doc.coll_perf : undefined;
  const p2p = isObject(doc.p2p_perf) ? doc.p2p_perf : undefined;
  const perf = coll ?? p2p;
  if (!perf) return undefined;
  const prefix = coll ? 'coll' : 'p2p';
  const name = String(perf[prefix] ?? (coll ? 'unknown' : 'SendRecv'));
  const dumpUs = finite(meta.dump_timestamp_us);
  const bytes = finite(perf[`${prefix}_msg_size_bytes`]);
  if (bytes === null) return undefined;
  return {
    source: 'nccl-inspector',
    host: String(meta.hostname ?? ''),
    comm: String(header.comm_name || header.id || ''),
    rank: finite(header.rank) ?? -1,
    nranks: finite(header.n_ranks) ?? 0,
    collective: canonicalCollective(name),
    bytes,
    time_us: finite(perf[`${prefix}_exec_time_us`]),
    algbw_gbs: finite(perf[`${prefix}_algobw_gbs`]),
    busbw_gbs: finite(perf[`${prefix}_busbw_gbs`]),
    ts: dumpUs !== null ? Math.floor(dumpUs / 1000) : fallbackTs,
  };
}

export interface InspectorParse {
  records: NcclRecord[];
  errors: Array<{ line: number; message: string }>;
}

/** A whole JSONL text (e.g. one dump file); bad lines are counted, never fatal. */
export function parseInspectorJsonl(text: string, fallbackTs: number): InspectorParse {
  const records: NcclRecord[] = [];
  const errors: InspectorParse['errors'] = [];
  text.split('\n').forEach((line, i) => {
    try {
      const r = parseInspectorLine(line, fallbackTs);
      if (r) records.push(r);
    } catch (e) {
      if (errors.length < 100) errors.push({ line: i + 1, message: e instanceof Error ? e.message : String(e) });
    }
  });
  return { records, errors };
}

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** Inspector's `message_size="4-5GB"` (also "512-1023B", "1GB") → the range's lower bound in bytes. */
export function messageSizeBytes(label: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)(?:\s*-\s*\d+(?:\.\d+)?)?\s*([KMGT]?i?B)\s*$/i.exec(label);
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2].toUpperCase().replace('I', '')];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** Inspector's Prometheus textfile (no HELP/TYPE) → records joining bus bandwidth and exec time per label set. */
export function parseInspectorProm(text: string, ts: number): InspectorParse {
  const expo = parseExposition(text);
  const byKey = new Map<string, { labels: Record<string, string>; busbw?: number; time?: number; ts?: number }>();
  for (const s of expo.samples) {
    if (s.name !== 'nccl_bus_bandwidth_gbs' && s.name !== 'nccl_collective_exec_time_microseconds') continue;
    const key = JSON.stringify(Object.keys(s.labels).sort().map((k) => [k, s.labels[k]]));
    const entry = byKey.get(key) ?? { labels: s.labels };
    if (s.name === 'nccl_bus_bandwidth_gbs') entry.busbw = s.value;
    else entry.time = s.value;
    if (s.timestampMs !== undefined) entry.ts = s.timestampMs;
    byKey.set(key, entry);
  }
  const records: NcclRecord[] = [];
  const errors = expo.errors.map((e) => ({ line: e.line, message: e.message }));
  for (const { labels: l, busbw, time, ts: sampleTs } of byKey.values()) {
    const bytes = messageSizeBytes(l.message_size ?? '');
    if (bytes === undefined) {
      errors.push({ line: 0, message: `unreadable message_size "${l.message_size ?? ''}"` });
      continue;
    }
    const collective = canonicalCollective(l.collective ?? 'unknown');
    const nranks = Number(l.nranks ?? l.n_ranks ?? 0) || 0;
    const factor = busbwFactor(collective, nranks);
    records.push({
      source: 'nccl-inspector-prom',
      host: l.node ?? l.hostname ?? '',
      comm: l.comm_name ?? '',
      rank: -1,
      nranks,
      collective,
      bytes,
      time_us: time ?? null,
      algbw_gbs: busbw !== undefined && factor ? busbw / factor : null,
      busbw_gbs: busbw ?? null,
      ts: sampleTs ?? ts,
    });
  }
  return { records, errors };
}
