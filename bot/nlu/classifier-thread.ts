/**
 * The classifier thread's entry (started by threaded-classifier.ts): builds the classifier from the
 * models it is given or reads from the cache file it is named, and answers texts in the order they
 * come, each classified without a fallback language (the caller applies its own); the answers to the texts
 * read in one pass of its event loop go back together.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NeuralClassifier } from './model.js';
import { type ModelsJson, modelsFromJson, readModelsFile } from './models-json.js';
import type { Classification } from './types.js';

/** What the thread starts from: the models as JSON, or a cache file and its key. */
export type ThreadSource = { json: ModelsJson } | { file: string; key: string };

/** A text to classify. */
export interface ThreadRequest {
  text: string;
}

/** The answer to one text: its classification, or the error that stopped it (the thread posts them in arrays, in the order of the texts). */
export type ThreadAnswer = { result: Classification } | { error: string };

const port = parentPort;
if (port) {
  const data = workerData as { source: ThreadSource | undefined };
  const source = data.source!;
  // The JSON is not kept once the networks are built from it.
  data.source = undefined;
  const models = 'json' in source ? modelsFromJson(source.json) : readModelsFile(source.file, source.key);
  if (!models) throw new Error('the classifier cache file could not be read');
  const classifier = new NeuralClassifier(models);
  // Answers to the texts that came together go back together, once the queue is drained (one message, one wake-up of the event loop).
  let answers: ThreadAnswer[] = [];
  const flush = (): void => {
    const batch = answers;
    answers = [];
    port.postMessage(batch);
  };
  port.on('message', ({ text }: ThreadRequest) => {
    let answer: ThreadAnswer;
    try {
      answer = { result: classifier.classifySync(text) };
    } catch (err) {
      answer = { error: err instanceof Error ? err.message : String(err) };
    }
    if (answers.push(answer) === 1) setImmediate(flush);
  });
  port.postMessage({ ready: true });
}
