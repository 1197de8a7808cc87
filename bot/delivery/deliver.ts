/**
 * The path of one inbound message through delivery: remembered as accepted, run through the engine
 * (which claims its id exactly once), its replies stored in the outbox with the channel's
 * first-response deadline, and the worker kicked. `recoverInbox` finishes, after a crash, what was
 * accepted or claimed but never queued, so that every message is answered exactly once.
 */
import type { ChannelConfig } from '../../config/schema.js';
import type { ChannelContext } from '../../channels/types.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import { conversationKey, type InboundMessage, type OutboundReply } from '../core/types.js';
import type { HandleResult } from '../engine/engine.js';
import { recordAwaitingProvider, recordInboundMessage } from '../sla/first-response.js';
import { firstResponseDeadline as policyDeadline } from '../sla/policy.js';
import { Inbox, reviveMessage } from './inbox.js';
import type { Outbox } from './outbox.js';
import type { OutboxWorker } from './outbox-worker.js';

/** First-response deadline of a message on a channel: the SLA policy's, so that queue order and reports agree. */
export function firstResponseDeadline(channel: ChannelConfig, calendar: WorkingCalendar, receivedAt: Date, immediateGraceSeconds = 0): Date {
  return policyDeadline(calendar, channel, receivedAt, immediateGraceSeconds);
}

/** The message as stored for replay (no provider payload). */
function serialize(msg: InboundMessage): string {
  return JSON.stringify({ ...msg, raw: undefined });
}

/** Rebuilds a message stored by `serialize` (or by the engine's inbox). */
export { reviveMessage };

/**
 * Records an inbound message as accepted (durable, replayed by `recoverInbox` after a crash) before
 * it is processed; false when it was already accepted (a redelivery: nothing more to do).
 * `receive` does this itself; call it directly when work (a media download) precedes `receive`.
 */
export function acceptInbound(ctx: ChannelContext, outbox: Outbox, msg: InboundMessage, meta: Record<string, unknown> = {}): boolean {
  return outbox.accept(msg.channel, msg.id, serialize(msg), meta, ctx.clock.now());
}

/**
 * Stores the replies of `msg` in the outbox (idempotent per message) with its deadline and delivery
 * meta, and the first-response record; `receive` runs it inside the engine's end-of-turn transaction.
 */
function queue(ctx: ChannelContext, outbox: Outbox, msg: InboundMessage, replies: OutboundReply[], meta: Record<string, unknown>): void {
  if (replies.length === 0) {
    // Nothing to send now (an agent holds the chat): the message still gets its first-response deadline.
    recordInboundMessage(msg.channel, msg.conversationId, msg.id, msg.receivedAt);
    outbox.settle(msg.channel, msg.id);
    return;
  }
  const deadline = firstResponseDeadline(ctx.channel, ctx.engine.deps.calendar, msg.receivedAt, ctx.config.sla.firstResponse.immediateGraceSeconds);
  outbox.enqueueFor(
    { channel: msg.channel, messageId: msg.id },
    replies.map((reply) => ({ channel: msg.channel, conversationId: msg.conversationId, reply, inReplyTo: msg.id, meta, receivedAt: msg.receivedAt, deadline })),
    ctx.clock.now(),
  );
  recordAwaitingProvider(msg.channel, msg.id);
}

/**
 * Runs an inbound message through the engine and enqueues its replies (unless duplicate); returns the engine result.
 * The message is recorded as accepted synchronously, before the first await: an adapter may answer
 * its webhook with 200 right after calling `receive` without awaiting it, and nothing is lost in a crash.
 */
export async function receive(ctx: ChannelContext, outbox: Outbox, worker: OutboxWorker, msg: InboundMessage, meta: Record<string, unknown> = {}): Promise<HandleResult> {
  const fresh = outbox.accept(msg.channel, msg.id, serialize(msg), meta, ctx.clock.now());
  // The replies are queued in the turn's own transaction: a crash leaves the turn whole or undone.
  const result = await ctx.engine.handle(msg, { onCommit: (replies) => queue(ctx, outbox, msg, replies, meta) });
  if (!result.duplicate) {
    worker.kick();
  } else if (fresh) {
    // Claimed earlier outside `receive` (or concurrently by it): whoever claimed it queues the replies.
    outbox.settle(msg.channel, msg.id);
  }
  return result;
}

/**
 * Answers a message the engine cannot take (unsupported type such as a sticker, an oversized file)
 * with a template notice (`templates/*.yaml` key), exactly once per message id: the id is claimed in
 * the inbox and the reply queued in one transaction. Returns false for a duplicate.
 */
export function replyNotice(ctx: ChannelContext, outbox: Outbox, worker: OutboxWorker, msg: InboundMessage, templateKey: string, meta: Record<string, unknown> = {}): boolean {
  const key = conversationKey(msg.channel, msg.conversationId);
  const { templates, conversations } = ctx.engine.deps;
  const language = conversations.get(key)?.language;
  const text = language ? templates.render(language, templateKey) : `${templates.render('ar', templateKey)}\n\n${templates.render('en', templateKey)}`;
  const reply: OutboundReply = { text, language: language ?? 'ar', kind: 'error' };
  const inbox = new Inbox(ctx.sql);
  const claimed = ctx.sql.tx(() => {
    if (!inbox.claim(msg.channel, msg.id, key, msg.receivedAt, ctx.clock.now()).claimed) return false;
    inbox.complete(msg.channel, msg.id, [reply]);
    queue(ctx, outbox, msg, [reply], meta);
    return true;
  });
  if (claimed) worker.kick();
  else outbox.settle(msg.channel, msg.id);
  return claimed;
}

/** Options of `recoverInbox`. */
export interface RecoverOptions {
  /** Only what was accepted/claimed before this instant (default: now; call it before taking traffic). */
  olderThan?: Date;
  /** Delivery meta for a claimed message that was not received through `receive` (default `{}`). */
  metaOf?: (msg: InboundMessage) => Record<string, unknown>;
}

/**
 * After a crash: queues the replies of every message of this channel that was accepted or claimed
 * but never queued — running the engine for messages never claimed, replaying (`engine.replay`)
 * those claimed but unfinished, and reusing the stored replies of those finished. Returns how many.
 */
export async function recoverInbox(ctx: ChannelContext, outbox: Outbox, worker: OutboxWorker, opts: RecoverOptions = {}): Promise<number> {
  const channel = ctx.channel.id;
  const before = opts.olderThan ?? ctx.clock.now();
  const inbox = new Inbox(ctx.sql);
  let recovered = 0;
  for (const acc of outbox.unqueued(channel, before)) {
    const msg = reviveMessage(acc.message);
    const row = inbox.get(channel, acc.messageId);
    const onCommit = (replies: OutboundReply[]): void => queue(ctx, outbox, msg, replies, acc.meta);
    let replies: OutboundReply[];
    if (!row) {
      const r = await ctx.engine.handle(msg, { onCommit });
      replies = r.duplicate ? r.previous ?? [] : r.replies;
    } else if (row.state === 'processing') {
      replies = await ctx.engine.replay(msg, { onCommit });
    } else {
      replies = row.replies ?? [];
    }
    // Idempotent (per-message keys): covers a turn finished before the crash and one awaited in flight.
    onCommit(replies);
    recovered++;
  }
  for (const stale of inbox.stale(before)) {
    if (stale.channel !== channel || !stale.raw) continue;
    const msg = reviveMessage(stale.raw);
    const onCommit = (replies: OutboundReply[]): void => queue(ctx, outbox, msg, replies, opts.metaOf?.(msg) ?? {});
    onCommit(await ctx.engine.replay(msg, { onCommit }));
    recovered++;
  }
  if (recovered > 0) {
    ctx.logger.info({ channel, recovered }, 'inbound messages recovered after restart');
    worker.kick();
  }
  return recovered;
}
