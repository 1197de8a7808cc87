/** k-fold cross-validation over the training utterances of config/nlu/ (measure 1 of `npm run eval`). */
import { createHash } from 'node:crypto';
import { defaultConfigDir } from '../../bot/core/paths.js';
import { NeuralClassifier } from '../../bot/nlu/model.js';
import { trainModelsInThreads } from '../../bot/nlu/parallel-training.js';
import { loadTrainingData, type Utterance } from '../../bot/nlu/training-data.js';
import { type EvalReport, evaluate } from './evaluate.js';

/** The folds' reports with their mean and worst route/service accuracy and clarification rate. */
export interface CrossValidation {
  folds: EvalReport[];
  mean: { route: number; intent: number; service: number; clarification: number };
  worst: { route: number; intent: number; service: number; clarification: number };
}

const order = (u: Utterance): string => `${u.intent}\u0000${u.service ?? ''}\u0000${createHash('sha1').update(u.text).digest('hex')}`;

/** Splits the utterances into k stratified folds (by intent and service, deterministic), trains on k-1 and tests on the rest. */
export async function crossValidate(k = 5, configDir = defaultConfigDir): Promise<CrossValidation> {
  const data = loadTrainingData(configDir);
  const utterances = [...data.utterances].sort((a, b) => order(a).localeCompare(order(b)));
  const folds: EvalReport[] = [];
  for (let f = 0; f < k; f++) {
    const train = utterances.filter((_, i) => i % k !== f);
    const test = utterances.filter((_, i) => i % k === f);
    const classifier = new NeuralClassifier(await trainModelsInThreads(train, {}, data.names));
    folds.push(
      await evaluate(
        classifier,
        test.map((u) => ({ text: u.text, intent: u.intent, service: u.service, variety: u.variety })),
        { timingRounds: 0 },
      ),
    );
  }
  const pick = (r: EvalReport): [number, number, number, number] => [r.routeAccuracy, r.intentAccuracy, r.serviceAccuracy, r.clarificationRate];
  const values = folds.map(pick);
  const mean = (i: number): number => values.reduce((s, v) => s + v[i]!, 0) / values.length;
  const min = (i: number): number => Math.min(...values.map((v) => v[i]!));
  const max = (i: number): number => Math.max(...values.map((v) => v[i]!));
  return {
    folds,
    mean: { route: mean(0), intent: mean(1), service: mean(2), clarification: mean(3) },
    worst: { route: min(0), intent: min(1), service: min(2), clarification: max(3) },
  };
}
