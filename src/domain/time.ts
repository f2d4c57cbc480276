// Parsing of the timestamps and durations users write: RFC 3339 or epoch ms, and "1h"/"30m"/"7d".
import { InputError } from './index.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch ms from an RFC 3339 string or an epoch-ms number/string; undefined when it is neither. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.trunc(value) : undefined;
  if (typeof value !== 'string') return undefined;
  if (/^\d{10,16}$/.test(value)) return Number(value);
  if (!RFC3339.test(value)) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds from a duration such as "90s", "15m", "1h", "7d". */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new InputError(`invalid duration "${text}": use a number and a unit (ms, s, m, h, d, w), e.g. 1h`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString();
}
