/**
 * The classifier thread's entry (started by threaded-classifier.ts): rebuilds the classifier from the
 * models it is given and answers batches of texts in the order they come, each text classified
 * without a fallback language (the caller applies its own).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NeuralClassifier } from './model.js';
import { type ModelsJson, modelsFromJson } from './models-json.js';
import type { Classification } from './types.js';

/** A batch of texts to classify. */
export interface ThreadRequest {
  texts: string[];
}

/** The answer to one batch: a classification per text, or the error that stopped the batch. */
export type ThreadAnswer = { results: Classification[] } | { error: string };

const port = parentPort;
if (port) {
  const classifier = new NeuralClassifier(modelsFromJson((workerData as { models: ModelsJson }).models));
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
