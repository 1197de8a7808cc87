/**
 * The trained models and the decision. Two `@nlpjs/neural` networks (the one-layer network behind
 * NLP.js's NluNeural): one reads the sentence frame and says the intent, the other reads content words
 * only and says which of the 15 services the message is about, or "none". Features come from
 * features.ts (words, stems, concepts, skeletons, character 3-grams, word pairs).
 *
 * Decision: a message that names a service but whose frame is weak, unknown, a greeting or a report
 * is a request for that service (a "report" of stray dogs is a request to catch them). A service is
 * returned for inquiry and procedural_request. `alternatives` ranks the candidates so that the
 * pipeline can ask when two routes are close (clarify.ts).
 */
import { createRequire } from 'node:module';
import type { Intent, Language } from '../core/types.js';
import { SERVICE_THRESHOLD } from './clarify.js';
import { type CompiledNetwork, compileNetwork, outputsOf, rankNetwork } from './compiled-network.js';
import { incidentOnlyAsRisk } from './cues.js';
import { elsewhereOnlyAsPlace, extractFeatureSets, extractFeatureVectors, type Features, type FeatureVector, toFeatures, weightOf } from './features.js';
import { letterBody } from './framing.js';
import { outsideServices } from './gazetteer.js';
import { detectLanguage } from './language.js';
import { normalizeForMatch } from './normalize.js';
import { applyCues, MAX_ALTERNATIVES, reframe, type ServiceGuess } from './reframe.js';
import { bareServiceName, serviceNameIndex } from './service-names.js';
import type { Utterance } from './training-data.js';
import type { Classification, Classifier } from './types.js';

/** The features `outsideServices` (gazetteer.ts) reads. */
const OUTSIDE_MARKS = ['x:hazard', 'x:elsewhere', 'x:anger', 'x:delay', 'x:complain'] as const;
/** The NLP.js network API used here (checked against @nlpjs/neural 4.25 src/neural-network.js). */
export interface NeuralNetwork {
  train(corpus: Array<{ input: Features; output: Record<string, number> }>): { iterations?: number; error?: number };
  run(input: Features): Record<string, number> | undefined;
  toJSON(): unknown;
  fromJSON(json: unknown): void;
}
const require = createRequire(import.meta.url);
/** NLP.js's network, loaded when training (a process that reads a cached model, the classifier's thread among them, never loads it). */
const neuralNetwork = (): (new (settings?: object) => NeuralNetwork) =>
  (require('@nlpjs/neural') as { NeuralNetwork: new (settings?: object) => NeuralNetwork }).NeuralNetwork;

/** Label of the service model for "no particular service". */
export const NO_SERVICE = 'none';

/**
 * Training settings (part of the cache key). A fixed number of epochs, not NLP.js's early stop on a small
 * change of the error, which stops at a different point whenever the data changes a little.
 */
export const INTENT_SETTINGS = { iterations: 120, errorThresh: 0, deltaErrorThresh: 0, learningRate: 0.5, momentum: 0.5, alpha: 0.07, log: false };
export const SERVICE_SETTINGS = { ...INTENT_SETTINGS, iterations: 60 };
/** Below this share of the intent scores the message is `unknown`. */
export const INTENT_THRESHOLD = 0.45;
/**
 * A message read as a filing takes the best named service at this score even when "none" leads the service
 * network (lines without a service outnumber each service's): on two k-fold folds, 2026-12-03, service
 * accuracy 80–82% → 92%, route unchanged; generic filings («أبغى أقدم طلب», "new request") stay without one.
 */
export const FILING_SERVICE_SCORE = 0.1;
/** A top intent output below this (outputs are trained towards 1) is weak evidence. */
const WEAK_OUTPUT = 0.2;
/** Characters of a message that are classified (an e-mail's quoted history adds nothing but time). */
const MAX_CHARS = 2000;
/** Intents for which a service is returned. */
const SERVICE_INTENTS = new Set<Intent>(['inquiry', 'procedural_request']);
/** Intents that give way to procedural_request when the message names a service (a request worded as a report). */
const OVERRIDDEN = new Set<Intent>(['unknown', 'report', 'greeting']);
/** Thanks give way to a named service only below this score («شكرا، وفي حفرة قدام البيت»); a clear thank-you for a repair stays thanks. */
const THANKS_KEPT = 0.75;
/** What a letter's framing alone says: a body read as one of these is not trusted over the whole text. */
const FRAME_INTENTS = new Set<Intent>(['greeting', 'unknown']);
/** The feature of incident words (lexicon.ts concept `incident`). */
const INCIDENT = 'x:incident';
/** An incident is reported when the report intent scores at least this. */
const INCIDENT_REPORT_SCORE = 0.15;

/** Both NLP.js networks as trained, and the vocabulary they were trained on. */
export interface TrainedNetworks {
  intent: NeuralNetwork;
  service: NeuralNetwork;
  vocabulary: Set<string>;
}

/** Both networks laid out for scoring (compiled-network.ts), and the vocabulary they were trained on: what the classifier keeps and the cache holds. */
export interface TrainedModels {
  intent: CompiledNetwork;
  service: CompiledNetwork;
  /** Word features seen in training: a message made only of others is `unknown`. */
  vocabulary: Set<string>;
  /** Bare service name → service id (service-names.ts): a message that is only a name files that service. */
  names: Map<string, string>;
}

const isWordFeature = (f: string): boolean => f.startsWith('w:') || f.startsWith('x:') || f.startsWith('k:') || f.startsWith('t:');

/** Overrides of the training settings, for tuning on cross-validation folds. */
export interface TrainingTuning {
  intent?: Partial<typeof INTENT_SETTINGS>;
  service?: Partial<typeof SERVICE_SETTINGS>;
}

/** Lines of one service and intent the intent model learns from at most (the 15 services' lines would swamp the other intents; 70 beat 45 and 100 on three k-fold folds, 2026-12-03). */
export const SERVICE_GROUP_CAP = 70;

/** The lines the intent model learns from: all lines naming no service; per service and intent, the free-worded lines first, then templates by an even stride, up to the cap (deterministic). */
function balanced(utterances: readonly Utterance[]): Set<Utterance> {
  const groups = new Map<string, Utterance[]>();
  const kept = new Set<Utterance>();
  for (const u of utterances) {
    if (u.service === null) kept.add(u);
    else groups.set(`${u.intent}:${u.service}`, [...(groups.get(`${u.intent}:${u.service}`) ?? []), u]);
  }
  for (const lines of groups.values()) {
    const ordered = [...lines.filter((u) => !u.template), ...lines.filter((u) => u.template)];
    const step = Math.max(1, ordered.length / SERVICE_GROUP_CAP);
    for (let i = 0; i < ordered.length; i += step) kept.add(ordered[Math.floor(i)]!);
  }
  return kept;
}

/** What a network learns from: one feature bag and one target per line. */
export type Corpus = Array<{ input: Features; output: Record<string, number> }>;

/** The two networks' corpora and the vocabulary of a set of lines (the intent corpus balanced, see `balanced`). */
export function trainingCorpora(utterances: readonly Utterance[]): { intent: Corpus; service: Corpus; vocabulary: Set<string> } {
  const vocabulary = new Set<string>();
  const intent: Corpus = [];
  const service: Corpus = [];
  const forIntent = balanced(utterances);
  for (const u of utterances) {
    const { all, content } = extractFeatureSets(u.text);
    for (const f of Object.keys(all)) if (isWordFeature(f)) vocabulary.add(f);
    if (forIntent.has(u)) intent.push({ input: all, output: { [u.intent]: 1 } });
    // Every line that names no service teaches the service model "none".
    service.push({ input: content, output: { [u.service ?? NO_SERVICE]: 1 } });
  }
  return { intent, service, vocabulary };
}

/** Which of the two networks. */
export type NetworkName = 'intent' | 'service';

/** Trains one network on its corpus (deterministic: zero-initialized weights, fixed order and epochs). */
export function trainNetwork(name: NetworkName, corpus: Corpus, tuning: TrainingTuning = {}): NeuralNetwork {
  const NeuralNetwork = neuralNetwork();
  const network = new NeuralNetwork(name === 'intent' ? { ...INTENT_SETTINGS, ...tuning.intent } : { ...SERVICE_SETTINGS, ...tuning.service });
  network.train(corpus);
  return network;
}

/** Trains both networks on the utterances, one after the other. */
export function trainNetworks(utterances: readonly Utterance[], tuning: TrainingTuning = {}): TrainedNetworks {
  const corpora = trainingCorpora(utterances);
  return { intent: trainNetwork('intent', corpora.intent, tuning), service: trainNetwork('service', corpora.service, tuning), vocabulary: corpora.vocabulary };
}

/** Trains both networks and lays them out for scoring, with the services' names (`TrainingData.names`). */
export function trainModels(
  utterances: readonly Utterance[],
  tuning: TrainingTuning = {},
  names: ReadonlyArray<readonly [string, string]> = [],
): TrainedModels {
  const { intent, service, vocabulary } = trainNetworks(utterances, tuning);
  return { intent: compileNetwork(intent), service: compileNetwork(service), vocabulary, names: serviceNameIndex(names) };
}

type Candidate = NonNullable<Classification['alternatives']>[number];

/** The NLP.js implementation of Classifier. */
export class NeuralClassifier implements Classifier {
  private readonly intentThreshold: number;
  private readonly serviceThreshold: number;
  private readonly intentNet: CompiledNetwork;
  private readonly serviceNet: CompiledNetwork;
  /** Word features seen in training. */
  private readonly vocabulary: Set<string>;
  private readonly names: Map<string, string>;

  /** `thresholds` overrides INTENT_THRESHOLD / SERVICE_THRESHOLD (for tuning on cross-validation folds). */
  constructor(models: TrainedModels, thresholds: { intent?: number; service?: number } = {}) {
    this.intentThreshold = thresholds.intent ?? INTENT_THRESHOLD;
    this.serviceThreshold = thresholds.service ?? SERVICE_THRESHOLD;
    this.vocabulary = models.vocabulary;
    this.names = models.names;
    this.intentNet = models.intent;
    this.serviceNet = models.service;
  }

  /** Classifies one message: language, intent (unknown below the threshold), service and ranked alternatives. */
  classify(text: string, fallbackLanguage?: Language): Promise<Classification> {
    return Promise.resolve(this.classifySync(text, fallbackLanguage));
  }

  /**
   * Synchronous core of classify (the networks need no I/O); long texts are read up to MAX_CHARS. A
   * letter's body is read without its greeting, address, closing and signature (framing.ts); when the
   * body alone says nothing but a greeting, the whole text is read.
   */
  classifySync(fullText: string, fallbackLanguage?: Language): Classification {
    const text = fullText.length > MAX_CHARS ? fullText.slice(0, MAX_CHARS) : fullText;
    const language = detectLanguage(text, fallbackLanguage);
    const named = this.names.get(bareServiceName(text));
    if (named !== undefined) {
      // Nothing but a service's name: that service chosen, as from a menu.
      const alternatives = [{ intent: 'procedural_request' as const, service: named, score: 1 }];
      return { language, intent: 'procedural_request', service: named, confidence: 1, serviceScore: 1, alternatives };
    }
    const body = letterBody(text);
    if (body !== undefined) {
      const inner = this.decide(body, language);
      if (!FRAME_INTENTS.has(inner.intent)) return inner;
    }
    return this.decide(text, language);
  }

  /** Intent and service of one text from the networks, then the cues of reframe.ts that overrule them. */
  private decide(text: string, language: Language): Classification {
    const guess: ServiceGuess = { service: null, score: 0 };
    return applyCues(this.decideModel(text, language, guess), text, guess);
  }

  /** The score of `service` once another authority's words (gazetteer.ts) count ELSEWHERE_BOOST times: a service that still wins clearly wins. */
  private serviceAgainstElsewhere(content: FeatureVector, service: string): number {
    const weight = weightOf(content, 'x:elsewhere');
    if (weight === undefined) return 1;
    const scores = rankNetwork(this.serviceNet, outputsOf(this.serviceNet, { ...toFeatures(content), 'x:elsewhere': weight * ELSEWHERE_BOOST }));
    return scores.find((s) => s.label === service)?.score ?? 0;
  }

  /** Intent and service of one text whose language is known, from the networks alone. */
  private decideModel(text: string, language: Language, guess: ServiceGuess): Classification {
    const { all, content } = extractFeatureVectors(text);
    if (!all.keys.some((f) => isWordFeature(f) && this.vocabulary.has(f))) {
      return { language, intent: 'unknown', service: null, confidence: 1, alternatives: [{ intent: 'unknown', service: null, score: 1 }] };
    }
    const outputs = outputsOf(this.intentNet, all);
    const intents = rankNetwork(this.intentNet, outputs);
    const top = intents[0];
    const services = rankNetwork(this.serviceNet, outputsOf(this.serviceNet, content));
    const best = services[0];
    const named = services.find((s) => s.label !== NO_SERVICE);
    if (named) Object.assign(guess, { service: named.label, score: named.score });
    // A filing names its service: when "none" leads, the best named service still counts if it scores at least FILING_SERVICE_SCORE.
    const service =
      best && best.label !== NO_SERVICE && best.score >= this.serviceThreshold
        ? best.label
        : top?.label === 'procedural_request' && named && named.score >= FILING_SERVICE_SCORE
          ? named.label
          : null;
    // How sure the service network is of it (the filing's fallback is a weak reading).
    const chosen = service === null ? {} : { serviceScore: service === best?.label ? best.score : named!.score };
    const candidates: Candidate[] = intents.map((i) => ({
      intent: i.label as Intent,
      service: SERVICE_INTENTS.has(i.label as Intent) ? service : null,
      score: i.score,
    }));
    const weak = !top || top.score < this.intentThreshold || outputs[top.at]! < WEAK_OUTPUT;
    const marks: Record<string, number> = {};
    for (const key of OUTSIDE_MARKS) {
      const v = weightOf(all, key);
      if (v !== undefined) marks[key] = v;
    }
    if (marks['x:elsewhere'] !== undefined && elsewhereOnlyAsPlace(text)) marks['x:elsewhere'] = 0;
    const serviceScore = service === null ? 0 : this.serviceAgainstElsewhere(content, service);
    const outside = outsideServices(marks, top?.label as Intent | undefined, serviceScore, best !== undefined && best.label !== NO_SERVICE);
    if (outside !== undefined) {
      // The networks' candidates stay as alternatives, without a service (none of them is about one).
      const plain = candidates.map((c) => ({ ...c, service: null }));
      return reframe({ language, intent: plain[0]!.intent, service: null, confidence: plain[0]!.score, alternatives: plain }, outside, null);
    }
    // A fire, an accident or a leak is an incident to report, whatever service its words recall (none of the 15 covers one);
    // an accident a pothole may cause («حفرة تسبب حوادث») is the pothole's risk, not an incident.
    const incident = content.keys.includes(INCIDENT) && !incidentOnlyAsRisk(normalizeForMatch(text));
    if (incident && top && (top.label === 'report' || top.label === 'procedural_request')) {
      const report = candidates.find((c) => c.intent === 'report');
      if (report && report.score >= INCIDENT_REPORT_SCORE) {
        const others = candidates.filter((c) => c !== report).map((c) => ({ ...c, service: null, score: c.score * (1 - report.score) }));
        return {
          language,
          intent: 'report',
          service: null,
          confidence: report.score,
          alternatives: [{ ...report, score: Math.max(report.score, top.score) }, ...others].slice(0, MAX_ALTERNATIVES),
        };
      }
    }
    const overridden = top !== undefined && (OVERRIDDEN.has(top.label as Intent) || (top.label === 'thanks' && top.score < THANKS_KEPT));
    if (service !== null && (weak || overridden)) {
      // The message names a service's matter and no frame of its own wins: a request for that service.
      const first: Candidate = { intent: 'procedural_request', service, score: Math.max(best!.score, top?.score ?? 0) };
      // The overridden frame (a report of the service's matter, a greeting before it) is the same request: it is no rival to ask about;
      // a report of the service's matter stays none even when the networks' frame is weak («بلاغ عن حفرة…»).
      const rest = candidates
        .filter((c) => c.intent !== 'procedural_request')
        .map((c) => (c === candidates[0] && (!weak || c.intent === 'report') ? { ...c, score: c.score * (1 - best!.score) } : c))
        .sort((a, b) => b.score - a.score);
      return { language, intent: 'procedural_request', service, confidence: first.score, ...chosen, alternatives: [first, ...rest].slice(0, MAX_ALTERNATIVES) };
    }
    const alternatives = candidates.slice(0, MAX_ALTERNATIVES);
    // Unknown below the threshold; its confidence is then how far the best intent fell short.
    if (!top || top.score < this.intentThreshold) {
      const confidence = top ? 1 - top.score : 1;
      return {
        language,
        intent: 'unknown',
        service: null,
        confidence,
        alternatives: [{ intent: 'unknown', service: null, score: confidence }, ...alternatives],
      };
    }
    const intent = top.label as Intent;
    const withService = SERVICE_INTENTS.has(intent) && service !== null;
    return { language, intent, service: withService ? service : null, confidence: top.score, ...(withService ? chosen : {}), alternatives };
  }
}

/** How much more another authority's words count when a service must clearly win over them. */
const ELSEWHERE_BOOST = 3;
