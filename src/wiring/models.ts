// The models the evaluator watches: the YAML models file, then declarations saved from the API before a restart,
// then every id in DRIFTWATCH_MODELS not declared yet, with defaults. The file wins over a saved declaration (it is
// the operator's explicit configuration); a saved one wins over DRIFTWATCH_MODELS' defaults.
import { readFileSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { InputError } from '../domain/index.js';
import { ModelRegistry, declareModel, parseModelsYaml, readModel, type ModelDeclaration } from '../evaluate/index.js';

export interface ModelWiring {
  registry: ModelRegistry;
  /** saved API declarations now in force (those the models file did not replace) */
  restored: ModelDeclaration[];
  /** why a saved declaration was not restored */
  skipped: string[];
  /** ids the models file declares */
  fromFile: ReadonlySet<string>;
}

export function modelRegistry(config: Config, saved: readonly unknown[] = []): ModelWiring {
  const registry = new ModelRegistry();
  const fromFile = new Set<string>();
  if (config.evaluation.modelsFile) {
    let text: string;
    try {
      text = readFileSync(config.evaluation.modelsFile, 'utf8');
    } catch {
      throw new InputError(`models file not readable: ${config.evaluation.modelsFile}`);
    }
    for (const m of parseModelsYaml(text)) {
      registry.declare(m);
      fromFile.add(m.id);
    }
  }
  const restored: ModelDeclaration[] = [];
  const skipped: string[] = [];
  saved.forEach((raw, i) => {
    try {
      const m = readModel(raw, `saved model ${i}`);
      if (fromFile.has(m.id)) skipped.push(`model "${m.id}" declared through the API is replaced by the models file`);
      else {
        registry.declare(m);
        restored.push(m);
      }
    } catch (error) {
      skipped.push((error as Error).message);
    }
  });
  for (const id of config.ingest.models) if (!registry.get(id)) registry.declare(declareModel(id));
  return { registry, restored, skipped, fromFile };
}
