/**
 * Routes (the kind of handling a message gets) and the "when unsure, ask" rule. The evaluation scores
 * routes, and the pipeline asks one numbered question when `clarificationChoices` returns choices.
 */
import type { Intent } from '../core/types.js';
import type { Classification } from './types.js';

/** The kind of handling: answer, approved reply, status, intake, agent, small talk. */
export type Route = 'answer' | 'tajawob' | 'status' | 'intake' | 'agent' | 'small-talk';

const ROUTE_OF: Record<Intent, Route> = {
  greeting: 'small-talk',
  thanks: 'small-talk',
  inquiry: 'answer',
  status: 'status',
  complaint: 'tajawob',
  suggestion: 'tajawob',
  report: 'tajawob',
  unknown: 'tajawob',
  agent: 'agent',
  procedural_request: 'intake',
};

/** The route of an intent. */
export function routeOf(intent: Intent): Route {
  return ROUTE_OF[intent];
}

/** A choice offered to the resident. */
export interface Choice {
  intent: Intent;
  service: string | null;
}

/** Below this score the top route is not trusted alone (tuned on k-fold and labelled figures only). */
export const MIN_CONFIDENCE = 0.6;
/** Below this share of the service scores the classifier returns no service (a filing's weak guess aside, model.ts). */
export const SERVICE_THRESHOLD = 0.5;
/** Two routes whose scores are closer than this are "close" (tuned on k-fold and labelled figures only). */
export const MIN_MARGIN = 0.3;
/** A candidate below this score is not worth offering as a choice. */
const MIN_CHOICE_SCORE = 0.1;
/** Intents never offered as a choice (nothing to ask about). */
const NOT_A_CHOICE = new Set<Intent>(['unknown', 'greeting', 'thanks']);

/**
 * Two choices to ask about when the classification is unsure; null when it can be trusted. Scores are
 * summed per route (a complaint that might be a report is still sure of its route); the best
 * candidate of the top route and of the runner-up route are offered.
 */
export function clarificationChoices(
  c: Classification,
  limits: { confidence: number; margin: number } = { confidence: MIN_CONFIDENCE, margin: MIN_MARGIN },
): Choice[] | null {
  const alts = (c.alternatives ?? []).filter((a) => a.score >= MIN_CHOICE_SCORE || a.intent === c.intent);
  if (alts.length < 2) return null;
  const byRoute = new Map<Route, { score: number; best: Choice | undefined }>();
  for (const a of alts) {
    const r = byRoute.get(routeOf(a.intent)) ?? { score: 0, best: undefined };
    r.score += a.score;
    if (!r.best && !NOT_A_CHOICE.has(a.intent)) r.best = { intent: a.intent, service: a.service };
    byRoute.set(routeOf(a.intent), r);
  }
  const own = byRoute.get(routeOf(c.intent))!;
  let other: { score: number; best: Choice | undefined } | undefined;
  for (const [route, r] of byRoute) if (route !== routeOf(c.intent) && r.best && (!other || r.score > other.score)) other = r;
  if (!other) return null;
  const unsure = own.score < limits.confidence || own.score - other.score < limits.margin;
  if (!unsure) return null;
  const first: Choice | undefined = NOT_A_CHOICE.has(c.intent) ? own.best : { intent: c.intent, service: c.service };
  if (!first || !other.best) return null;
  return [first, other.best];
}
