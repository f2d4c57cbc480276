// Recognizes which NCCL output a text is and parses it with the right reader.
import { parseInspectorJsonl, parseInspectorProm } from './nccl-inspector.js';
import { parseNcclDebugLog, type NcclCommunicator } from './nccl-debug.js';
import { parseNcclTestsJson, parseNcclTestsText } from './nccl-tests.js';
import type { NcclRecord } from './types.js';

export type NcclFormat = 'nccl-tests-json' | 'nccl-tests-text' | 'inspector-jsonl' | 'inspector-prom' | 'nccl-debug';

export function detectNcclFormat(text: string): NcclFormat | undefined {
  const head = text.slice(0, 64 * 1024);
  const firstChar = head.trimStart()[0];
  if (firstChar === '{' && /"results"\s*:/.test(head) && !/\}\s*\n\s*\{/.test(head)) return 'nccl-tests-json';
  if (firstChar === '{' && /"(coll_perf|p2p_perf|header)"\s*:/.test(head)) return 'inspector-jsonl';
  if (/\bnccl_(bus_bandwidth_gbs|collective_exec_time_microseconds)\b/.test(head)) return 'inspector-prom';
  if (/ NCCL (INFO|WARN) /.test(head)) return 'nccl-debug';
  if (/#\s*Avg bus bandwidth|out-of-place|#\s*nThread/.test(head)) return 'nccl-tests-text';
  return undefined;
}

export interface NcclParsed {
  format: NcclFormat;
  records: NcclRecord[];
  comms: NcclCommunicator[];
  errors: string[];
}

export interface NcclParseOptions {
  ts: number;
  collective?: string;
  host?: string;
}

/** Parses any supported NCCL output; undefined when the text is none of them. */
export function parseNcclText(text: string, opts: NcclParseOptions): NcclParsed | undefined {
  const format = detectNcclFormat(text);
  switch (format) {
    case undefined:
      return undefined;
    case 'nccl-tests-json': {
      const r = parseNcclTestsJson(text, opts);
      return { format, records: r.records, comms: [], errors: r.errors };
    }
    case 'nccl-tests-text': {
      const r = parseNcclTestsText(text, opts);
      return { format, records: r.records, comms: [], errors: r.errors };
    }
    case 'inspector-jsonl': {
      const r = parseInspectorJsonl(text, opts.ts);
      return { format, records: r.records, comms: [], errors: r.errors.map((e) => `line ${e.line}: ${e.message}`) };
    }
    case 'inspector-prom': {
      const r = parseInspectorProm(text, opts.ts);
      return { format, records: r.records, comms: [], errors: r.errors.map((e) => `line ${e.line}: ${e.message}`) };
    }
    case 'nccl-debug': {
      const r = parseNcclDebugLog(text, opts);
      return { format, records: r.calls, comms: r.comms, errors: [] };
    }
  }
}
