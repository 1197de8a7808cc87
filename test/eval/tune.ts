/**
 * `npx tsx test/eval/tune.ts`: sweeps the decision thresholds (intent, service) on one cross-validation
 * fold of config/nlu/ and on the labelled set. Never run it on a blind set.
 */
import { createHash } from 'node:crypto';
import { defaultConfigDir } from '../../bot/core/paths.js';
import { NeuralClassifier, type TrainingTuning, trainModels } from '../../bot/nlu/model.js';
import { loadTrainingData, type Utterance } from '../../bot/nlu/training-data.js';
import { evaluate, loadLabelled } from './evaluate.js';

const order = (u: Utterance): string => `${u.intent}\u0000${u.service ?? ''}\u0000${createHash('sha1').update(u.text).digest('hex')}`;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const k = 5;
  const data = loadTrainingData(defaultConfigDir);
  const utterances = [...data.utterances].sort((a, b) => order(a).localeCompare(order(b)));
  const fold = Number(process.argv[2] ?? 0);
  const tuning = JSON.parse(process.argv[3] ?? '{}') as TrainingTuning;
  const t0 = performance.now();
  const models = trainModels(
    utterances.filter((_, i) => i % k !== fold),
    tuning,
    data.names,
  );
  console.log(`trained in ${(performance.now() - t0).toFixed(0)} ms`, JSON.stringify(tuning));
  const test = utterances.filter((_, i) => i % k === fold).map((u) => ({ text: u.text, intent: u.intent, service: u.service, variety: u.variety }));
  const full = trainModels(utterances, tuning, data.names);
  const labelled = loadLabelled();
  const fc = new NeuralClassifier(models);
  const lc = new NeuralClassifier(full);
  for (const confidence of [0, 0.4, 0.5, 0.6]) {
    for (const margin of [0, 0.1, 0.15, 0.2, 0.3]) {
      const limits = { confidence, margin };
      const f = await evaluate(fc, test, { timingRounds: 0, limits });
      const l = await evaluate(lc, labelled, { timingRounds: 0, limits });
      console.log(
        `confidence ${confidence} margin ${margin}: fold route ${pct(f.routeAccuracy)} service ${pct(f.serviceAccuracy)} asked ${pct(f.clarificationRate)} | labelled route ${pct(l.routeAccuracy)} service ${pct(l.serviceAccuracy)} asked ${pct(l.clarificationRate)}`,
      );
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
