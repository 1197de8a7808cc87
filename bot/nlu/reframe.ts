/**
 * The cues that overrule the networks (model.ts calls `applyCues` on their decision), each a pattern of how
 * a message is framed, never of one service (cues.ts): a wish for a change is a suggestion; a forecast
 * question is another authority's business; someone else's violation is a report; a grievance about the
 * writer's own request (refused, neglected, late) is a complaint; a calm coverage question is an inquiry and
 * «هل يمكنكم إرسال…» a filing; a follow-up is a status look-up; a question about a service is an inquiry.
 */
import type { Intent } from '../core/types.js';
import {
  asksAboutService,
  asksCoverage,
  asksForecast,
  complainsAboutRequest,
  followsUpRequest,
  reportsViolation,
  requestsAction,
  suggestsChange,
} from './cues.js';
import { conceptOf } from './lexicon.js';
import { normalizeForMatch } from './normalize.js';
import type { Classification } from './types.js';

/** Candidates kept in `alternatives`. */
export const MAX_ALTERNATIVES = 4;

/** Intents a wish for a change (cues.ts) turns into a suggestion. */
const SUGGESTION_FRAMES = new Set<Intent>(['complaint', 'thanks', 'inquiry', 'unknown', 'procedural_request']);

/** Intents a forecast question (cues.ts) turns into `unknown`. */
const FORECAST_FRAMES = new Set<Intent>(['procedural_request', 'inquiry', 'report']);
/** Intents a grievance about the writer's request (cues.ts) turns into a complaint. */
const GRIEVANCE_FRAMES = new Set<Intent>(['status', 'procedural_request', 'inquiry', 'unknown']);
/** Intents a report of someone else's violation (cues.ts) turns into a report. */
const VIOLATION_FRAMES = new Set<Intent>(['procedural_request', 'unknown', 'complaint']);

/** Emoji of anger (features.ts reads them as the word «angry»). */
const ANGRY_EMOJI = /[\u{1F620}\u{1F621}\u{1F624}\u{1F92C}]/u;

/** Whether a word of the message voices anger (or a complaint) and whether one voices delay (lexicon concepts). */
function voices(normalized: string, raw: string): { anger: boolean; delay: boolean } {
  const concepts = new Set(normalized.split(' ').map((w) => conceptOf(w)));
  return { anger: concepts.has('anger') || concepts.has('complain') || ANGRY_EMOJI.test(raw), delay: concepts.has('delay') };
}

/** Intents a question cue may overrule (a filing, an inquiry to firm up, a question about a service read as a status look-up or as nothing). */
const CUED_INTENTS = new Set<Intent>(['procedural_request', 'inquiry', 'status', 'unknown']);
/** Share of its score a candidate keeps when a question cue overrules the networks. */
const OVERRULED = 0.3;

/** The classification with `intent` (and `service`) put first by a cue; the other candidates are kept, scaled down, as alternatives. */
export function reframe(c: Classification, intent: Intent, service: string | null): Classification {
  const score = Math.max(c.confidence, 1 - OVERRULED);
  const rest = (c.alternatives ?? []).filter((a) => a.intent !== intent).map((a) => ({ ...a, score: a.score * OVERRULED }));
  return { ...c, intent, service, confidence: score, alternatives: [{ intent, service, score }, ...rest].slice(0, MAX_ALTERNATIVES) };
}

/** The networks' classification `c` of `text`, overruled where a cue says otherwise. */
export function applyCues(c: Classification, text: string): Classification {
  // A wish for a change read as a complaint, thanks, a question or a request naming no service.
  if (SUGGESTION_FRAMES.has(c.intent) && c.service === null && suggestsChange(normalizeForMatch(text))) return reframe(c, 'suggestion', null);
  const normalized = normalizeForMatch(text);
  // «بكرة بتمطر؟»: a forecast question naming rain is another authority's business, not a damage repair.
  if (FORECAST_FRAMES.has(c.intent) && asksForecast(normalized, text) && !normalized.split(' ').some((w) => conceptOf(w) === 'damage'))
    return reframe(c, 'unknown', null);
  // Someone else's violation (no permit, on the pavement, spoiled food, noise) read as a request for the matching service or as a complaint.
  if (VIOLATION_FRAMES.has(c.intent) && reportsViolation(normalized)) return reframe(c, 'report', null);
  const voiced = voices(normalized, text);
  // Below the threshold with a complaint as the best guess, a message that voices anger is that complaint.
  if (c.intent === 'unknown' && voiced.anger && c.alternatives?.find((a) => a.intent !== 'unknown')?.intent === 'complaint')
    return reframe(c, 'complaint', null);
  if (c.intent === 'complaint') {
    // «does the pothole team also fix sidewalks?»: a calm question about a service's coverage is an inquiry.
    if (voiced.anger || voiced.delay || !asksCoverage(normalized) || complainsAboutRequest(normalized, voiced, text)) return c;
    const asked = c.alternatives?.find((a) => a.intent === 'inquiry')?.service ?? null;
    return asked !== null ? reframe(c, 'inquiry', asked) : c;
  }
  // «هل يمكنكم إرسال فريق…؟»: a filing worded as a question to the office.
  if (c.intent === 'inquiry' && c.service !== null && requestsAction(normalized) && !asksCoverage(normalized))
    return reframe(c, 'procedural_request', c.service);
  // A grievance about the writer's own request (refused, neglected, late in anger) read as a look-up, a question or a filing.
  if (GRIEVANCE_FRAMES.has(c.intent) && complainsAboutRequest(normalized, voiced, text, c.intent === 'procedural_request'))
    return reframe(c, 'complaint', null);
  if (!CUED_INTENTS.has(c.intent)) return c;
  if (followsUpRequest(normalized)) return c.intent === 'status' || c.intent === 'unknown' ? c : reframe(c, 'status', null);
  if (!asksAboutService(normalized, text)) return c;
  // The service the message names: its own, else that of its inquiry candidate (a question read as a status look-up or as nothing).
  const service = c.service ?? c.alternatives?.find((a) => a.intent === 'inquiry')?.service ?? null;
  return service !== null ? reframe(c, 'inquiry', service) : c;
}
