// Parsing of the timestamps and durations users write: RFC 3339 or an epoch number, and "1h"/"30m"/"7d".
import { InputError } from './index.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|([+-])(\d{2}):?(\d{2}))?$/i;

/** Epoch numbers below this are seconds, the rest milliseconds: 1e11 s is the year 5138, 1e11 ms is March 1973,
 *  so no plausible recent time is ambiguous. */
export const EPOCH_SECONDS_BELOW = 1e11;

function fromEpoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  return Math.trunc(n < EPOCH_SECONDS_BELOW ? n * 1000 : n);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Epoch ms from an RFC 3339 string or an epoch number/string (seconds below 1e11, else milliseconds); undefined
 *  when it is neither, or names a day or time that does not exist (2026-02-30, 24:00) rather than wrap it. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  if (/^\d{1,16}(\.\d{1,9})?$/.test(value)) return fromEpoch(Number(value));
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, , offH, offM] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59 || offH > 23 || offM > 59) return undefined;
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
