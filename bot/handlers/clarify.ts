/**
 * "When unsure, ask": one short numbered question when the classifier hesitates between routes
 * (`clarificationChoices` in bot/nlu/clarify.ts), and reading the resident's answer to it.
 */

import type { Intent } from '../core/types.js';
import { say, type TurnContext } from '../engine/context.js';
import type { Choice } from '../nlu/clarify.js';
import { normalizeForMatch, toAsciiDigits } from '../nlu/normalize.js';

const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';

/** Words that name a choice in an answer (matched on normalized text). */
const CHOICE_WORDS: Partial<Record<Intent, RegExp>> = {
  complaint: /شكو|شكاو|اشتكي|complain/,
  suggestion: /اقتراح|مقترح|اقترح|suggest/,
  report: /بلاغ|ابلغ|report/,
  inquiry: /استفسار|استفسر|سوال|اسال|استعلام|inquir|enquir|question|\bask|info/,
  procedural_request: /تقديم|اقدم|طلب خدمه|اطلب|request|apply|\bfile\b|filing/,
  status: /متابعه|حاله|تابع|status|follow|track/,
  agent: /موظف|شخص|انسان|agent|person|human|staff/,
  greeting: /تحيه|سلام|hello|menu|القائمه/,
};
const ORDINALS: RegExp[] = [
  /^(الاول|الاولي|اول|اولا|first|1st|the first)$/,
  /^(الثاني|الثانيه|ثاني|second|2nd|the second)$/,
  /^(الثالث|الثالثه|ثالث|third|3rd|the third)$/,
];

/** Asks which of the choices the resident means, keeping the original message to route it by the answer. */
export function askClarification(ctx: TurnContext, choices: Choice[]): void {
  const lang = ctx.language;
  const lines = choices.map((c, i) => {
    const n = lang === 'ar' ? String(i + 1).replace(/\d/g, (d) => ARABIC_INDIC[Number(d)]!) : String(i + 1);
    const service = c.service ? ctx.deps.services.get(c.service)?.name[lang] : undefined;
    return `${n}) ${ctx.deps.templates.render(lang, `choice_${c.intent}`, { service: service ?? 'none' })}`;
  });
  ctx.state.clarification = { text: ctx.text, choices };
  say(ctx, 'clarify', { choices: lines.join('\n') }, 'answer');
}

/**
 * The choice an answer picks: a number (Latin or Arabic-Indic), an ordinal, or words naming one
 * choice; failing that, the answer's own classification when its route is one of the choices.
 */
export async function pickChoice(ctx: TurnContext, choices: Choice[], classify: () => Promise<void>): Promise<Choice | undefined> {
  const n = toAsciiDigits(normalizeForMatch(ctx.text));
  const num = /^\d{1,2}$/.test(n) ? Number(n) : ORDINALS.findIndex((re) => re.test(n)) + 1;
  if (num >= 1) return choices[num - 1];
  const named = choices.filter((c) => CHOICE_WORDS[c.intent]?.test(n));
  if (named.length === 1) return named[0];
  if (!/\p{L}/u.test(n)) return undefined;
  await classify();
  const nlu = ctx.nlu;
  if (!nlu || nlu.intent === 'unknown') return undefined;
  const same = choices.filter((c) => c.intent === nlu.intent);
  return same.length === 1 ? same[0] : undefined;
}
