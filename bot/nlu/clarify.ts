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

/** Below this score the top candidate is not trusted alone. */
export const MIN_CONFIDENCE = 0.5;
/** Two candidates of different routes closer than this are "close". */
export const MIN_MARGIN = 0.15;

/** Two or three choices to ask about when the classification is unsure; null when it can be trusted. */
export function clarificationChoices(c: Classification): Choice[] | null {
  const alts = c.alternatives ?? [];
  const top = alts[0];
  const second = alts.find((a) => routeOf(a.intent) !== routeOf(c.intent));
  if (!top || !second) return null;
  const unsure = c.confidence < MIN_CONFIDENCE || top.score - second.score < MIN_MARGIN;
  if (!unsure) return null;
  const choices: Choice[] = [{ intent: c.intent, service: c.service }, { intent: second.intent, service: second.service }];
  return choices;
}
