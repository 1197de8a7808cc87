/** The trained models as plain JSON: the classifier cache's body, and what a classifier thread starts from. */
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
