import { orgVars, say, type TurnContext } from '../engine/context.js';
import { normalizeForMatch } from '../nlu/normalize.js';
import { departmentName, formatDuration, formatHours } from './format.js';
import { redirectToTajawob } from './small-talk.js';

/** Knowledge-base topics and the words that select them (matched on normalized text). */
const TOPICS: Array<{ id: 'assistant' | 'hours' | 'contacts' | 'portal' | 'services' | 'holidays' | 'tajawob'; words: RegExp }> = [
  // «انت روبوت؟», "is this automated?": what the assistant is, and how to reach a person.
  {
    id: 'assistant',
    words: /(?:^|\s)(?:ال)?(?:روبوت|ربوت|بوت|انسان|بشر|بشري)(?:\s|$)|ذكاء اصطناعي|\b(?:robot|bot|ai|automated|human|insan|ensan)\b|real person/,
  },
  { id: 'holidays', words: /اجاز|عطل|عيد|holiday|vacation|eid/ },
  { id: 'hours', words: /ساع|اوقات|وقت|دوام|تفتح|تسكر|تقفل|متي|hours|open|close|timing|when|working day/ },
  { id: 'contacts', words: /رقم|تلفون|هاتف|اتصال|اتصل|تواصل|واتس|contact|phone|number|call|whatsapp|reach|twitter|\bx\b/ },
  { id: 'portal', words: /بوابه|موقع|رابط|ايميل|بريد|portal|website|site|link|e-?mail|online/ },
  { id: 'services', words: /خدمات|الخدمات|services|what can|ايش تقدم|شو تقدم/ },
  { id: 'tajawob', words: /تجاوب|شكو|اشتكي|بلاغ|tajawob|complain|report/ },
];

/** Words that name one contact point of config/tawasul.yaml (matched on normalized text). */
const POINT_WORDS: Array<[string, RegExp]> = [
  ['whatsapp', /واتس|وتساب|whats ?app|\bwa\b/],
  ['email', /ايميل|الايميل|بريد|e ?mail|\bmail\b|helpdesk|help desk/],
  ['technical-support', /دعم فني|الدعم الفني|technical|tech support|\bsupport\b/],
  ['call-centre', /مركز الاتصال|كول سنتر|call ?cent|contact cent|hotline/],
  ['tajawob', /تجاوب|tajawob/],
  ['portal', /بوابه|portal|website/],
  ['x-alburaimigov', /تويتر|اكس|twitter|\bx\b/],
  ['x-burmunicpality', /تويتر|اكس|twitter|\bx\b/],
];
/** The aspect asked about a contact point: when it is open, or how to reach it. */
const ASKS_HOURS = /ساع|اوقات|وقت|دوام|تفتح|تسكر|تقفل|متي|يرد|hours|open|close|timing|when|available/;
const ASKS_VALUE = /رقم|عنوان|ايش|وش|شو|ما هو|ماهو|كيف|number|address|what is|what s|which|how/;

function lines(items: string[]): string {
  return items.map((s) => `• ${s}`).join('\n');
}

/** Answers an inquiry instantly from the configuration; an unanswerable one gets the approved reply. */
export function answerInquiry(ctx: TurnContext): void {
  const { services } = ctx.deps;
  const lang = ctx.language;
  const service = ctx.nlu?.service ? services.get(ctx.nlu.service) : undefined;
  if (service) {
    say(ctx, 'kb_service', {
      service: service.name[lang],
      department: departmentName(ctx, service.department),
      duration: formatDuration(ctx, service),
      needs: service.needs?.[lang] ?? '-',
    });
    return;
  }
  const text = normalizeForMatch(ctx.text);
  if (answerContactPoints(ctx, text)) return;
  const topics = TOPICS.filter((t) => t.words.test(text))
    .map((t) => t.id)
    .slice(0, 2);
  if (topics.length === 0) return redirectToTajawob(ctx);
  answerTopics(ctx, topics);
}

/** Answers a question about named contact points (their hours, or how to reach them) with just that; false when none is named. */
function answerContactPoints(ctx: TurnContext, text: string): boolean {
  const ids = new Set(POINT_WORDS.filter(([, re]) => re.test(text)).map(([id]) => id));
  const points = ctx.deps.config.contactPoints.filter((c) => ids.has(c.id));
  if (points.length === 0 || points.length > 2) return false;
  const hours = ASKS_HOURS.test(text);
  const value = ASKS_VALUE.test(text) || !hours;
  const lang = ctx.language;
  for (const c of points) {
    if (hours && value) say(ctx, 'kb_point', { name: c.name[lang], value: c.value, hours: formatHours(ctx, c.hours) });
    else if (hours) say(ctx, 'kb_point_hours', { name: c.name[lang], hours: formatHours(ctx, c.hours) });
    else say(ctx, 'kb_point_value', { name: c.name[lang], value: c.value });
  }
  return true;
}

/** Knowledge-base topics. */
export type Topic = (typeof TOPICS)[number]['id'];

/** Answers the given knowledge-base topics, in order. */
export function answerTopics(ctx: TurnContext, topics: Topic[]): void {
  const { config } = ctx.deps;
  const lang = ctx.language;
  for (const topic of topics) {
    switch (topic) {
      case 'hours':
        say(ctx, 'kb_hours', { lines: lines(config.contactPoints.map((c) => `${c.name[lang]}: ${formatHours(ctx, c.hours)}`)) });
        break;
      case 'contacts':
        say(ctx, 'kb_contacts', { ...orgVars(ctx), lines: lines(config.contactPoints.map((c) => `${c.name[lang]}: ${c.value}`)) });
        break;
      case 'portal':
        say(ctx, 'kb_portal', orgVars(ctx));
        break;
      case 'services':
        say(ctx, 'kb_services', {
          ...orgVars(ctx),
          procedural: config.defaults.proceduralWorkingDays,
          lines: lines(config.services.map((s) => `${s.name[lang]} (${formatDuration(ctx, s)})`)),
        });
        break;
      case 'holidays': {
        const today = ctx.deps.calendar.localDate(ctx.now);
        const next = ctx.deps.calendar
          .holidays()
          .filter((h) => h.to >= today)
          .slice(0, 4);
        say(ctx, 'kb_holidays', { lines: lines(next.map((h) => `${h.name[lang]}: ${h.from}${h.to !== h.from ? ` – ${h.to}` : ''}`)) });
        break;
      }
      case 'tajawob':
        say(ctx, 'kb_tajawob', orgVars(ctx));
        break;
      case 'assistant':
        say(ctx, 'kb_assistant', orgVars(ctx));
        break;
    }
  }
}
