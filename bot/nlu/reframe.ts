/**
 * The cues that overrule the networks (model.ts calls `applyCues` on their decision), each a pattern of how
 * a message is framed, never of one service (cues.ts): a wish for a change is a suggestion; a forecast
 * question is another authority's business; someone else's violation is a report; a grievance about the
 * writer's own request (refused, neglected, late) is a complaint; a calm coverage question is an inquiry and
 * «هل يمكنكم إرسال…» a filing; a follow-up is a status look-up; a question about a service is an inquiry.
 */
import type { Intent } from '../core/types.js';
import {
  asksAboutByRule,
  asksCallback,
  asksOfficeByRule,
  asksTermsByRule,
  namesDeadAnimal,
  namesPestsNotProtection,
  wishesNewFacility,
} from './boundary-cues.js';
import {
  asksAboutService,
  asksCoverage,
  asksForecast,
  complainsAboutRequest,
  followsUpRequest,
  namesComplaint,
  namesOwnPastRequest,
  reportsViolation,
  requestsAction,
  suggestsChange,
} from './cues.js';
import { conceptOf } from './lexicon.js';
import { normalizeForMatch } from './normalize.js';
import { asksDifference, asksHowOfficeWorks, citesBrokenPromise, pleads, proposesForAll, proposesForSelf, type Voiced } from './office-cues.js';
import { asksAfterOwnRequest, asksGeneralKnowledge, namesWeather, voicesNeed } from './topic-cues.js';
import type { Classification } from './types.js';

/** The service network's best service other than none, even below its threshold (model.ts), with its score. */
export interface ServiceGuess {
  service: string | null;
  score: number;
}

/** Intents a general-knowledge question (topic-cues.ts) turns into `unknown`. */
const KNOWLEDGE_FRAMES = new Set<Intent>(['procedural_request', 'inquiry', 'status', 'unknown']);
/** Intents a need told as a story (topic-cues.ts) turns into a request for the guessed service. */
const STORY_FRAMES = new Set<Intent>(['complaint', 'report']);
/** Concepts that keep a story what the networks read it as: a hazard or a report its writer names (a broken fixture is no service's matter). */
const STORY_STOPS = new Set(['hazard', 'report', 'fixture']);
/** The service whose matter only weather causes (a fallen tree without rain or wind is a hazard to report). */
const WEATHER_SERVICE = 'weather-damage';
/** Services that neighbour others by their objects: a stray animal vs a dead one (cleanliness), a wadi vs its mosquitoes (pests). */
const STRAY_SERVICE = 'stray-animals';
const CLEAN_SERVICE = 'public-cleanliness';
const WADI_SERVICE = 'wadi-protection';
const PEST_SERVICE = 'pest-control';
/** The service network must guess the service at least this surely for a story to ask for it. */
const STORY_SERVICE = 0.2;
/** …and for a question about a service read as a look-up to name it. */
const QUESTION_SERVICE = 0.1;

/** Intents a calm question how the office works (office-cues.ts) turns into an inquiry without a service. */
const OFFICE_FRAMES = new Set<Intent>(['status', 'complaint', 'unknown', 'agent', 'thanks', 'report', 'suggestion']);
/** Intents a promise the office did not keep (office-cues.ts) turns into a complaint. */
const PROMISE_FRAMES = new Set<Intent>(['status', 'procedural_request', 'inquiry', 'unknown', 'report', 'agent', 'complaint']);
/** A request for a person read that surely stays one, whatever promise it recalls. */
const SURE_AGENT = 0.8;
/** Intents a proposal or wish for the writer's own place (office-cues.ts) turns into a filing of the guessed service. */
const SELF_FRAMES = new Set<Intent>(['suggestion', 'procedural_request', 'thanks', 'inquiry']);
/** The service network must guess the service at least this surely for such a proposal to file it. */
const SELF_SERVICE = 0.4;

/** Intents a plea to the office for a named service (office-cues.ts) turns into a filing of it. */
const PLEA_FRAMES = new Set<Intent>(['inquiry', 'thanks', 'report', 'unknown']);

/** A message opening with its own label as a suggestion: «اقتراح:», «مقترح», "suggestion:", "idea:", «iqtira7». */
const LABELLED_SUGGESTION = /^(?:اقتراح|اقتراحي|مقترح|مقترحي|suggestion|idea|my suggestion|iqtira7|eqtira7|e8tera7|i8tira7)(?: |$)/;

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

/** Best guesses below the threshold that anger makes a complaint. */
const ANGER_FRAMES = new Set<Intent>(['complaint', 'report']);

/** Emoji of anger (features.ts reads them as the word «angry»). */
const ANGRY_EMOJI = /[\u{1F620}\u{1F621}\u{1F624}\u{1F92C}]/u;

/** Whether a word of the normalized message belongs to `concept` (lexicon.ts, gazetteer.ts). */
const names = (normalized: string, concept: string): boolean => normalized.split(' ').some((w) => conceptOf(w) === concept);

/**
 * Whether a word of the message voices anger (or a complaint) and whether one voices delay (lexicon concepts);
 * `heated`: anger proper (a word of anger or an angry emoji), without the mere naming of a complaint.
 */
function voices(normalized: string, raw: string): Voiced & { heated: boolean } {
  const concepts = new Set(normalized.split(' ').map((w) => conceptOf(w)));
  const heated = concepts.has('anger') || ANGRY_EMOJI.test(raw);
  return { anger: heated || concepts.has('complain'), delay: concepts.has('delay'), heated };
}

/** Intents a question cue may overrule (a filing, an inquiry to firm up, a question about a service read as a status look-up or as nothing). */
const CUED_INTENTS = new Set<Intent>(['procedural_request', 'inquiry', 'status', 'unknown']);
/** Share of its score a candidate keeps when a question cue overrules the networks. */
const OVERRULED = 0.3;

/** The classification with `intent` (and `service`) put first by a cue; the other candidates are kept, scaled down, as alternatives. */
export function reframe(c: Classification, intent: Intent, service: string | null): Classification {
  const score = Math.max(c.confidence, 1 - OVERRULED);
  const rest = (c.alternatives ?? []).filter((a) => a.intent !== intent).map((a) => ({ ...a, score: a.score * OVERRULED }));
  // The network's service score holds only for the service it scored.
  const { serviceScore, ...plain } = c;
  const kept = service !== null && service === c.service && serviceScore !== undefined ? { serviceScore } : {};
  return { ...plain, intent, service, confidence: score, ...kept, alternatives: [{ intent, service, score }, ...rest].slice(0, MAX_ALTERNATIVES) };
}

/** The service of `c` moved to its neighbour where the message's objects say so: a dead animal, pests near a wadi. */
function neighbourService(c: Classification, normalized: string): Classification {
  // «قطاوة ميتة عند الحاوية», "dead goat by the road": a carcass is waste to remove, not a stray to catch.
  // «بعوض وايد عند الوادي، نبي رش»: pests named near a wadi, with no wall or protection asked, are for spraying.
  const to =
    c.service === STRAY_SERVICE && namesDeadAnimal(normalized)
      ? CLEAN_SERVICE
      : c.service === WADI_SERVICE && namesPestsNotProtection(normalized)
        ? PEST_SERVICE
        : null;
  if (to === null) return c;
  const alternatives = c.alternatives?.map((a) => (a.intent === c.intent && a.service === c.service ? { ...a, service: to } : a));
  // A cue named the service: the network's score was for the other one.
  const { serviceScore: _scored, ...plain } = c;
  return { ...plain, service: to, alternatives };
}

/** The networks' classification `c` of `text`, overruled where a cue says otherwise. */
export function applyCues(networks: Classification, text: string, guess: ServiceGuess = { service: null, score: 0 }): Classification {
  const normalized = normalizeForMatch(text);
  const c = neighbourService(networks, normalized);
  const voiced = voices(normalized, text);
  // No wish or question voiced in anger, delay or a complaint is calm; `calmQuestion` lets a complaint be named.
  const calm = !voiced.anger && !voiced.delay;
  const calmQuestion = !voiced.heated && !voiced.delay;
  // «أقترح ردم المستنقع المجاور لمنزلي», «ياليت تعطوني تصريح…»: a proposal or wish for the writer's own place files the service.
  if (SELF_FRAMES.has(c.intent) && guess.service !== null && guess.score >= SELF_SERVICE && proposesForSelf(normalized) && !reportsViolation(normalized))
    return reframe(c, 'procedural_request', c.intent === 'procedural_request' && c.service !== null ? c.service : guess.service);
  // «يستحسن تنظيم حملات…», "you should add a map of the camp sites": a proposal for everyone, read as a filing or a question.
  if (
    (c.intent === 'procedural_request' || c.intent === 'inquiry') &&
    proposesForAll(normalized, /[?؟]/.test(text)) &&
    !voicesNeed(normalized) &&
    !reportsViolation(normalized)
  )
    return reframe(c, 'suggestion', null);
  // A wish for a change read as a complaint, thanks, a question or a request naming no service.
  if (SUGGESTION_FRAMES.has(c.intent) && c.service === null && suggestsChange(normalized)) return reframe(c, 'suggestion', null);
  // «ودي لو تسوون مأوى للكلاب», "why not build a park…": a wish that the office make something new, even naming a service's object.
  if (SUGGESTION_FRAMES.has(c.intent) && wishesNewFacility(normalized) && calm) return reframe(c, 'suggestion', null);
  // «البائع المتجول لازم يكون عماني؟»: a calm question on a service's terms read as a suggestion asks about the service.
  if (
    c.intent === 'suggestion' &&
    guess.service !== null &&
    guess.score >= QUESTION_SERVICE &&
    asksTermsByRule(normalized, text) &&
    !suggestsChange(normalized) &&
    calm
  )
    return reframe(c, 'inquiry', guess.service);
  // «اقتراح: محادثة مع موظف بالليل»: a message its writer labels a suggestion is one, even naming a person.
  if (c.intent === 'agent' && LABELLED_SUGGESTION.test(normalized)) return reframe(c, 'suggestion', null);
  // «منو والي محضة؟», "how many wilayats…?": general knowledge, nobody's service.
  if (KNOWLEDGE_FRAMES.has(c.intent) && asksGeneralKnowledge(normalized)) return reframe(c, 'unknown', null);
  // «بكرة بتمطر؟»: a forecast question naming rain is another authority's business, not a damage repair.
  if (FORECAST_FRAMES.has(c.intent) && asksForecast(normalized, text) && !names(normalized, 'damage')) return reframe(c, 'unknown', null);
  // Someone else's violation (no permit, on the pavement, spoiled food, noise) read as a request for the matching service or as a complaint.
  // A message its writer calls a complaint stays one.
  if (VIOLATION_FRAMES.has(c.intent) && reportsViolation(normalized) && !(c.intent === 'complaint' && namesComplaint(normalized)))
    return reframe(c, 'report', null);
  // «قلتوا بتجون السبت وما جيتوا»: a promise or a date the office did not keep is a grievance.
  if (PROMISE_FRAMES.has(c.intent) && !(c.intent === 'agent' && c.confidence >= SURE_AGENT) && citesBrokenPromise(normalized))
    return reframe(c, 'complaint', null);
  // «بترسلون مسج لما يخلص الطلب؟», «الشكاوي وين تروح؟», "is there a tracking page?": how the office works, an inquiry.
  // An inquiry it already is stays one (not a look-up because it names «طلبي»).
  if (
    (OFFICE_FRAMES.has(c.intent) || (c.intent === 'inquiry' && c.service === null)) &&
    // Asking how a complaint and a request differ names both and voices neither.
    (asksDifference(normalized) ||
      ((asksHowOfficeWorks(normalized, text, voiced) || (calmQuestion && asksOfficeByRule(normalized, text))) &&
        !citesBrokenPromise(normalized) &&
        !complainsAboutRequest(normalized, voiced, text)))
  )
    return reframe(c, 'inquiry', null);
  // «fi wa6aif 3indkum?», «ساكن في العين، اقدر اقدم من هناك؟»: how the office works, read as a filing.
  if (c.intent === 'procedural_request' && calmQuestion && asksOfficeByRule(normalized, text)) return reframe(c, 'inquiry', null);
  // «شجرة طايحة على الشارع» with no rain, wind or flood named: a hazard to report, not weather damage to repair.
  if (c.intent === 'procedural_request' && c.service === WEATHER_SERVICE && names(normalized, 'hazard') && !namesWeather(normalized))
    return reframe(c, 'report', null);
  // «عمود كهرباء مايل، خايفين يطيح»: a public fixture broken or dangerous, with no weather named and no need voiced, is a hazard to report.
  if (c.intent === 'procedural_request' && names(normalized, 'fixture') && names(normalized, 'hazard') && !namesWeather(normalized) && !voicesNeed(normalized))
    return reframe(c, 'report', null);
  // «ما عرفت شي عن طلب الليوان، اتطمن؟»: a calm question how far the writer's request has come, read as a complaint.
  if (c.intent === 'complaint' && !voiced.anger && !voiced.delay && asksAfterOwnRequest(normalized) && !complainsAboutRequest(normalized, voiced, text))
    return reframe(c, 'status', null);
  // «الصراصير مالية المطبخ ورشينا وما نفع، نبي فريق»: a need told as a story or a grievance asks for the service it describes.
  if (
    STORY_FRAMES.has(c.intent) &&
    guess.service !== null &&
    guess.score >= STORY_SERVICE &&
    voicesNeed(normalized) &&
    !normalized.split(' ').some((w) => STORY_STOPS.has(conceptOf(w) ?? '')) &&
    !namesComplaint(normalized) &&
    !reportsViolation(normalized) &&
    !complainsAboutRequest(normalized, voiced, text)
  )
    return reframe(c, 'procedural_request', guess.service);
  // Below the threshold with a complaint (or a report, its neighbour) as the best guess, a message that voices anger is a complaint.
  if (c.intent === 'unknown' && voiced.anger && ANGER_FRAMES.has(c.alternatives?.find((a) => a.intent !== 'unknown')?.intent ?? 'unknown'))
    return reframe(c, 'complaint', null);
  if (c.intent === 'complaint') {
    // «does the pothole team also fix sidewalks?»: a calm question about a service's coverage is an inquiry.
    if (voiced.anger || voiced.delay || !asksCoverage(normalized) || complainsAboutRequest(normalized, voiced, text)) return c;
    const asked = c.alternatives?.find((a) => a.intent === 'inquiry')?.service ?? (guess.score >= QUESTION_SERVICE ? guess.service : null);
    return asked !== null ? reframe(c, 'inquiry', asked) : c;
  }
  // «أهيب بكم إرسال فريق لجمع الكلاب»: a plea (not a question) for a service's matter files it.
  if (
    PLEA_FRAMES.has(c.intent) &&
    guess.service !== null &&
    guess.score >= SELF_SERVICE &&
    pleads(normalized) &&
    !/[?؟]/.test(text) &&
    !asksAboutService(normalized, text) &&
    !reportsViolation(normalized) &&
    !normalized.split(' ').some((w) => STORY_STOPS.has(conceptOf(w) ?? ''))
  )
    return reframe(c, 'procedural_request', c.service ?? guess.service);
  // «هل يمكنكم إرسال فريق…؟»: a filing worded as a question to the office.
  if (c.intent === 'inquiry' && c.service !== null && requestsAction(normalized) && !asksCoverage(normalized))
    return reframe(c, 'procedural_request', c.service);
  // A grievance about the writer's own request (refused, neglected, late in anger) read as a look-up, a question or a filing.
  if (GRIEVANCE_FRAMES.has(c.intent) && complainsAboutRequest(normalized, voiced, text, c.intent === 'procedural_request'))
    return reframe(c, 'complaint', null);
  // «ممكن موظف يتصل علي؟», "can someone call me back": a person asked for, not a question.
  if ((c.intent === 'inquiry' || c.intent === 'unknown') && !voiced.anger && asksCallback(normalized)) return reframe(c, 'agent', null);
  if (!CUED_INTENTS.has(c.intent)) return c;
  if (followsUpRequest(normalized) || asksAfterOwnRequest(normalized)) return c.intent === 'status' || c.intent === 'unknown' ? c : reframe(c, 'status', null);
  if (!asksAboutService(normalized, text) && (namesOwnPastRequest(normalized) || !asksAboutByRule(normalized, text))) return c;
  // The service the message names: its own, else that of its inquiry candidate (a question read as a status look-up or as nothing).
  const service = c.service ?? c.alternatives?.find((a) => a.intent === 'inquiry')?.service ?? (guess.score >= QUESTION_SERVICE ? guess.service : null);
  // A question about a service read as a look-up is an inquiry even when no service can be told («هل يشترط لطلب…؟»).
  return service !== null || c.intent === 'status' ? reframe(c, 'inquiry', service) : c;
}
