/**
 * Loads labelled message sets and measures a classifier against them (used by run-eval.ts, the k-fold
 * cross-validation and the tests). A message on which the classifier would ask (clarify.ts
 * `clarificationChoices`) counts as neither right nor wrong: accuracies are over the decided messages,
 * and the clarification rate is reported apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { INTENTS, type Intent } from '../../bot/core/types.js';
import { clarificationChoices, routeOf } from '../../bot/nlu/clarify.js';
import type { Classification, Classifier } from '../../bot/nlu/types.js';

const EVAL_DIR = dirname(fileURLToPath(import.meta.url));
/** Path of the labelled set. */
export const LABELLED_FILE = join(EVAL_DIR, 'labelled.yaml');
/** Paths of the blind sets (test/eval/blind-YYYY-MM[a-z].yaml), oldest first. */
export function blindFiles(): string[] {
  return readdirSync(EVAL_DIR)
    .filter((f) => /^blind-\d{4}-\d{2}[a-z]?\.yaml$/.test(f))
    .sort()
    .map((f) => join(EVAL_DIR, f));
}

/** Paths of the development sets (test/eval/dev-YYYY-MM[a-z].yaml): written for tuning, never blind. */
export function devFiles(): string[] {
  return readdirSync(EVAL_DIR)
    .filter((f) => /^dev-\d{4}-\d{2}[a-z]?\.yaml$/.test(f))
    .sort()
    .map((f) => join(EVAL_DIR, f));
}

const itemSchema = z
  .object({
    text: z.string().min(1),
    intent: z.enum(INTENTS),
    service: z.string().nullable(),
    language: z.enum(['ar', 'en']),
    variety: z.enum(['msa', 'gulf', 'en', 'arabizi', 'mixed']),
  })
  .strict();
/** One labelled message. */
export type LabelledItem = z.infer<typeof itemSchema>;
/** A message with its gold labels; `language` may be unknown (training lines). */
export type EvalItem = Omit<LabelledItem, 'language' | 'variety'> & { language?: 'ar' | 'en'; variety: string };

/** Reads and validates a labelled set (default: labelled.yaml). */
export function loadLabelled(file = LABELLED_FILE): LabelledItem[] {
  return z.array(itemSchema).parse(parse(readFileSync(file, 'utf8')));
}

/** Correct / total. */
export interface Tally {
  correct: number;
  total: number;
}
const rate = (t: Tally): number => (t.total === 0 ? 1 : t.correct / t.total);
const tally = (): Tally => ({ correct: 0, total: 0 });
const count = (t: Tally, ok: boolean): void => {
  t.total += 1;
  if (ok) t.correct += 1;
};

/** The figures of one group of messages (all, one variety, one service). */
export interface GroupFigures {
  messages: number;
  clarified: number;
  route: Tally;
  intent: Tally;
  service: Tally;
}
const group = (): GroupFigures => ({ messages: 0, clarified: 0, route: tally(), intent: tally(), service: tally() });

/** What one evaluation found. */
export interface EvalReport {
  items: number;
  /** Over decided messages (not clarified). */
  routeAccuracy: number;
  intentAccuracy: number;
  /** Over decided messages that have a gold service. */
  serviceAccuracy: number;
  languageAccuracy: number;
  /** Share of messages on which the bot would ask. */
  clarificationRate: number;
  /** Share of clarified messages whose gold route is among the choices offered. */
  clarificationHelpful: number;
  /** The top guess on every message, as if the bot never asked. */
  raw: { route: number; intent: number; service: number };
  overall: GroupFigures;
  /** Per gold intent: recall (correct/total) and precision over the predictions of that intent (decided messages). */
  perIntent: Record<Intent, { recall: Tally; precision: Tally }>;
  perVariety: Record<string, GroupFigures>;
  perService: Record<string, GroupFigures>;
  /** gold → predicted intent, most frequent first (decided messages). */
  confusions: Array<{ gold: string; predicted: string; count: number }>;
  /** gold → predicted service, over decided items with a gold service or a wrong service. */
  serviceConfusions: Array<{ gold: string; predicted: string; count: number }>;
  /** Per-message classification time in ms, wall clock (includes waiting for a busy CPU). */
  p50Ms: number;
  p99Ms: number;
  /** Per-message CPU time of the process in ms (what the classifier itself costs). */
  cpuP50Ms: number;
  cpuP99Ms: number;
  /** Misclassified items (text, gold, predicted), for a developer looking at the data. */
  errors: Array<{ item: EvalItem; got: Classification }>;
  /** Clarified items. */
  clarified: Array<{ item: EvalItem; got: Classification }>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function countPairs(pairs: Array<[string, string]>): Array<{ gold: string; predicted: string; count: number }> {
  const counts = new Map<string, number>();
  for (const [g, p] of pairs) counts.set(`${g}\u0000${p}`, (counts.get(`${g}\u0000${p}`) ?? 0) + 1);
  return [...counts.entries()]
    .map(([k, n]) => {
      const [gold, predicted] = k.split('\u0000') as [string, string];
      return { gold, predicted, count: n };
    })
    .sort((a, b) => b.count - a.count || a.gold.localeCompare(b.gold));
}

/** Classifies every item and tallies the results; then times `timingRounds - 1` more rounds (the first warms up). */
export async function evaluate(
  classifier: Classifier,
  items: EvalItem[],
  options: { timingRounds?: number; limits?: { confidence: number; margin: number } } = {},
): Promise<EvalReport> {
  const perIntent = Object.fromEntries(INTENTS.map((i) => [i, { recall: tally(), precision: tally() }])) as EvalReport['perIntent'];
  const perVariety: Record<string, GroupFigures> = {};
  const perService: Record<string, GroupFigures> = {};
  const overall = group();
  const language = tally();
  const helpful = tally();
  const raw = { route: tally(), intent: tally(), service: tally() };
  const intentPairs: Array<[string, string]> = [];
  const servicePairs: Array<[string, string]> = [];
  const errors: EvalReport['errors'] = [];
  const clarified: EvalReport['clarified'] = [];
  for (const item of items) {
    const got = await classifier.classify(item.text);
    perVariety[item.variety] ??= group();
    const groups = [overall, perVariety[item.variety]!];
    if (item.service !== null) {
      perService[item.service] ??= group();
      groups.push(perService[item.service]!);
    }
    const routeOk = routeOf(got.intent) === routeOf(item.intent);
    const intentOk = got.intent === item.intent;
    const serviceOk = item.service === null || got.service === item.service;
    count(raw.route, routeOk);
    count(raw.intent, intentOk);
    if (item.service !== null) count(raw.service, serviceOk);
    if (item.language) count(language, got.language === item.language);
    for (const g of groups) g.messages += 1;
    const choices = clarificationChoices(got, options.limits);
    if (choices) {
      for (const g of groups) g.clarified += 1;
      count(
        helpful,
        choices.some((c) => routeOf(c.intent) === routeOf(item.intent)),
      );
      clarified.push({ item, got });
      continue;
    }
    for (const g of groups) {
      count(g.route, routeOk);
      count(g.intent, intentOk);
      if (item.service !== null) count(g.service, serviceOk);
    }
    count(perIntent[item.intent].recall, intentOk);
    count(perIntent[got.intent].precision, intentOk);
    if (!intentOk) intentPairs.push([item.intent, got.intent]);
    if (got.service !== item.service) servicePairs.push([item.service ?? 'null', got.service ?? 'null']);
    if (!routeOk || !intentOk || !serviceOk || (item.language && got.language !== item.language)) errors.push({ item, got });
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
    routeAccuracy: rate(overall.route),
    intentAccuracy: rate(overall.intent),
    serviceAccuracy: rate(overall.service),
    languageAccuracy: rate(language),
    clarificationRate: items.length === 0 ? 0 : overall.clarified / items.length,
    clarificationHelpful: rate(helpful),
    raw: { route: rate(raw.route), intent: rate(raw.intent), service: rate(raw.service) },
    overall,
    perIntent,
    perVariety,
    perService,
    confusions: countPairs(intentPairs),
    serviceConfusions: countPairs(servicePairs),
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    cpuP50Ms: percentile(cpu, 50),
    cpuP99Ms: percentile(cpu, 99),
    errors,
    clarified,
  };
}
