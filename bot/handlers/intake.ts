/**
 * The intake dialogue: collects what the SLA says a request holds, one field at a time, validates
 * each answer, shows a summary, and files the request in one transaction on confirmation. The
 * dialogue lives in the conversation state (keyv), so it survives restarts; nothing is stored in the
 * request store before the resident confirms.
 */
import type { FieldId, ServiceConfig } from '../../config/schema.js';
import { say, type TurnContext } from '../engine/context.js';
import type { Dialogue } from '../engine/state.js';
import { findOmaniPhone } from '../nlu/entities.js';
import { normalizeForMatch, toAsciiDigits } from '../nlu/normalize.js';
import { departmentName, formatInstant } from './format.js';
import { editTarget, FIELD_VALIDATORS, isCancel, isConfirm, isSkip } from './intake-fields.js';

/** Intents that interrupt a dialogue when the answer is not a valid field value. */
const SWITCH_INTENTS = new Set(['complaint', 'suggestion', 'report', 'status', 'agent', 'inquiry']);
const SWITCH_CONFIDENCE = 0.75;

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
  const lines = service.fields
    .filter((f) => d.values[f.id])
    .map((f) => `• ${ctx.deps.templates.render(ctx.language, `field_${f.id}`)}: ${d.values[f.id]}`);
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

/**
 * Continues the dialogue with this message. Returns false when the message is something else
 * (the resident switched topic): the dialogue is dropped and the engine routes the message.
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
    if (hasWords(ctx.text) && ctx.nlu && SWITCH_INTENTS.has(ctx.nlu.intent) && ctx.nlu.confidence >= SWITCH_CONFIDENCE) return drop(ctx, undefined);
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
    if (hasWords(ctx.text) && ctx.nlu && (SWITCH_INTENTS.has(ctx.nlu.intent) || ctx.nlu.intent === 'procedural_request') && ctx.nlu.confidence >= SWITCH_CONFIDENCE) {
      return drop(ctx, service);
    }
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
  if (value !== undefined) {
    d.values[field] = value;
    ask(ctx, service, d);
    return true;
  }
  await classify();
  const other = hasWords(ctx.text) && ctx.nlu && ctx.nlu.confidence >= SWITCH_CONFIDENCE &&
    (SWITCH_INTENTS.has(ctx.nlu.intent) || (ctx.nlu.intent === 'procedural_request' && ctx.nlu.service && ctx.nlu.service !== service.id));
  if (other) return drop(ctx, service);
  say(ctx, `invalid_${field}`, {}, 'intake');
  say(ctx, `ask_${field}`, {}, 'intake');
  return true;
}

/** A message worth reading as a change of topic has words, not just a wrong number. */
const hasWords = (text: string): boolean => (text.match(/\p{L}{2,}/gu) ?? []).length >= 2;

function drop(ctx: TurnContext, service: ServiceConfig | undefined): false {
  // Asking for a person pauses the dialogue: the bot resumes it when the agent hands the chat back.
  if (ctx.nlu?.intent === 'agent') return false;
  delete ctx.state.dialogue;
  if (service) say(ctx, 'switched', { service: service.name[ctx.language] }, 'intake');
  return false;
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
      name: v.name ?? '', civilId: v.civilId ?? '', phone: v.phone ?? '',
      ...(v.email ? { email: v.email } : {}), ...(v.address ? { address: v.address } : {}),
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
  say(ctx, 'filed', {
    reference: rec.reference,
    service: service.name[ctx.language],
    department: departmentName(ctx, service.department),
    due: formatInstant(ctx, rec.dueAt),
    notify: ctx.deps.templates.render(ctx.language, v.email ? 'notify_channels' : 'notify_sms'),
  }, 'filed');
  events.emit('request.filed', rec);
}
