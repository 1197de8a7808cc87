/** The trained models as plain JSON: the classifier cache's body, and what a classifier thread starts from. */
import { readFileSync } from 'node:fs';
import { newNetwork, type TrainedModels } from './model.js';

/** The trained models as JSON. */
export interface ModelsJson {
  intent: unknown;
  service: unknown;
  vocabulary: string[];
}

/** The models as JSON. */
export function modelsToJson(models: TrainedModels): ModelsJson {
  return { intent: models.intent.toJSON(), service: models.service.toJSON(), vocabulary: [...models.vocabulary] };
}

/** The models back from their JSON. */
export function modelsFromJson(json: ModelsJson): TrainedModels {
  const intent = newNetwork();
  intent.fromJSON(json.intent);
  const service = newNetwork();
  service.fromJSON(json.service);
  return { intent, service, vocabulary: new Set(json.vocabulary) };
}

/** The models of a cache file written under `key`, or undefined when the file is missing, unreadable or of another key. */
export function readModelsFile(file: string, key: string): TrainedModels | undefined {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as ModelsJson & { key?: string };
    return json.key === key ? modelsFromJson(json) : undefined;
  } catch {
    return undefined;
  }
}

/** The trained models, or the cache file a thread can read them from without this thread parsing them. */
export type ModelSource = { models: TrainedModels } | { file: string; key: string };
