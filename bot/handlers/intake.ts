/**
 * The intake dialogue: collects what the SLA says a request holds, one field at a time, validates
 * each answer, shows a summary, and files the request in one transaction on confirmation. The
 * dialogue lives in the conversation state (keyv), so it survives restarts; nothing is stored in the
 * request store before the resident confirms.
 */
import type { FieldId, ServiceConfig } from '../../config/schema.js';
import { say, type TurnContext } from '../engine/context.js';
import type { Dialogue } from '../engine/state.js';
import { MIN_CONFIDENCE, SERVICE_THRESHOLD } from '../nlu/clarify.js';
import { findOmaniPhone } from '../nlu/entities.js';
import { normalizeForMatch, toAsciiDigits } from '../nlu/normalize.js';
import { departmentName, formatInstant } from './format.js';
import { editTarget, FIELD_VALIDATORS, isCancel, isConfirm, isSkip } from './intake-fields.js';

function serviceList(ctx: TurnContext): string {
  return ctx.deps.config.services.map((s, i) => `${i + 1}) ${s.name[ctx.language]}`).join('\n');
}

function nextField(service: ServiceConfig, d: Dialogue): FieldId | undefined {
  return service.fields.find((f) => d.values[f.id] === undefined)?.id;
}

function ask(ctx: TurnContext, service: ServiceConfig, d: Dialogue): void {
  const field = nextField(service, d);
  if (field) {
    d.awaiting = field;
    return say(ctx, `ask_${field}`, {}, 'intake');
  }
  d.awaiting = 'confirm';
  d.editing = false;
  const lines = service.fields.filter((f) => d.values[f.id]).map((f) => `• ${ctx.deps.templates.render(ctx.language, `field_${f.id}`)}: ${d.values[f.id]}`);
  if (d.attachments.length) lines.push(`• ${ctx.deps.templates.render(ctx.language, 'field_attachments')}: ${d.attachments.length}`);
  say(ctx, 'confirm', { service: service.name[ctx.language], lines: lines.join('\n') }, 'intake');
}

/** The question that resumes a paused dialogue (after an agent hands the chat back). */
export function resumeQuestion(d: Dialogue): string | undefined {
  if (d.awaiting === 'confirm') return 'confirm_again';
  if (d.awaiting === 'service') return undefined;
  return `ask_${d.awaiting}`;
}

/** Starts a dialogue for a service (or asks which service when unknown). */
export function startIntake(ctx: TurnContext, serviceId: string | null): void {
  const d: Dialogue = { serviceId: null, values: {}, attachments: [], awaiting: 'service', startedAt: ctx.now.getTime() };
  ctx.state.dialogue = d;
  const service = serviceId ? ctx.deps.services.get(serviceId) : undefined;
  if (!service) return say(ctx, 'ask_service', { lines: serviceList(ctx) }, 'intake');
  begin(ctx, service, d);
}

function begin(ctx: TurnContext, service: ServiceConfig, d: Dialogue): void {
  d.serviceId = service.id;
  // Facts the channel already verified (WhatsApp number, e-mail sender) are prefilled; the summary shows them.
  const phone = ctx.msg.from.phone ? findOmaniPhone(ctx.msg.from.phone) : undefined;
  if (phone && service.fields.some((f) => f.id === 'phone')) d.values.phone = phone;
  if (ctx.msg.from.email && service.fields.some((f) => f.id === 'email')) d.values.email = ctx.msg.from.email;
  if (ctx.msg.location) setLocation(d, ctx);
  say(ctx, 'intake_start', { service: service.name[ctx.language] }, 'intake');
  ask(ctx, service, d);
}

function setLocation(d: Dialogue, ctx: TurnContext): void {
  const loc = ctx.msg.location!;
  d.location = loc;
  d.values.address = loc.label ?? `${loc.latitude.toFixed(6)}, ${loc.longitude.toFixed(6)}`;
}

/** What a message that is clearly something else does to the form. */
type Interruption = 'wait' | 'pause' | 'drop';

/** Intents handled as themselves while the form waits (then the bot asks its question again). */
const WAIT_INTENTS = new Set(['complaint', 'suggestion', 'report', 'inquiry', 'greeting', 'thanks']);
const SWITCH_CONFIDENCE = 0.75;
const DESCRIPTION_CONFIDENCE = 0.9;
/** Enough when the message also names its intent ("I have a complaint…"): the classifier's trust floor (bot/nlu/clarify.ts). */
const NAMED_CONFIDENCE = MIN_CONFIDENCE;
const QUESTION =
  /[?؟]|^(متي|كم|وين|فين|ايش|اش|شو|وش|هل|كيف|ليش|لماذا|ماذا|ما هو|ما هي|ماهو|ماهي|من وين|ابي اعرف|ابغي اعرف|ودي اعرف|اريد ان اعرف|اريد معرفه|what|when|where|how|which|who|why|is|are|do|does|can|could|i want to know|i d like to know|i would like to know|tell me|please tell)\b/;
/** Words by which a message names its own intent. */
const MARKERS: Partial<Record<string, RegExp>> = {
  complaint: /شكوي|شكاوي|اشتكي|اشكي|complain/,
  suggestion: /اقترح|مقترح|اقتراح|suggest/,
  report: /بلاغ|ابلغ|\breport/,
  agent: /موظف|agent|human|person/,
  status: /وين وصل|حاله طلب|status|where is my/,
};

/** True when the text reads as a question (a question mark or an interrogative first word). */
const isQuestion = (text: string): boolean => /[?؟]/.test(text) || QUESTION.test(normalizeForMatch(text));
/** Free-text fields: a valid-looking answer is still checked against the classifier before it is stored. */
const FREE_TEXT = new Set<FieldId | 'confirm' | 'service'>(['name', 'address', 'party', 'description', 'preferredDate', 'confirm', 'service']);

/** How a message the classifier reads as another intent (with confidence) interrupts the form; undefined when it does not. */
function interruption(ctx: TurnContext, service: ServiceConfig | undefined, validAnswer = false): Interruption | undefined {
  const nlu = ctx.nlu;
  if (!nlu || !hasWords(ctx.text)) return undefined;
  const named = MARKERS[nlu.intent]?.test(normalizeForMatch(ctx.text)) ?? false;
  if (nlu.confidence < (named ? NAMED_CONFIDENCE : SWITCH_CONFIDENCE)) return undefined;
  // A description is long free text about a problem: it is read as something else only when the
  // reading is very confident or the message names what it is («شكوى», "complaint", «موظف»…).
  if (ctx.state.dialogue?.awaiting === 'description' && nlu.confidence < DESCRIPTION_CONFIDENCE && !named) return undefined;
  // A question interrupts when it reads as one; a statement that merely mentions a topic is an answer.
  if (nlu.intent === 'inquiry' && !isQuestion(ctx.text)) return undefined;
  if (nlu.intent === 'agent') return 'pause';
  if (nlu.intent === 'status') return 'drop';
  // Another service drops the form only when it is clearly named: not the weak guess a filing takes (FILING_SERVICE_SCORE).
  if (nlu.intent === 'procedural_request')
    return service && nlu.service && nlu.service !== service.id && (nlu.serviceScore ?? 1) >= SERVICE_THRESHOLD ? 'drop' : undefined;
  // A salutation that is also a valid answer (the name «سلام علي الكعبي») is the answer.
  if (nlu.intent === 'greeting' || nlu.intent === 'thanks') return validAnswer ? undefined : 'wait';
  return WAIT_INTENTS.has(nlu.intent) ? 'wait' : undefined;
}

/**
 * Continues the dialogue with this message. Returns false when the message is something else: the
 * engine routes it; the form then waits (a question, a complaint: the bot asks its question again
 * after the answer), is paused (a person: resumed when the agent hands back) or is dropped with a
 * word (a status look-up, another service).
 */
export async function continueIntake(ctx: TurnContext, classify: () => Promise<void>): Promise<boolean> {
  const d = ctx.state.dialogue!;
  if (isCancel(ctx.text)) {
    delete ctx.state.dialogue;
    say(ctx, 'cancelled', {}, 'intake');
    return true;
  }
  const service = d.serviceId ? ctx.deps.services.get(d.serviceId) : undefined;
  if (ctx.msg.attachments?.length) {
    d.attachments.push(...ctx.msg.attachments);
    say(ctx, 'attachment_saved', {}, 'intake');
  }
  if (ctx.msg.location && service) {
    setLocation(d, ctx);
    if (d.awaiting === 'address' || d.awaiting === 'confirm') {
      ask(ctx, service, d);
      return true;
    }
  }
  if (!ctx.text) {
    if (service) ask(ctx, service, d);
    return true;
  }

  if (d.awaiting === 'service' || !service) {
    const n = Number(toAsciiDigits(normalizeForMatch(ctx.text)));
    const byNumber = Number.isInteger(n) && n >= 1 ? ctx.deps.config.services[n - 1] : undefined;
    await classify();
    const chosen = byNumber ?? (ctx.nlu?.service ? ctx.deps.services.get(ctx.nlu.service) : undefined);
    if (chosen) {
      begin(ctx, chosen, d);
      return true;
    }
    // Nothing collected yet: another intent simply takes over and the empty form is dropped.
    if (interruption(ctx, undefined)) return interrupt(ctx, undefined, 'drop');
    say(ctx, 'ask_service_again', { count: ctx.deps.config.services.length }, 'intake');
    return true;
  }

  const target = editTarget(ctx.text);
  if (target && service.fields.some((f) => f.id === target)) {
    delete d.values[target];
    d.editing = true;
    d.awaiting = target;
    say(ctx, `ask_${target}`, {}, 'intake');
    return true;
  }

  if (d.awaiting === 'confirm') {
    if (isConfirm(ctx.text)) {
      await file(ctx, service, d);
      return true;
    }
    await classify();
    const other = interruption(ctx, service);
    if (other) return interrupt(ctx, service, other);
    say(ctx, 'confirm_again', {}, 'intake');
    return true;
  }

  const field = d.awaiting;
  const optional = service.fields.find((f) => f.id === field)?.required === false;
  if (optional && isSkip(ctx.text)) {
    d.values[field] = '';
    ask(ctx, service, d);
    return true;
  }
  const value = FIELD_VALIDATORS[field](ctx.text);
  // A civil ID, a phone or an e-mail is unambiguous; free text is stored only when it is not another intent.
  if (value !== undefined && !FREE_TEXT.has(field)) {
    d.values[field] = value;
    ask(ctx, service, d);
    return true;
  }
  await classify();
  const other = interruption(ctx, service, value !== undefined);
  if (other) return interrupt(ctx, service, other);
  if (value !== undefined) {
    d.values[field] = value;
    ask(ctx, service, d);
    return true;
  }
  say(ctx, `invalid_${field}`, {}, 'intake');
  say(ctx, `ask_${field}`, {}, 'intake');
  return true;
}

/** A message worth reading as a change of topic has words, not just a wrong number. */
const hasWords = (text: string): boolean => (text.match(/\p{L}{2,}/gu) ?? []).length >= 2;

function interrupt(ctx: TurnContext, service: ServiceConfig | undefined, how: Interruption): false {
  if (how === 'drop' || !service) {
    delete ctx.state.dialogue;
    if (service) say(ctx, 'switched', { service: service.name[ctx.language] }, 'intake');
  }
  return false;
}

/** After another intent was handled while a form waits: says the form is still open and asks its question again. */
export function remindIntake(ctx: TurnContext): void {
  const d = ctx.state.dialogue;
  const service = d?.serviceId ? ctx.deps.services.get(d.serviceId) : undefined;
  const question = d ? resumeQuestion(d) : undefined;
  if (!service || !question) return;
  say(ctx, 'form_waiting', { service: service.name[ctx.language] }, 'intake');
  say(ctx, question, {}, 'intake');
}

async function file(ctx: TurnContext, service: ServiceConfig, d: Dialogue): Promise<void> {
  const { config, calendar, requests, events } = ctx.deps;
  if (config.defaults.maintenance) return say(ctx, 'maintenance', { callCentre: config.organisation.callCentre }, 'notice');
  const v = d.values;
  const days = service.completion.workingDays ?? config.defaults.proceduralWorkingDays;
  const rec = await requests.create({
    serviceId: service.id,
    department: service.department,
    applicant: {
      name: v.name ?? '',
      civilId: v.civilId ?? '',
      phone: v.phone ?? '',
      ...(v.email ? { email: v.email } : {}),
      ...(v.address ? { address: v.address } : {}),
    },
    description: v.description ?? '',
    ...(d.location ? { location: d.location } : {}),
    ...(v.party ? { party: v.party } : {}),
    ...(v.preferredDate ? { preferredDate: v.preferredDate } : {}),
    attachments: d.attachments,
    language: ctx.language,
    channel: ctx.msg.channel,
    conversationKey: ctx.key,
    filedAt: ctx.now,
    dueAt: calendar.addWorkingDays(ctx.now, days),
  });
  delete ctx.state.dialogue;
  say(
    ctx,
    'filed',
    {
      reference: rec.reference,
      service: service.name[ctx.language],
      department: departmentName(ctx, service.department),
      due: formatInstant(ctx, rec.dueAt),
      notify: ctx.deps.templates.render(ctx.language, notifyKey(ctx, Boolean(v.email))),
    },
    'filed',
  );
  events.emit('request.filed', rec);
}

/** What the filing reply may promise: only the notification transports that are configured. */
function notifyKey(ctx: TurnContext, hasEmail: boolean): string {
  const t = ctx.deps.notifications ?? { sms: false, email: false };
  const sms = t.sms;
  const email = t.email && hasEmail;
  return sms && email ? 'notify_sms_email' : sms ? 'notify_sms' : email ? 'notify_email' : 'notify_none';
}
