import { orgVars, say, type TurnContext } from '../engine/context.js';
import { findOmaniPhone, findReference } from '../nlu/entities.js';
import { FINAL_STATUSES } from '../store/types.js';
import { formatInstant } from './format.js';

/** Failed look-ups allowed per conversation and window, so that references cannot be guessed. */
export const STATUS_MAX_FAILURES = 5;
const WINDOW_MS = 60 * 60 * 1000;

/** True when the message continues a status look-up (a reference or phone while one is pending). */
export function continuesStatus(ctx: TurnContext): boolean {
  return ctx.state.status !== undefined && (findReference(ctx.text) !== undefined || findOmaniPhone(ctx.text) !== undefined);
}

/** Status inquiry: reference + the phone it was filed with → status and due date. */
export async function answerStatus(ctx: TurnContext): Promise<void> {
  const now = ctx.now.getTime();
  const lookup = ctx.state.status && now - ctx.state.status.windowStart < WINDOW_MS ? ctx.state.status : { failures: 0, windowStart: now };
  ctx.state.status = lookup;
  if (lookup.failures >= STATUS_MAX_FAILURES) return say(ctx, 'status_locked', orgVars(ctx), 'status');

  const reference = findReference(ctx.text) ?? lookup.reference;
  if (!reference) return say(ctx, 'status_ask_reference', {}, 'status');
  lookup.reference = reference;
  // A phone the channel verified (WhatsApp sender) counts as proof; otherwise the resident types it.
  const phone = findOmaniPhone(ctx.text) ?? (ctx.msg.from.phone ? findOmaniPhone(ctx.msg.from.phone) : undefined);
  if (!phone) return say(ctx, 'status_ask_phone', { reference }, 'status');

  // Limits across conversations (per reference, phone and client address), kept in SQL.
  const subjects = { reference, phone, ...(ctx.msg.client?.address ? { client: ctx.msg.client.address } : {}) };
  if (await ctx.deps.requests.lookups?.lockedUntil(subjects, ctx.now)) return say(ctx, 'status_locked', orgVars(ctx), 'status');
  const rec = await ctx.deps.requests.findForApplicant(reference, phone);
  if (!rec) {
    await ctx.deps.requests.lookups?.recordFailure(subjects, ctx.now);
    lookup.failures += 1;
    delete lookup.reference;
    return say(ctx, lookup.failures >= STATUS_MAX_FAILURES ? 'status_locked' : 'status_not_found', orgVars(ctx), 'status');
  }
  await ctx.deps.conversations.audit(`resident:${ctx.key}`, 'request.status.view', rec.reference, ctx.now);
  delete ctx.state.status;
  const service = ctx.deps.services.get(rec.serviceId);
  say(
    ctx,
    'status_found',
    {
      reference: rec.reference,
      service: service?.name[ctx.language] ?? rec.serviceId,
      status: ctx.deps.templates.render(ctx.language, `status_${rec.status}`),
      due: formatInstant(ctx, rec.dueAt),
      updated: formatInstant(ctx, rec.updatedAt, true),
    },
    'status',
  );
  if (!FINAL_STATUSES.has(rec.status) && rec.dueAt.getTime() < now) say(ctx, 'status_overdue', {}, 'status');
}
