// What the API needs from the rest of driftwatch, as small interfaces the service wires and tests fake.
import type { BaselineProfile } from '../baseline/index.js';

export interface BaselineSummary {
  model: string;
  version: string;
  /** RFC 3339: when it was uploaded or last activated */
  created_at: string;
  /** the model's active baseline: the one uploaded or activated last */
  active: boolean;
}

export interface BaselineCatalog {
  /** every stored baseline, or one model's, newest first */
  list(model?: string): Promise<BaselineSummary[]>;
  /** stores the profile and makes it the model's active baseline */
  save(profile: BaselineProfile, now: number): Promise<BaselineSummary>;
  /** makes a stored version active again; undefined when the model has no such version */
  activate(model: string, version: string, now: number): Promise<BaselineSummary | undefined>;
}
