/** Vitest global setup: trains the classifier once into its cache before the test files start (they, and the CLI processes they spawn, then load it). */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClassifier, SEED_CACHE_ENV } from '../../bot/nlu/classifier.js';

/** Trains or loads the default classifier cache and names it as the seed cache for child processes. */
export default async function setup(): Promise<void> {
  const dir = join(tmpdir(), 'tawasul-nlu');
  await createClassifier({ cacheDir: dir });
  process.env[SEED_CACHE_ENV] = dir;
}
