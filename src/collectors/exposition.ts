// Prometheus text exposition (format 0.0.4, plus the OpenMetrics bits dcgm-exporter and NCCL Inspector emit) → samples.
// Hand-written: no maintained npm parser handles missing HELP/TYPE, spaces after commas and bad lines without throwing.
// Never throws: a line it cannot read is skipped and reported in `errors`.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** epoch ms when the line carries a timestamp */
  timestampMs?: number;
}

export interface ExpositionError {
  line: number;
  message: string;
}

export interface Exposition {
  samples: ExpositionSample[];
  /** from `# TYPE` lines; absent names are untyped */
  types: Map<string, MetricType>;
  help: Map<string, string>;
  errors: ExpositionError[];
  lines: number;
}

const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown']);
const MAX_ERRORS = 100;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseExposition(text: string): Exposition {
  const out: Exposition = { samples: [], types: new Map(), help: new Map(), errors: [], lines: 0 };
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (lineEnd > start) {
      const problem = parseLine(text, start, lineEnd, out);
      out.lines++;
      if (problem !== undefined && out.errors.length < MAX_ERRORS) out.errors.push({ line: lineNo, message: problem });
    }
    if (end === text.length) break;
    start = end + 1;
  }
  return out;
}

/** Parses a sample value the way Prometheus does (NaN, ±Inf, decimal floats); undefined when it is not one. */
export function parseValue(token: string): number | undefined {
  if (NUMBER.test(token)) return Number(token);
  switch (token.toLowerCase()) {
    case 'nan': return NaN;
    case '+inf': case 'inf': return Infinity;
    case '-inf': return -Infinity;
    default: return undefined;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function skipSpaces(text: string, i: number, end: number): number {
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function scanName(text: string, i: number, end: number): number {
  if (i >= end || !isNameStart(text.charCodeAt(i))) return i;
  i++;
  while (i < end && isNameChar(text.charCodeAt(i))) i++;
  return i;
}

/** Reads a double-quoted string starting at text[i] === '"'; returns [value, index after the closing quote] or undefined. */
function scanQuoted(text: string, i: number, end: number): [string, number] | undefined {
  let j = i + 1;
  let simple = true;
  while (j < end) {
    const c = text.charCodeAt(j);
    if (c === 34) break;
    if (c === 92) {
      simple = false;
      j += 2;
      continue;
    }
    j++;
  }
  if (j >= end) return undefined;
  const raw = text.slice(i + 1, j);
  if (simple) return [raw, j + 1];
  return [raw.replace(/\\(.)/g, (_m, ch: string) => (ch === 'n' ? '\n' : ch)), j + 1];
}

function parseComment(text: string, start: number, end: number, out: Exposition): string | undefined {
  let i = skipSpaces(text, start + 1, end);
  const kwEnd = scanName(text, i, end);
  const keyword = text.slice(i, kwEnd);
  if (keyword !== 'HELP' && keyword !== 'TYPE') return undefined; // plain comment, or OpenMetrics "# EOF"/"# UNIT"
  i = skipSpaces(text, kwEnd, end);
  const nameEnd = scanName(text, i, end);
  if (nameEnd === i) return `# ${keyword} without a metric name`;
  const name = text.slice(i, nameEnd);
  const rest = text.slice(skipSpaces(text, nameEnd, end), end).trim();
  if (keyword === 'HELP') {
    out.help.set(name, rest);
    return undefined;
  }
  const type = rest.toLowerCase();
  if (!TYPES.has(type)) return `unknown metric type "${rest}"`;
  out.types.set(name, type === 'unknown' ? 'untyped' : (type as MetricType));
  return undefined;
}

function parseLine(text: string, start: number, end: number, out: Exposition): string | undefined {
  let i = skipSpaces(text, start, end);
  if (i >= end) return undefined;
  if (text.charCodeAt(i) === 35) return parseComment(text, i, end, out);

  let name = '';
  const nameEnd = scanName(text, i, end);
  if (nameEnd > i) {
    name = text.slice(i, nameEnd);
    i = nameEnd;
  } else if (text.charCodeAt(i) !== 123) {
    return 'expected a metric name';
  }
  const labels: Record<string, string> = {};
  i = skipSpaces(text, i, end);
  if (i < end && text.charCodeAt(i) === 123) {
    i++;
    for (;;) {
      i = skipSpaces(text, i, end);
      if (i >= end) return 'unterminated label set';
      const c = text.charCodeAt(i);
      if (c === 125) {
        i++;
        break;
      }
      let labelName: string;
      if (c === 34) {
        // UTF-8 names (Prometheus 3): a quoted name alone inside braces is the metric name
        const q = scanQuoted(text, i, end);
        if (!q) return 'unterminated quoted name';
        labelName = q[0];
        i = skipSpaces(text, q[1], end);
        if (i < end && text.charCodeAt(i) !== 61) {
          if (name) return 'two metric names';
          name = labelName;
          if (text.charCodeAt(i) === 44) i++;
          continue;
        }
      } else {
        const ln = scanName(text, i, end);
        if (ln === i) return `bad label name at column ${i - start + 1}`;
        labelName = text.slice(i, ln);
        i = skipSpaces(text, ln, end);
      }
      if (i >= end || text.charCodeAt(i) !== 61) return `expected "=" after label ${labelName}`;
      i = skipSpaces(text, i + 1, end);
      if (i >= end || text.charCodeAt(i) !== 34) return `expected a quoted value for label ${labelName}`;
      const v = scanQuoted(text, i, end);
      if (!v) return `unterminated value for label ${labelName}`;
      if (!(labelName in labels)) labels[labelName] = v[0];
      i = skipSpaces(text, v[1], end);
      if (i < end && text.charCodeAt(i) === 44) i++;
      else if (i < end && text.charCodeAt(i) !== 125) return `expected "," or "}" after label ${labelName}`;
    }
  }
  if (!name) return 'sample without a metric name';
  i = skipSpaces(text, i, end);
  let tokEnd = i;
  while (tokEnd < end && !isSpace(text.charCodeAt(tokEnd))) tokEnd++;
  if (tokEnd === i) return `no value for ${name}`;
  const value = parseValue(text.slice(i, tokEnd));
  if (value === undefined) return `bad value "${text.slice(i, Math.min(tokEnd, i + 40))}" for ${name}`;
  const sample: ExpositionSample = { name, labels, value };
  i = skipSpaces(text, tokEnd, end);
  if (i < end && text.charCodeAt(i) !== 35) {
    let tsEnd = i;
    while (tsEnd < end && !isSpace(text.charCodeAt(tsEnd))) tsEnd++;
    const ts = Number(text.slice(i, tsEnd));
    if (!/^-?\d+(\.\d+)?$/.test(text.slice(i, tsEnd)) || !Number.isFinite(ts)) return `bad timestamp for ${name}`;
    sample.timestampMs = Math.trunc(ts);
    i = skipSpaces(text, tsEnd, end);
    if (i < end && text.charCodeAt(i) !== 35) return `trailing text after sample ${name}`;
  }
  // anything from "#" on is an OpenMetrics exemplar: ignored
  out.samples.push(sample);
  return undefined;
}
