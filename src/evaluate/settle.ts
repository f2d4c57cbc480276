// When a window's predictions have all arrived. A row is visible to readers some seconds after its ingested_at
// (batching, inserts, replicas' clocks): `settleMs` bounds that. The rule, in whole seconds of ingested_at:
//   - a closed window is evaluated only once none of its rows was ingested within the last settleMs, so a backlog
//     still being ingested (a stall catching up) is waited for instead of evaluated half-way;
//   - after an evaluation at E, a row ingested at or after E − settleMs cannot have been seen by it (every row it
//     saw was older), so such a row makes the window due again — results only, like late labels; the sequential
//     tests saw the window once. That covers a stall that lasted past grace + settle.
import { sqlDateTime, sqlString } from '../store/sql.js';

/** Newest ingestion (epoch s) per window start (epoch s) of `model` over [from, to), optionally only rows ingested since. */
export function ingestionByWindowSql(model: string, windowMs: number, from: number, to: number, ingestedSince?: number): string {
  const w = Math.floor(windowMs / 1000);
  return `SELECT toUInt32(intDiv(toUInt32(ts), ${w}) * ${w}) AS window_start, toUInt32(max(ingested_at)) AS at FROM predictions
    WHERE model = ${sqlString(model)} AND ts >= ${sqlDateTime(from)} AND ts < ${sqlDateTime(to)}${ingestedSince === undefined ? '' : ` AND ingested_at >= ${sqlDateTime(ingestedSince)}`}
    GROUP BY window_start`;
}

/** The first window (in order) whose rows are still arriving at `now`; windows from it on wait. */
export function unsettledFrom(starts: readonly number[], newest: ReadonlyMap<number, number>, now: number, settleMs: number): number {
  const quietSince = Math.floor((now - settleMs) / 1000) * 1000;
  const i = starts.findIndex((s) => (newest.get(s) ?? -Infinity) >= quietSince);
  return i < 0 ? starts.length : i;
}

/** Whether a row ingested at `at` (epoch ms, whole seconds) is newer than anything an evaluation at `evaluatedAt` saw. */
export function unseenBy(at: number, evaluatedAt: number, settleMs: number): boolean {
  return at >= Math.floor((evaluatedAt - settleMs) / 1000) * 1000;
}
