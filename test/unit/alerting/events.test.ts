import { describe, expect, it } from 'vitest';
import { AlertBook, ClickHouseAlertEventStore } from '../../../src/alerting/index.js';
import type { Store } from '../../../src/store/index.js';
import { decision } from './decisions.js';

describe('alert_events rows', () => {
  it('inserts each transition with unix-second at, ms, and the whole event as JSON', async () => {
    const inserted: Array<{ table: string; rows: Record<string, unknown>[] }> = [];
    const store: Store = { engine: 'server',
      database: 'driftwatch',
      insert: async (table, rows) => void inserted.push({ table, rows }),
      query: async () => [],
      command: async () => undefined,
      close: async () => undefined,
      ping: async () => true,
    } as Store;
    const e = new AlertBook().record(decision('raised', 3))!;
    await new ClickHouseAlertEventStore(store).append([e]);
    await new ClickHouseAlertEventStore(store).append([]);
    expect(inserted).toHaveLength(1);
    expect(inserted[0].table).toBe('alert_events');
    expect(inserted[0].rows[0]).toMatchObject({
      at: Math.floor(e.at / 1000), at_ms: e.at, alert_id: e.alertId, model: 'fraud', feature: 'amount',
      kind: 'feature_drift', status: 'firing', statistic: 'psi', value: 0.31, reason: 'PSI above tolerance 0.1',
    });
    expect(JSON.parse(String(inserted[0].rows[0].payload))).toEqual(e);
  });

  it('appends a transition once: a retried insert or a new owner re-judging a window stores nothing twice', async () => {
    const rows: Record<string, unknown>[] = [];
    const queries: string[] = [];
    const store = {
      engine: 'server', database: 'driftwatch',
      insert: async (_table: string, r: Record<string, unknown>[]) => void rows.push(...r),
      // what ClickHouse would answer: the stored rows of the alert ids the query names
      query: async (sql: string) => (queries.push(sql), rows.filter((r) => sql.includes(`'${String(r.alert_id)}'`)).map((r) => ({ alert_id: r.alert_id, status: r.status, at_ms: String(r.at_ms) }))),
    } as unknown as Store;
    const events = new ClickHouseAlertEventStore(store);
    const book = new AlertBook();
    const fired = book.record(decision('raised', 3))!;
    await events.append([fired]);
    await events.append([fired]); // the answer to the first insert was lost: retried
    const resolved = book.record(decision('resolved', 4))!;
    await events.append([resolved, resolved]);
    expect(rows.map((r) => r.status)).toEqual(['firing', 'resolved']);
    expect(queries[0]).toMatch(/WHERE model IN \('fraud'\) AND alert_id IN \('dw-[0-9a-f]+'\)/);
  });
});
