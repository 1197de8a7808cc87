/** The trained models as JSON: the classifier cache's body (compiled-network.ts lays out each network). */
import { readFileSync } from 'node:fs';
import { type NetworkJson, networkFromJson, networkToJson } from './compiled-network.js';
import type { TrainedModels } from './model.js';

/** Version of the JSON layout (part of the cache key: a cache of another layout is retrained, not misread). */
export const MODELS_JSON_VERSION = 3;

/** The trained models as JSON. */
export interface ModelsJson {
  intent: NetworkJson;
  service: NetworkJson;
  vocabulary: string[];
  /** Bare service name → service id. */
  names: Array<[string, string]>;
}

/** The models as JSON. */
export function modelsToJson(models: TrainedModels): ModelsJson {
  return { intent: networkToJson(models.intent), service: networkToJson(models.service), vocabulary: [...models.vocabulary], names: [...models.names] };
}

/** The models back from their JSON. */
export function modelsFromJson(json: ModelsJson): TrainedModels {
  return { intent: networkFromJson(json.intent), service: networkFromJson(json.service), vocabulary: new Set(json.vocabulary), names: new Map(json.names) };
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
