/**
 * Cues the networks miss on unseen wording, read from the normalized text (model.ts applies them after
 * the networks): asking ABOUT a service rather than filing it, following up a request already made, and
 * a suggestion worded as «ليش ما…؟». Each is a pattern of the question's frame, never of one service.
 */
import { conceptOf } from './lexicon.js';

// Word boundaries for Arabic and Latin words in normalized text (\b does not see Arabic letters).
const B = String.raw`(?:^|\s)`;
const E = String.raw`(?=\s|$)`;
/**
 * Cues that a message asks ABOUT a service rather than files it: coverage («يشمل», "does it include"),
 * eligibility («يحق», "can I apply if…", "allowed"), a choice between options («ولا لا», «ولا بس», "or only",
 * "or what") and how long it usually takes («عادة», "usually"). Matched on `normalizeForMatch` text.
 */
const ASK_ABOUT = new RegExp(
  [
    `${B}(?:و)?(?:يشمل|تشمل|يشملون|تشملون|يشملها|تشملها|يغطي|تغطي|يحق|يجوز|مسموح|ينفع|يسمح|تسمح|عاده|عادتا|عادتن|عادتا)${E}`,
    `${B}(?:ولا|او) (?:لا|بس|كم|شو|وش|ايش)${E}`,
    `${B}(?:لو|اذا) (?:انا|كنت|ما كنت|مب|مو|عمري|عمره)${E}`,
    `${B}(?:yeshmal|teshmal|yshmal|tshmal|yashmal|tashmal|ye7eg|y7ig|3adatan|3adatn|3adaten)${E}`,
    `${B}walla (?:la|bas|kam|esh|shu)${E}`,
    `${B}(?:ida|itha|lo) ana${E}`,
    `${B}(?:include|includes|included|including|cover|covers|covered|eligible|allowed|entitled|qualify|usually|typically|normally)${E}`,
    `${B}or (?:only|just|what|not|also)${E}`,
    `${B}(?:only|just) (?:for|on|in|citizens|omanis|men|women)${E}`,
    `${B}what if${E}`,
    `${B}if (?:i am|im|i'm|i m|my|we are|i do not|i don't|i dont)${E}`,
    `${B}(?:not|non) (?:omani|omanis|a citizen|citizens|resident)${E}`,
    `${B}(?:does|do|did|is|are|will) (?:it|the|this|that|they|you) [^?]*\\b(?:also|too|even|only)${E}`,
  ].join('|'),
);

/** A question between two options («بالساعة ولا باليوم؟», "sana walla shahar?", "1 year or 2?"): the raw text ends with a question mark. */
const CHOICE_QUESTION = /(?:^|\s)(?:ولا|walla|wila|or)\s[^?؟]{1,40}[?؟]\s*$/i;

/** True when a message asks about a service (its coverage, who may apply, how long it usually takes, which option) rather than files it. */
export function asksAboutService(normalized: string, raw = ''): boolean {
  return ASK_ABOUT.test(normalized) || CHOICE_QUESTION.test(raw);
}

/**
 * Cues of a status look-up that names a service («أتابع طلب…», «هل تم اعتماد…», "any update on",
 * "following up on", "has it been approved"). Matched on `normalizeForMatch` text.
 */
const STATUS_CUE = new RegExp(
  [
    `${B}(?:اتابع|نتابع|متابعه)(?: علي)? (?:طلب|طلبي|معامله|معاملتي)`,
    `${B}(?:هل )?(?:تم|تمت) (?:اعتماد|قبول|الموافقه|الرد|تحديد|اعتمدتوا)`,
    `${B}(?:تمت|صارت) الموافقه علي`,
    `${B}(?:ata3ab|at3ab|anab3)${E}`,
    `${B}(?:any update|following up|follow up on|followup on|has it been|have they approved|been approved|been accepted)${E}`,
  ].join('|'),
);

/** True when a message follows up on a request already made. */
export function followsUpRequest(normalized: string): boolean {
  return STATUS_CUE.test(normalized);
}

/**
 * «ليش ما تخلون/تسوون/تحطون…؟», "why don't you add…", "why not open…": a suggestion worded as a
 * question (a complaint asks why something was NOT done to the writer: «ليش ما تردون؟»).
 */
const WHY_NOT_CHANGE = new RegExp(
  [
    `${B}(?:ليش|ليه|لماذا|لم) (?:ما|لا) (?:تخلون|تسوون|تحطون|تفتحون|تضيفون|تنشرون|توفرون|تعملون|تسمحون|تخصصون|تركبون|يتم توفير|يتم اضافه|تسوو|تحطو|تخلو)${E}`,
    `${B}(?:laish|lesh|leish|laysh) ma (?:tsawoon|tsawon|t5aloon|tkhaloon|t7o6oon|t7ottoon|t7otoon|tiftahoon|tift7oon|tzeedoon)${E}`,
    `${B}why (?:do not|don't|dont) you (?:add|make|let|open|put|provide|publish|offer|allow|create|install|set up|have)${E}`,
    `${B}why not (?:add|make|let|open|put|provide|publish|offer|allow|create|install|set up|have)${E}`,
  ].join('|'),
);

/**
 * A change asked for politely, for everyone rather than for the writer: «ممكن تضيفون…», «يا ليت تسوون…»,
 * «لو توفرون…», "it would be nice to have…", "you should add…", "how about adding…".
 */
const POLITE_CHANGE = new RegExp(
  [
    `${B}(?:ممكن|لو|ياليت|يا ليت|ياريت|يا ريت|نتمني|اتمني|نرجو|حبذا لو|حبذا) (?:تضيفون|تسوون|تحطون|توفرون|تفتحون|تخلون|تزيدون|تعملون|تنشرون|تخصصون|تركبون|تضيفوا|تسووا|تحطوا|توفروا|يكون في|يكون فيه|يصير في|يضاف|يتم توفير|يتم اضافه)${E}`,
    `${B}(?:mumkin|momkin|law|lo|ya ret|yaret|ya rait|yarait|ya leet|yaleet) (?:tzeedoon|tdheefoon|tdhifoon|tsawoon|tsawon|t7o6oon|t7otoon|twafiroon|tiftahoon|tift7oon)${E}`,
    `${B}it would be (?:nice|great|good|better|helpful|useful) (?:if|to)${E}`,
    `${B}(?:you should|you could|maybe you could|how about|what about|please consider) (?:add|adding|make|making|open|opening|put|putting|provide|providing|have|having|install|installing|offer|offering|create|creating|plant|planting|build|building)${E}`,
  ].join('|'),
);

/** True when a message suggests a change worded as «ليش ما…؟» / "why don't you…?" or as a polite wish, and voices no anger or delay. */
export function suggestsChange(normalized: string): boolean {
  if (!WHY_NOT_CHANGE.test(normalized) && !POLITE_CHANGE.test(normalized)) return false;
  return !normalized.split(' ').some((w) => {
    const c = conceptOf(w);
    return c === 'anger' || c === 'delay' || c === 'complain';
  });
}
