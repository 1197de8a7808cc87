/** Loads the labelled set and measures a classifier against it (used by run-eval.ts and the tests). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { INTENTS, type Intent } from '../../bot/core/types.js';
import type { Classification, Classifier } from '../../bot/nlu/types.js';

/** Path of the labelled set. */
export const LABELLED_FILE = join(dirname(fileURLToPath(import.meta.url)), 'labelled.yaml');

const itemSchema = z
  .object({
    text: z.string().min(1),
    intent: z.enum(INTENTS),
    service: z.string().nullable(),
    language: z.enum(['ar', 'en']),
    variety: z.enum(['msa', 'gulf', 'en', 'arabizi']),
  })
  .strict();
/** One labelled message. */
export type LabelledItem = z.infer<typeof itemSchema>;

/** Reads and validates the labelled set. */
export function loadLabelled(file = LABELLED_FILE): LabelledItem[] {
  return z.array(itemSchema).parse(parse(readFileSync(file, 'utf8')));
}

/** Correct / total. */
export interface Tally {
  correct: number;
  total: number;
}
const rate = (t: Tally): number => (t.total === 0 ? 1 : t.correct / t.total);

/** What one evaluation found. */
export interface EvalReport {
  items: number;
  intentAccuracy: number;
  serviceAccuracy: number;
  languageAccuracy: number;
  /** Per gold intent: recall (correct/total) and precision over the predictions of that intent. */
  perIntent: Record<Intent, { recall: Tally; precision: Tally }>;
  perVariety: Record<string, { intent: Tally; service: Tally }>;
  /** gold → predicted intent, most frequent first. */
  confusions: Array<{ gold: string; predicted: string; count: number }>;
  /** gold → predicted service, over items with a gold service or a wrong service. */
  serviceConfusions: Array<{ gold: string; predicted: string; count: number }>;
  /** Per-message classification time in ms, wall clock (includes waiting for a busy CPU). */
  p50Ms: number;
  p99Ms: number;
  /** Per-message CPU time of the process in ms (what the classifier itself costs). */
  cpuP50Ms: number;
  cpuP99Ms: number;
  /** Misclassified items (text, gold, predicted), for a developer looking at the data. */
  errors: Array<{ item: LabelledItem; got: Classification }>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function countPairs(pairs: Array<[string, string]>): Array<{ gold: string; predicted: string; count: number }> {
  const counts = new Map<string, number>();
  for (const [g, p] of pairs) counts.set(`${g}\u0000${p}`, (counts.get(`${g}\u0000${p}`) ?? 0) + 1);
  return [...counts.entries()]
    .map(([k, count]) => {
      const [gold, predicted] = k.split('\u0000') as [string, string];
      return { gold, predicted, count };
    })
    .sort((a, b) => b.count - a.count || a.gold.localeCompare(b.gold));
}

/** Classifies every item and tallies the results; then times `timingRounds - 1` more rounds (the first warms up). */
export async function evaluate(classifier: Classifier, items: LabelledItem[], options: { timingRounds?: number } = {}): Promise<EvalReport> {
  const perIntent = Object.fromEntries(INTENTS.map((i) => [i, { recall: { correct: 0, total: 0 }, precision: { correct: 0, total: 0 } }])) as EvalReport['perIntent'];
  const perVariety: EvalReport['perVariety'] = {};
  const intent: Tally = { correct: 0, total: 0 };
  const service: Tally = { correct: 0, total: 0 };
  const language: Tally = { correct: 0, total: 0 };
  const intentPairs: Array<[string, string]> = [];
  const servicePairs: Array<[string, string]> = [];
  const errors: EvalReport['errors'] = [];
  for (const item of items) {
    const got = await classifier.classify(item.text);
    const v = (perVariety[item.variety] ??= { intent: { correct: 0, total: 0 }, service: { correct: 0, total: 0 } });
    const intentOk = got.intent === item.intent;
    intent.total += 1;
    v.intent.total += 1;
    perIntent[item.intent].recall.total += 1;
    perIntent[got.intent].precision.total += 1;
    if (intentOk) {
      intent.correct += 1;
      v.intent.correct += 1;
      perIntent[item.intent].recall.correct += 1;
      perIntent[got.intent].precision.correct += 1;
    } else intentPairs.push([item.intent, got.intent]);
    let serviceOk = true;
    if (item.service !== null) {
      serviceOk = got.service === item.service;
      service.total += 1;
      v.service.total += 1;
      if (serviceOk) {
        service.correct += 1;
        v.service.correct += 1;
      }
    }
    if (got.service !== item.service) servicePairs.push([item.service ?? 'null', got.service ?? 'null']);
    language.total += 1;
    if (got.language === item.language) language.correct += 1;
    if (!intentOk || !serviceOk || got.language !== item.language) errors.push({ item, got });
  }
  const times: number[] = [];
  const cpu: number[] = [];
  const rounds = options.timingRounds ?? 5;
  for (let r = 0; r < rounds; r++) {
    for (const item of items) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await classifier.classify(item.text);
      const elapsed = performance.now() - t0;
      const used = process.cpuUsage(c0);
      if (r === 0) continue;
      times.push(elapsed);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    items: items.length,
    intentAccuracy: rate(intent),
    serviceAccuracy: rate(service),
    languageAccuracy: rate(language),
    perIntent,
    perVariety,
    confusions: countPairs(intentPairs),
    serviceConfusions: countPairs(servicePairs),
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    cpuP50Ms: percentile(cpu, 50),
    cpuP99Ms: percentile(cpu, 99),
    errors,
  };
}
