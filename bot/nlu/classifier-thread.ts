/**
 * The classifier thread's entry (started by threaded-classifier.ts): builds the classifier from the
 * models it is given or reads from the cache file it is named, and answers batches of texts in the
 * order they come, each text classified without a fallback language (the caller applies its own).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NeuralClassifier } from './model.js';
import { type ModelsJson, modelsFromJson, readModelsFile } from './models-json.js';
import type { Classification } from './types.js';

/** What the thread starts from: the models as JSON, or a cache file and its key. */
export type ThreadSource = { json: ModelsJson } | { file: string; key: string };

/** A batch of texts to classify. */
export interface ThreadRequest {
  texts: string[];
}

/** The answer to one batch: a classification per text, or the error that stopped the batch. */
export type ThreadAnswer = { results: Classification[] } | { error: string };

const port = parentPort;
if (port) {
  const data = workerData as { source: ThreadSource | undefined };
  const source = data.source!;
  // The JSON is not kept once the networks are built from it.
  data.source = undefined;
  const models = 'json' in source ? modelsFromJson(source.json) : readModelsFile(source.file, source.key);
  if (!models) throw new Error('the classifier cache file could not be read');
  const classifier = new NeuralClassifier(models);
  port.on('message', ({ texts }: ThreadRequest) => {
    let answer: ThreadAnswer;
    try {
      answer = { results: texts.map((t) => classifier.classifySync(t)) };
    } catch (err) {
      answer = { error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(answer);
  });
  port.postMessage({ ready: true });
}
