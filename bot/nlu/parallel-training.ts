/**
 * Trains the two networks at once, each on a thread of its own (training-thread.ts), on a machine with
 * more than one CPU: a first start, or the test suite's set-up, waits for the longer of the two instead
 * of both. Each network is trained alone from the same lines in the same order either way, so the
 * models are the same to the bit as `trainModels` gives.
 */
import { availableParallelism } from 'node:os';
import { startModuleWorker } from '../core/module-worker.js';
import { type NetworkName, type TrainedModels, type TrainingTuning, trainModels } from './model.js';
import { serviceNameIndex } from './service-names.js';
import type { Utterance } from './training-data.js';
import type { TrainingAnswer, TrainingJob } from './training-thread.js';

/** Trains both networks (on two threads where there are CPUs for them) and lays them out for scoring, with the services' names. */
export async function trainModelsInThreads(
  utterances: readonly Utterance[],
  tuning: TrainingTuning = {},
  names: ReadonlyArray<readonly [string, string]> = [],
): Promise<TrainedModels> {
  if (availableParallelism() < 2) return trainModels(utterances, tuning, names);
  let intent: TrainingAnswer;
  let service: TrainingAnswer;
  try {
    [intent, service] = await Promise.all([trainOnThread('intent', utterances, tuning), trainOnThread('service', utterances, tuning)]);
  } catch {
    // A thread that cannot start or fails: the same training on this thread.
    return trainModels(utterances, tuning, names);
  }
  return { intent: intent.network, service: service.network, vocabulary: new Set(intent.vocabulary), names: serviceNameIndex(names) };
}

/** Trains one network on a thread of its own: the network laid out for scoring, and the vocabulary with the intent network. */
export function trainOnThread(name: NetworkName, utterances: readonly Utterance[], tuning: TrainingTuning): Promise<TrainingAnswer> {
  const job: TrainingJob = { name, utterances: [...utterances], tuning };
  return new Promise((resolve, reject) => {
    const worker = startModuleWorker(import.meta.url, 'training-thread', { workerData: job });
    worker.once('message', (answer: TrainingAnswer) => {
      resolve(answer);
      void worker.terminate();
    });
    worker.once('error', reject);
    // After the answer, an exit settles nothing.
    worker.once('exit', (code) => reject(new Error(`training thread exited with code ${code}`)));
  });
}
