// In-memory stand-ins for the API's ports: a baseline catalog and a writer that keeps what it was given.
import type { BaselineProfile } from '../../../src/baseline/index.js';
import type { BaselineCatalog, BaselineSummary } from '../../../src/api/ports.js';
import type { BatchWriter } from '../../../src/ingest/writer.js';

export class MemoryBaselineCatalog implements BaselineCatalog {
  readonly rows: Array<{ model: string; version: string; at: number }> = [];

  async list(model?: string): Promise<BaselineSummary[]> {
    const mine = this.rows.filter((r) => model === undefined || r.model === model).sort((a, b) => b.at - a.at);
    const newest = new Map<string, number>();
    for (const r of mine) if (!newest.has(r.model)) newest.set(r.model, r.at);
    return mine.map((r) => ({ model: r.model, version: r.version, created_at: new Date(r.at).toISOString(), active: newest.get(r.model) === r.at }));
  }

  async save(profile: BaselineProfile, now: number): Promise<BaselineSummary> {
    this.rows.push({ model: profile.model, version: profile.version, at: now });
    return { model: profile.model, version: profile.version, created_at: new Date(now).toISOString(), active: true };
  }

  async activate(model: string, version: string, now: number): Promise<BaselineSummary | undefined> {
    const row = this.rows.find((r) => r.model === model && r.version === version);
    if (!row) return undefined;
    row.at = now;
    return { model, version, created_at: new Date(now).toISOString(), active: true };
  }
}

export function recordingWriter(): BatchWriter & { batches: unknown[] } {
  const batches: unknown[] = [];
  return { batches, submit: async (b: unknown) => { batches.push(b); return { refused: [] }; } } as unknown as BatchWriter & { batches: unknown[] };
}

/** A minimal valid baseline profile (schema_version 1) for model/version. */
export function profile(model: string, version: string): Record<string, unknown> {
  return {
    schema_version: 1, model, version, created_at: '2026-11-01T00:00:00.000Z', source: null, rows: 3,
    features: { country: { kind: 'categorical', count: 3, missing: 0, missing_rate: 0, frequencies: { DE: 2, FR: 1 } } },
    prediction: null, label: null, quality: null,
  };
}
