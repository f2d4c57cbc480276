// A Store that answers the report's queries from a scenario's rows, as ClickHouse's JSONEachRow would (UInt64 as
// strings, DateTime read through toUInt32), and records every SQL text it was sent. Aggregates over predictions
// are answered empty: they are checked against the real ClickHouse in test/integration/report-browser.test.ts.
import type { Store } from '../../../src/store/index.js';
import type { Scenario } from './scenario.js';

export function fakeStore(s: Scenario): Store & { sql: string[] } {
  const sql: string[] = [];
  return {
    database: 'fake',
    engine: 'server',
    sql,
    async insert() {},
    async command() {},
    async ping() {
      return true;
    },
    async close() {},
    async query<T>(text: string): Promise<T[]> {
      sql.push(text);
      if (/FROM drift_results/.test(text)) {
        return s.driftResults.map((r) => ({ ...r, start: r.window_start, end: r.window_end, n: String(r.n) })) as T[];
      }
      if (/FROM alert_events/.test(text)) return s.alertEvents.map((r) => ({ ...r, at_ms: String(r.at_ms) })) as T[];
      if (/FROM baselines/.test(text)) return [{ version: s.baseline.version, profile: JSON.stringify(s.baseline) }] as T[];
      return [];
    },
  };
}
