/**
 * A training thread's entry (started by parallel-training.ts): trains one of the two networks on the
 * lines it is given and answers with the network laid out for scoring (and, for the intent network, the
 * vocabulary).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CompiledNetwork } from './compiled-network.js';
import { compileNetwork } from './compiled-network.js';
import { type NetworkName, type TrainingTuning, trainingCorpora, trainNetwork } from './model.js';
import type { Utterance } from './training-data.js';

/** What the thread is given. */
export interface TrainingJob {
  name: NetworkName;
  utterances: Utterance[];
  tuning: TrainingTuning;
}

/** What the thread answers. */
export interface TrainingAnswer {
  network: CompiledNetwork;
  vocabulary: string[];
}

const port = parentPort;
if (port) {
  const { name, utterances, tuning } = workerData as TrainingJob;
  const corpora = trainingCorpora(utterances);
  const network = compileNetwork(trainNetwork(name, corpora[name], tuning));
  const answer: TrainingAnswer = { network, vocabulary: name === 'intent' ? [...corpora.vocabulary] : [] };
  port.postMessage(answer, [network.weights.buffer as ArrayBuffer]);
}
