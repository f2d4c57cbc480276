// Where the evaluator gets a model's baseline: the baselines table (latest version unless the model pins one)
// or profiles given up front (--baseline FILE). Plans are cached per (model, version).
import { parseBaseline, type BaselineProfile } from '../baseline/index.js';
import { InputError } from '../domain/index.js';
import type { Store } from '../store/client.js';
import { sqlString } from '../store/sql.js';
import type { ModelDeclaration } from './models.js';

export interface BaselineSource {
  /** The profile to evaluate `model` against; throws InputError when there is none. */
  baselineFor(model: ModelDeclaration): Promise<BaselineProfile>;
}

/** Profiles given up front, by model id (the pinned version must match when a model pins one). */
export function fixedBaselines(profiles: readonly BaselineProfile[]): BaselineSource {
  const byModel = new Map(profiles.map((p) => [p.model, p]));
  return {
    async baselineFor(model) {
      const p = byModel.get(model.id);
      if (!p) throw new InputError(`no baseline given for model "${model.id}"`, 'no_baseline');
      if (model.baselineVersion !== null && p.version !== model.baselineVersion) {
        throw new InputError(`model "${model.id}" pins baseline ${model.baselineVersion}, the file holds ${p.version}`, 'no_baseline');
      }
      return p;
    },
  };
}

/** Baselines stored by `driftwatch baseline build --store`: newest created_at wins unless the model pins a version. */
export function storedBaselines(store: Store): BaselineSource {
  const cache = new Map<string, BaselineProfile>();
  return {
    async baselineFor(model) {
      const pin = model.baselineVersion !== null ? ` AND version = ${sqlString(model.baselineVersion)}` : '';
      const [latest] = await store.query<{ version: string }>(
        `SELECT version FROM baselines FINAL WHERE model = ${sqlString(model.id)}${pin} ORDER BY created_at DESC, version DESC LIMIT 1`,
      );
      if (!latest) throw new InputError(`no baseline for model "${model.id}"${pin ? ` version ${model.baselineVersion}` : ''} in the baselines table; run driftwatch baseline build --store`, 'no_baseline');
      const key = `${model.id}\u0000${latest.version}`;
      let profile = cache.get(key);
      if (!profile) {
        const [row] = await store.query<{ profile: string }>(
          `SELECT profile FROM baselines FINAL WHERE model = ${sqlString(model.id)} AND version = ${sqlString(latest.version)} LIMIT 1`,
        );
        profile = parseBaseline(JSON.parse(row.profile) as unknown, `baseline ${model.id}@${latest.version}`);
        cache.set(key, profile);
      }
      return profile;
    },
  };
}
