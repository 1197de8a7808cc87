/** Vitest global setup: trains the classifier once into its cache before the test files start (they then load it). */
import { createClassifier } from '../../bot/nlu/classifier.js';

/** Trains or loads the default classifier cache. */
export default async function setup(): Promise<void> {
  await createClassifier();
}
