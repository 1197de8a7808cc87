/**
 * The NLP.js classifier: two `@nlpjs/neural` networks (the network behind NLP.js's NluNeural), one
 * for the intent and one for the service, trained on the utterances of `config/nlu/`. Features are
 * built here (features.ts: `normalizeForMatch`, then words and NLP.js Arabic/English stems) rather than
 * through `nlp.process`, whose pipeline handles one locale per model: one model here serves Arabic,
 * Arabizi and English together, and calling the networks directly keeps a message well under 1 ms.
 *
 * Decision: the intent network reads the sentence frame; the service network (content words only)
 * says which of the 15 services the message is about, or "none". A message that names a service but
 * whose frame is weak, unknown, a greeting or a report is a request for that service (a "report" of
 * stray dogs is a request to catch them). A service is returned for inquiry and procedural_request.
 *
 * Start-up: training is deterministic (zero-initialized weights, fixed corpus order, fixed epochs) and
 * takes about 2 s. The trained weights are cached as JSON in `cacheDir` under a key hashed from the
 * utterance files, the service ids, the feature version and the settings (loading takes under 0.1 s),
 * and one trained instance is shared per process and key, so tests and restarts train only once.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Intent, Language } from '../core/types.js';
import { defaultConfigDir } from '../core/paths.js';
import { extractFeatureSets, FEATURES_VERSION, type Features } from './features.js';
import { detectLanguage } from './language.js';
import { loadTrainingData, NO_SERVICE, type TrainingData } from './training-data.js';
import type { Classification, Classifier } from './types.js';

interface NeuralNetwork {
  train(corpus: Array<{ input: Features; output: Record<string, number> }>): { iterations?: number; error?: number };
  run(input: Features): Record<string, number> | undefined;
  toJSON(): unknown;
  fromJSON(json: unknown): void;
}
const require = createRequire(import.meta.url);
const { NeuralNetwork } = require('@nlpjs/neural') as { NeuralNetwork: new (settings?: object) => NeuralNetwork };

/**
 * Training settings (part of the cache key). A fixed number of epochs, not NLP.js's early stop on a small
 * change of the error, which stops at a different point whenever the data changes a little. The service
 * model (content words) needs fewer epochs than the intent model (sentence frames) and overfits past them.
 */
const INTENT_SETTINGS = { iterations: 80, errorThresh: 0, deltaErrorThresh: 0, learningRate: 0.6, momentum: 0.5, alpha: 0.07, log: false };
const SERVICE_SETTINGS = { ...INTENT_SETTINGS, iterations: 25 };
/** Below this share of the intent scores the message is `unknown`. */
export const INTENT_THRESHOLD = 0.5;
/** Below this share of the service scores no service is returned. */
export const SERVICE_THRESHOLD = 0.5;
/** A top intent output below this (outputs are trained towards 1) is weak evidence. */
const WEAK_OUTPUT = 0.2;
/** Characters of a message that are classified (an e-mail's quoted history adds nothing but time). */
const MAX_CHARS = 2000;
/** Intents for which a service is returned. */
const SERVICE_INTENTS = new Set<Intent>(['inquiry', 'procedural_request']);
/** Intents that give way to procedural_request when the message names a service (a request worded as a report). */
const OVERRIDDEN = new Set<Intent>(['unknown', 'report', 'greeting', 'thanks']);

/** Where to read the utterances and where to keep the trained model. */
export interface ClassifierOptions {
  /** Folder holding services.yaml and nlu/ (default: the project's config/). */
  configDir?: string;
  /** Folder of the trained-model cache, created when missing (default: `<os tmpdir>/tawasul-nlu`); false: none. */
  cacheDir?: string | false;
  /** Reuse the instance this process already trained on the same utterances (default true). */
  shared?: boolean;
}

interface TrainedModels {
  intent: NeuralNetwork;
  service: NeuralNetwork;
  /** Word features seen in training: a message made only of others is `unknown`. */
  vocabulary: Set<string>;
}

interface CachedModels {
  key: string;
  intent: unknown;
  service: unknown;
  vocabulary: string[];
}

/** Ranks the outputs of a network, squared and normalized to sum to 1 (as NLP.js does). */
function rank(scores: Record<string, number> | undefined): Array<{ label: string; score: number }> {
  const entries = Object.entries(scores ?? {}).map(([label, s]) => ({ label, score: s * s }));
  const total = entries.reduce((sum, e) => sum + e.score, 0);
  if (total <= 0) return [];
  return entries.map((e) => ({ label: e.label, score: e.score / total })).sort((a, b) => b.score - a.score);
}

/** Trains both networks on the utterances. */
function train(data: TrainingData): TrainedModels {
  const vocabulary = new Set<string>();
  const intentCorpus: Array<{ input: Features; output: Record<string, number> }> = [];
  const serviceCorpus: Array<{ input: Features; output: Record<string, number> }> = [];
  for (const u of data.utterances) {
    const { all, content } = extractFeatureSets(u.text);
    for (const f of Object.keys(all)) if (f.startsWith('w:')) vocabulary.add(f);
    intentCorpus.push({ input: all, output: { [u.intent]: 1 } });
    // Every line that names no service teaches the service model "none".
    serviceCorpus.push({ input: content, output: { [u.service ?? NO_SERVICE]: 1 } });
  }
  const intent = new NeuralNetwork({ ...INTENT_SETTINGS });
  intent.train(intentCorpus);
  const service = new NeuralNetwork({ ...SERVICE_SETTINGS });
  service.train(serviceCorpus);
  return { intent, service, vocabulary };
}

function cacheKey(data: TrainingData): string {
  return createHash('sha256')
    .update(JSON.stringify({ data: data.hash, features: FEATURES_VERSION, intent: INTENT_SETTINGS, service: SERVICE_SETTINGS }))
    .digest('hex')
    .slice(0, 20);
}

function readCache(file: string, key: string): TrainedModels | undefined {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as CachedModels;
    if (json.key !== key) return undefined;
    const intent = new NeuralNetwork();
    intent.fromJSON(json.intent);
    const service = new NeuralNetwork();
    service.fromJSON(json.service);
    return { intent, service, vocabulary: new Set(json.vocabulary) };
  } catch {
    return undefined;
  }
}

function writeCache(file: string, key: string, models: TrainedModels): void {
  try {
    const json: CachedModels = { key, intent: models.intent.toJSON(), service: models.service.toJSON(), vocabulary: [...models.vocabulary] };
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

/** Trained models shared per process, by cache key. */
const shared = new Map<string, TrainedModels>();

function loadModels(configDir: string, cacheDir: string | undefined, share: boolean): TrainedModels {
  const data = loadTrainingData(configDir);
  const key = cacheKey(data);
  let file: string | undefined;
  if (cacheDir !== undefined) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      file = join(cacheDir, `nlu-${key}.json`);
    } catch {
      file = undefined;
    }
  }
  let models = share ? shared.get(key) : undefined;
  models ??= file ? readCache(file, key) : undefined;
  if (!models) models = train(data);
  if (file && !existsSync(file)) {
    writeCache(file, key, models);
    pruneCache(cacheDir!, file);
  }
  if (share) shared.set(key, models);
  return models;
}

/** The NLP.js implementation of Classifier. */
export class NeuralClassifier implements Classifier {
  constructor(private readonly models: TrainedModels) {}

  /** Classifies one message: language, intent (unknown below the threshold) and service. */
  classify(text: string, fallbackLanguage?: Language): Promise<Classification> {
    return Promise.resolve(this.classifySync(text, fallbackLanguage));
  }

  /** Synchronous core of classify (the networks need no I/O); long texts are read up to MAX_CHARS. */
  classifySync(fullText: string, fallbackLanguage?: Language): Classification {
    const text = fullText.length > MAX_CHARS ? fullText.slice(0, MAX_CHARS) : fullText;
    const language = detectLanguage(text, fallbackLanguage);
    const { all, content } = extractFeatureSets(text);
    if (!Object.keys(all).some((f) => this.models.vocabulary.has(f))) return { language, intent: 'unknown', service: null, confidence: 1 };
    const outputs = this.models.intent.run(all) ?? {};
    const top = rank(outputs)[0];
    const best = rank(this.models.service.run(content))[0];
    const service = best && best.label !== NO_SERVICE && best.score >= SERVICE_THRESHOLD ? best.label : null;
    const weak = !top || top.score < INTENT_THRESHOLD || (outputs[top.label] ?? 0) < WEAK_OUTPUT;
    if (service !== null && (weak || OVERRIDDEN.has(top!.label as Intent))) {
      // The message names a service's matter and no frame of its own wins: a request for that service.
      return { language, intent: 'procedural_request', service, confidence: best!.score };
    }
    // Unknown below the threshold; its confidence is then how far the best intent fell short.
    if (!top || top.score < INTENT_THRESHOLD) return { language, intent: 'unknown', service: null, confidence: top ? 1 - top.score : 1 };
    const intent = top.label as Intent;
    return { language, intent, service: SERVICE_INTENTS.has(intent) ? service : null, confidence: top.score };
  }
}

/** Trains (or loads from the cache) the intent and service models and returns the classifier. */
export async function createClassifier(options: ClassifierOptions = {}): Promise<NeuralClassifier> {
  const cacheDir = options.cacheDir === undefined ? join(tmpdir(), 'tawasul-nlu') : options.cacheDir || undefined;
  return new NeuralClassifier(loadModels(options.configDir ?? defaultConfigDir, cacheDir, options.shared ?? true));
}
