// BaselineCatalog over the ClickHouse `baselines` table (ReplacingMergeTree(created_at) per model+version):
// the active baseline of a model is the version with the newest created_at, so activating re-inserts a
// version with a created_at later than any of the model's — no extra table, and the evaluator reads the same rule.
import type { BaselineProfile } from '../baseline/index.js';
import { sqlString, type Store } from '../store/index.js';
import type { BaselineCatalog, BaselineSummary } from './ports.js';

interface Row { model: string; version: string; created_s: number | string }

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export class StoreBaselineCatalog implements BaselineCatalog {
  constructor(private readonly store: Store) {}

  async list(model?: string): Promise<BaselineSummary[]> {
    const where = model === undefined ? '' : `WHERE model = ${sqlString(model)}`;
    const rows = await this.store.query<Row>(
      `SELECT model, version, toUnixTimestamp(created_at) AS created_s FROM baselines FINAL ${where} ORDER BY model, created_s DESC, version DESC`);
    const seen = new Set<string>();
    return rows.map((r) => {
      const active = !seen.has(r.model);
      seen.add(r.model);
      return { model: r.model, version: r.version, created_at: iso(Number(r.created_s)), active };
    });
  }

  async save(profile: BaselineProfile, now: number): Promise<BaselineSummary> {
    const at = await this.nextCreatedAt(profile.model, now);
    await this.store.insert('baselines', [{ model: profile.model, version: profile.version, created_at: at, profile: JSON.stringify(profile) }]);
    return { model: profile.model, version: profile.version, created_at: iso(at), active: true };
  }

  async activate(model: string, version: string, now: number): Promise<BaselineSummary | undefined> {
    const rows = await this.store.query<{ profile: string }>(
      `SELECT profile FROM baselines FINAL WHERE model = ${sqlString(model)} AND version = ${sqlString(version)} LIMIT 1`);
    if (rows.length === 0) return undefined;
    const at = await this.nextCreatedAt(model, now);
    await this.store.insert('baselines', [{ model, version, created_at: at, profile: rows[0].profile }]);
    return { model, version, created_at: iso(at), active: true };
  }

  /** now in seconds, or one second past the model's newest baseline so the order never ties. */
  private async nextCreatedAt(model: string, now: number): Promise<number> {
    const rows = await this.store.query<{ newest: number | string }>(
      `SELECT toUnixTimestamp(max(created_at)) AS newest FROM baselines WHERE model = ${sqlString(model)}`);
    const newest = rows.length ? Number(rows[0].newest) : 0;
    return Math.max(Math.floor(now / 1000), newest + 1);
  }
}
