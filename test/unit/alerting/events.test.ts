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
});
