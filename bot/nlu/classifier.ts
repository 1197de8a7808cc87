/**
 * Builds the classifier (model.ts) from the utterances of `config/nlu/`, through a cache.
 *
 * Start-up: training is deterministic and takes a minute or two (the two networks at once on two
 * threads where the machine has the CPUs, parallel-training.ts). The trained weights are cached as JSON
 * in `cacheDir` (the app passes `data/cache`) under a key hashed from the utterance files, the service
 * ids, the feature version and the settings (loading takes well under a second), and one trained
 * instance is shared per process and key, so tests and restarts train only once.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfigDir } from '../core/paths.js';
import { FEATURES_VERSION } from './features.js';
import { INTENT_SETTINGS, NeuralClassifier, SERVICE_GROUP_CAP, SERVICE_SETTINGS, type TrainedModels, trainModels } from './model.js';
import { MODELS_JSON_VERSION, type ModelSource, type ModelsJson, modelsToJson, readModelsFile } from './models-json.js';
import { trainModelsInThreads } from './parallel-training.js';
import { ThreadedClassifier, type ThreadLog } from './threaded-classifier.js';
import { loadTrainingData, trainingDataHash } from './training-data.js';
import type { Classifier } from './types.js';

export { NeuralClassifier } from './model.js';

/** Where to read the utterances and where to keep the trained model. */
export interface ClassifierOptions {
  /** Folder holding services.yaml and nlu/ (default: the project's config/). */
  configDir?: string;
  /** Folder of the trained-model cache, created when missing (default: `<os tmpdir>/tawasul-nlu`); false: none. */
  cacheDir?: string | false;
  /** Reuse the instance this process already trained on the same utterances (default true). */
  shared?: boolean;
}

interface CachedModels extends ModelsJson {
  key: string;
}

function cacheKey(dataHash: string): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        data: dataHash,
        layout: MODELS_JSON_VERSION,
        features: FEATURES_VERSION,
        cap: SERVICE_GROUP_CAP,
        intent: INTENT_SETTINGS,
        service: SERVICE_SETTINGS,
      }),
    )
    .digest('hex')
    .slice(0, 20);
}

function writeCache(file: string, key: string, models: TrainedModels): void {
  try {
    const json: CachedModels = { key, ...modelsToJson(models) };
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(json));
    renameSync(tmp, file);
  } catch {
    // A read-only or missing data folder only costs the next start a retraining.
  }
}

/** Removes the cached models of older utterance files. */
function pruneCache(dir: string, keep: string): void {
  try {
    for (const f of readdirSync(dir)) if (/^nlu-[0-9a-f]+\.json$/.test(f) && join(dir, f) !== keep) rmSync(join(dir, f), { force: true });
  } catch {
    // Best effort.
  }
}

/** Environment variable naming a read-only folder of trained models (same file names), tried after `cacheDir`. */
export const SEED_CACHE_ENV = 'TAWASUL_NLU_SEED_CACHE';

/** Trained models shared per process, by cache key. */
const shared = new Map<string, TrainedModels>();

/** The file of the models trained under `key` in a cache folder. */
const modelFile = (dir: string, key: string): string => join(dir, `nlu-${key}.json`);

const cacheDirOf = (options: ClassifierOptions): string | undefined =>
  options.cacheDir === undefined ? join(tmpdir(), 'tawasul-nlu') : options.cacheDir || undefined;

/** Where the models of a configuration are found and kept. */
interface Place {
  configDir: string;
  key: string;
  cacheDir: string | undefined;
  file: string | undefined;
  share: boolean;
}

function placeOf(options: ClassifierOptions): Place {
  const configDir = options.configDir ?? defaultConfigDir;
  const cacheDir = cacheDirOf(options);
  // The key hashes the files' bytes; the utterances are parsed only when a model has to be trained.
  const key = cacheKey(trainingDataHash(configDir));
  let file: string | undefined;
  if (cacheDir !== undefined) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      file = modelFile(cacheDir, key);
    } catch {
      file = undefined;
    }
  }
  return { configDir, key, cacheDir, file, share: options.shared ?? true };
}

/** The models already trained for `place`: this process's, the cache's, or the seed cache's. */
function findModels(place: Place): TrainedModels | undefined {
  let models = place.share ? shared.get(place.key) : undefined;
  models ??= place.file ? readModelsFile(place.file, place.key) : undefined;
  // An operator (or the test suite's global setup) may name a folder of already trained models to start from.
  const seed = process.env[SEED_CACHE_ENV];
  if (!models && seed) models = readModelsFile(modelFile(seed, place.key), place.key);
  return models;
}

/** Writes the models to the cache when it lacks them and shares them in this process. */
function keepModels(place: Place, models: TrainedModels): TrainedModels {
  if (place.file && !existsSync(place.file)) {
    writeCache(place.file, place.key, models);
    pruneCache(place.cacheDir!, place.file);
  }
  if (place.share) shared.set(place.key, models);
  return models;
}

/** The models of `place`, found or trained on this thread. */
function modelsHere(place: Place): TrainedModels {
  const found = findModels(place);
  if (found) return keepModels(place, found);
  const data = loadTrainingData(place.configDir);
  return keepModels(place, trainModels(data.utterances, {}, data.names));
}

/** The models of `place`, found or trained with each network on a thread of its own (parallel-training.ts). */
async function modelsInThreads(place: Place): Promise<TrainedModels> {
  const found = findModels(place);
  if (found) return keepModels(place, found);
  const data = loadTrainingData(place.configDir);
  return keepModels(place, await trainModelsInThreads(data.utterances, {}, data.names));
}

/** Trains (or loads from the cache) the intent and service models, training on this thread. */
export function loadTrainedModels(options: ClassifierOptions = {}): TrainedModels {
  return modelsHere(placeOf(options));
}

/** As `loadTrainedModels`, but a model that must be trained is trained on two threads at once (parallel-training.ts). */
export async function loadTrainedModelsInThreads(options: ClassifierOptions = {}): Promise<TrainedModels> {
  return modelsInThreads(placeOf(options));
}

/** The cache file (or seed cache file) that holds the models of `place`, unread, when there is one. */
function modelFileSource(place: Place): ModelSource | undefined {
  for (const dir of [place.cacheDir, process.env[SEED_CACHE_ENV]]) {
    const file = dir === undefined ? undefined : modelFile(dir, place.key);
    if (file && existsSync(file)) return { file, key: place.key };
  }
  return undefined;
}

/** The cache file (or seed cache file) that holds the models when there is one, unread; else the models, trained or loaded here. */
export function trainedModelSource(options: ClassifierOptions = {}): ModelSource {
  const place = placeOf(options);
  return modelFileSource(place) ?? { models: modelsHere(place) };
}

/** Trains (or loads from the cache) the intent and service models and returns the classifier. */
export async function createClassifier(options: ClassifierOptions = {}): Promise<NeuralClassifier> {
  return new NeuralClassifier(await loadTrainedModelsInThreads(options));
}

/** Environment variable: `off` keeps classification on the main thread; `on`, or unset on a machine with more than one CPU, gives it a thread. */
export const NLU_THREAD_ENV = 'TAWASUL_NLU_THREAD';

/** A classifier the app owns: on its own thread where the environment allows, closed with the app. */
export type OwnedClassifier = Classifier & { close?(): Promise<void> };

/** The app's classifier: threaded (threaded-classifier.ts) unless NLU_THREAD_ENV says `off` or there is one CPU. */
export async function openClassifier(options: ClassifierOptions, env: NodeJS.ProcessEnv, log?: ThreadLog): Promise<OwnedClassifier> {
  const setting = env[NLU_THREAD_ENV]?.trim().toLowerCase();
  const threaded = setting === 'on' || (setting !== 'off' && availableParallelism() > 1);
  if (!threaded) return new NeuralClassifier(await loadTrainedModelsInThreads(options));
  // The thread reads the cache file itself; this thread loads the models only should it need them.
  const place = placeOf(options);
  const source = modelFileSource(place) ?? { models: await modelsInThreads(place) };
  return new ThreadedClassifier(source, { ...(log ? { log } : {}), fallback: () => modelsHere(place) });
}
