// The state replicas share, in ClickHouse's shared_state (migration 6): one JSON body per (kind, key), the highest
// version wins. Kinds: 'stream' (a model's evidence, alerts and undelivered notifications; versioned by the
// owner's epoch), 'model' (declared through the API), 'silence', 'ack' (an acknowledgement for the model's owner).
import type { Store } from '../store/client.js';
import { sqlString } from '../store/sql.js';

export type SharedKind = 'stream' | 'model' | 'silence' | 'ack';

export interface SharedRecord<T = unknown> {
  kind: SharedKind;
  key: string;
  version: number;
  epoch: number;
  deleted: boolean;
  body: T;
}

/** Bits of a stream version below the epoch: 16M writes per ownership term (a term ends at every rebalance). */
export const SEQ_BITS = 24;
const SEQ_SPAN = 2 ** SEQ_BITS;

/** A stream record's version: the owner's epoch first, then its own write counter within that term. */
export function streamVersion(epoch: number, seq: number): number {
  if (!(seq >= 0 && seq < SEQ_SPAN)) throw new RangeError(`write ${seq} of one ownership term is past ${SEQ_SPAN}`);
  return epoch * SEQ_SPAN + seq;
}

export function epochOfVersion(version: number): number {
  return Math.floor(version / SEQ_SPAN);
}

export class SharedState {
  constructor(private readonly store: Store, private readonly clock: () => number = Date.now) {}

  /** The newest record of every key of `kind` (or of the given keys); deleted ones too unless `live`. */
  async read<T>(kind: SharedKind, keys?: readonly string[], live = false): Promise<Array<SharedRecord<T>>> {
    if (keys && keys.length === 0) return [];
    // 64-bit numbers as strings: current ClickHouse returns them as JSON numbers otherwise
    // aliases differ from the columns: an alias named like a column would replace it inside the other aggregates
    const rows = await this.store.query<{ k: string; v: string; e: string; d: number | string; b: string }>(
      `SELECT key AS k, toString(max(version)) AS v, toString(argMax(epoch, version)) AS e, argMax(deleted, version) AS d,
              argMax(body, version) AS b
       FROM shared_state WHERE kind = ${sqlString(kind)}${keys ? ` AND key IN (${keys.map(sqlString).join(', ')})` : ''}
       GROUP BY key${live ? ' HAVING d = 0' : ''}`,
    );
    return rows.map((r) => ({ kind, key: r.k, version: Number(r.v), epoch: Number(r.e), deleted: Number(r.d) === 1, body: JSON.parse(r.b) as T }));
  }

  /** One insert: ClickHouse applies a block of rows atomically, so a model's state never lands half-written. */
  async write(records: ReadonlyArray<Omit<SharedRecord, 'deleted'> & { deleted?: boolean }>): Promise<void> {
    if (records.length === 0) return;
    const at = Math.floor(this.clock() / 1000);
    await this.store.insert('shared_state', records.map((r) => ({
      kind: r.kind, key: r.key, version: r.version, epoch: r.epoch, deleted: r.deleted ? 1 : 0, written_at: at, body: JSON.stringify(r.body),
    })));
  }
}
