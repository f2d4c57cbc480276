// The models the evaluator watches: the YAML models file, plus every id in DRIFTWATCH_MODELS with defaults.
import { readFileSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { InputError } from '../domain/index.js';
import { ModelRegistry, declareModel, parseModelsYaml } from '../evaluate/index.js';

export function modelRegistry(config: Config): ModelRegistry {
  const registry = new ModelRegistry();
  if (config.evaluation.modelsFile) {
    let text: string;
    try {
      text = readFileSync(config.evaluation.modelsFile, 'utf8');
    } catch {
      throw new InputError(`models file not readable: ${config.evaluation.modelsFile}`);
    }
    for (const m of parseModelsYaml(text)) registry.declare(m);
  }
  for (const id of config.ingest.models) if (!registry.get(id)) registry.declare(declareModel(id));
  return registry;
}
