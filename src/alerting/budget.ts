// The false-page budget: "at most one false page per N days across everything" → a threshold per stream.
//
// Each stream's detector has an average run length to a false alarm ARL0 ≥ A windows (detect/sequential.ts),
// so under no real drift it raises at a long-run rate ≤ 1/A per window. Rates add over streams whatever
// their dependence, so with S streams and A = S × (N days / window length) the whole system expects at most
// one false page per N days. A page is a model incident (incident.ts), which opens only when one of its streams
// raises, so false pages ≤ false raises: the budget holds per model incident as stated. New streams beyond the
// declared count spend budget: declare with headroom.
import { InputError } from '../domain/index.js';

export interface FalsePageBudget {
  /** at most one false page per this many days, across all streams */
  days: number;
  /** streams watched: models × (features + metrics) */
  streams: number;
  /** window length in ms */
  windowMs: number;
}

export const DEFAULT_FALSE_PAGE_DAYS = 30;

/** Per-stream ARL0 in windows. */
export function streamArl0(budget: FalsePageBudget): number {
  const { days, streams, windowMs } = budget;
  if (!(days > 0) || !Number.isFinite(days)) throw new InputError(`false-page budget must be a positive number of days, got ${days}`);
  if (!Number.isInteger(streams) || streams < 1) throw new InputError(`stream count must be a positive integer, got ${streams}`);
  if (!(windowMs > 0)) throw new InputError(`window must be positive, got ${windowMs} ms`);
  const windowsPerBudget = (days * 86_400_000) / windowMs;
  return Math.max(1, streams * windowsPerBudget);
}

/** Expected false pages per day for the whole system given per-stream ARL0 (the inverse, for reports). */
export function expectedFalsePagesPerDay(arl0: number, streams: number, windowMs: number): number {
  return (streams * (86_400_000 / windowMs)) / arl0;
}
