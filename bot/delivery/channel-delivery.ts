/**
 * Delivery for every channel, built once by the application and handed to adapters in their
 * context. It owns the inbound ledger, the outbox, one worker per channel, crash recovery,
 * start/stop and batching; an adapter supplies only its transport, limits and how to address a
 * recipient (`lane(ctx, spec)`). The way of one inbound message: accepted in the ledger, run
 * through the engine (which claims its id exactly once), its replies queued with the channel's
 * first-response deadline in the turn's own transaction, and the worker kicked. `recover` finishes,
 * after a crash, what was accepted or claimed but never queued, so every message is answered once.
 */

import type { ChannelContext } from '../../channels/types.js';
import type { ChannelConfig } from '../../config/schema.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import { conversationKey, type InboundMessage, type OutboundReply } from '../core/types.js';
import type { HandleResult } from '../engine/engine.js';
import type { Transactions } from '../engine/turn-tx.js';
import { firstResponseDeadline as policyDeadline } from '../sla/policy.js';
import { type DeliveryEmitter, deliveryEmitter } from './events.js';
import { reviveMessage } from './inbox.js';
import { OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.js';
import { laneQuota } from './provider-quota.js';
import type { Awaitable, OutboxStore } from './types.js';

/** First-response deadline of a message on a channel: the SLA policy's, so that queue order and reports agree. */
export function firstResponseDeadline(channel: ChannelConfig, calendar: WorkingCalendar, receivedAt: Date, immediateGraceSeconds = 0): Date {
  return policyDeadline(calendar, channel, receivedAt, immediateGraceSeconds);
}

/** What an adapter supplies: its transport, limits and how to address a recipient. */
export type LaneSpec = Pick<OutboxWorkerOptions, 'transport' | 'limits' | 'retry' | 'pollMs' | 'recipientOf' | 'confirm' | 'holdInDoubtMs' | 'onSent'> & {
  /** Delivery meta of a message claimed outside `receive`, for recovery (default `{}`). */
  metaOf?: (msg: InboundMessage) => Awaitable<Record<string, unknown>>;
};

/** The stores delivery runs on: the outbox (its `inbox` is the ledger) and the turn's transactions on the same database. */
export interface DeliveryStores {
  outbox: OutboxStore;
  transactions: Transactions;
  /** Several instances on one database: how long a send may run before another instance takes it over (see OutboxWorkerOptions). */
  attemptLeaseMs?: number;
}

/** Delivery of every channel on one database. */
export class ChannelDelivery {
  /** `queued`, `needsHuman`, `sent` (the first-response SLA subscribes). */
  readonly events: DeliveryEmitter = deliveryEmitter();
  /** The durable outbox of every channel (its `inbox` is the inbound ledger). */
  readonly outbox: OutboxStore;
  /** Transactions on the outbox's database (a notice claims, completes and queues in one). */
  readonly transactions: Transactions;
  /** The send lease of every lane's worker (unset: one instance). */
  readonly attemptLeaseMs: number | undefined;

  constructor(stores: DeliveryStores) {
    this.outbox = stores.outbox;
    this.transactions = stores.transactions;
    this.attemptLeaseMs = stores.attemptLeaseMs;
  }

  /** The delivery lane of one channel: its worker over the shared outbox and ledger. */
  lane(ctx: ChannelContext, spec: LaneSpec): DeliveryLane {
    return new DeliveryLane(ctx, this, spec);
  }
}

/** A channel's delivery: receive, queue, send, recover. */
export class DeliveryLane {
  readonly outbox: OutboxStore;
  readonly worker: OutboxWorker;
  private readonly channel: string;

  constructor(
    private readonly ctx: ChannelContext,
    private readonly delivery: ChannelDelivery,
    private readonly spec: LaneSpec,
  ) {
    this.outbox = delivery.outbox;
    this.channel = ctx.channel.id;
    const { metaOf: _metaOf, ...worker } = spec;
    this.worker = new OutboxWorker({
      ...worker,
      outbox: this.outbox,
      channel: this.channel,
      clock: ctx.clock,
      logger: ctx.logger,
      ...(delivery.attemptLeaseMs !== undefined ? { attemptLeaseMs: delivery.attemptLeaseMs } : {}),
      onSent: spec.onSent ?? ((item, at) => delivery.events.emit('sent', { item, at })),
      ...laneQuota(ctx, spec.limits),
    });
  }

  /**
   * Records an inbound message as accepted (durable, replayed by `recover` after a crash) before it
   * is processed; false when it was already accepted (a redelivery: nothing more to do). `receive`
   * does this itself; call it directly when work (a media download) precedes `receive`. On SQLite
   * the row is written before this returns; on PostgreSQL once the promise resolves.
   */
  accept(msg: InboundMessage, meta: Record<string, unknown> = {}): Awaitable<boolean> {
    return this.outbox.inbox.accept(msg.channel, msg.id, serialize(msg), meta, this.ctx.clock.now());
  }

  /**
   * Runs an inbound message through the engine and queues its replies (unless duplicate). On SQLite
   * the message is accepted synchronously, before the first await: an adapter may answer its webhook
   * right after calling `receive` without awaiting it, and nothing is lost in a crash (on PostgreSQL
   * the acceptance is durable once the first await of `receive` is over).
   */
  receive(msg: InboundMessage, meta: Record<string, unknown> = {}): Promise<HandleResult> {
    return this.take(msg, meta, () => this.worker.kick());
  }

  /** Receives a batch (one poll, one mailbox sync): replies are queued first and sent after `flush`, by deadline. */
  deferKicks(): { receive: (msg: InboundMessage, meta?: Record<string, unknown>) => Promise<HandleResult>; flush: () => void } {
    let kicked = false;
    return {
      receive: (msg, meta = {}) =>
        this.take(msg, meta, () => {
          kicked = true;
        }),
      flush: () => {
        if (kicked) this.worker.kick();
        kicked = false;
      },
    };
  }

  private async take(msg: InboundMessage, meta: Record<string, unknown>, kick: () => void): Promise<HandleResult> {
    const fresh = await this.accept(msg, meta);
    // The replies are queued in the turn's own transaction: a crash leaves the turn whole or undone.
    const result = await this.ctx.engine.handle(msg, { onCommit: (replies, tx) => this.queue(tx.outbox, msg, replies, meta) });
    if (!result.duplicate) kick();
    // Claimed earlier outside `receive` (or concurrently by it): whoever claimed it queues the replies.
    else if (fresh) await this.outbox.inbox.settle(msg.channel, msg.id);
    return result;
  }

  /**
   * Answers a message the engine cannot take (unsupported type such as a sticker, an oversized file)
   * with a template notice (`templates/*.yaml` key), exactly once per message id: the id is claimed in
   * the ledger and the reply queued in one transaction. Returns false for a duplicate.
   */
  async replyNotice(msg: InboundMessage, templateKey: string, meta: Record<string, unknown> = {}): Promise<boolean> {
    const key = conversationKey(msg.channel, msg.conversationId);
    const { templates, conversations } = this.ctx.engine.deps;
    const language = (await conversations.get(key))?.language;
    const text = language ? templates.render(language, templateKey) : `${templates.render('ar', templateKey)}\n\n${templates.render('en', templateKey)}`;
    const reply: OutboundReply = { text, language: language ?? 'ar', kind: 'error' };
    let claimed = false;
    const [outcome] = await this.delivery.transactions.batch([
      async (tx) => {
        if (!(await tx.inbox.claim(msg.channel, msg.id, key, msg.receivedAt, this.ctx.clock.now())).claimed) return;
        await tx.inbox.complete(msg.channel, msg.id, [reply]);
        await this.queue(tx.outbox, msg, [reply], meta);
        claimed = true;
      },
    ]);
    if (outcome && !outcome.ok) throw outcome.error;
    if (claimed) this.worker.kick();
    else await this.outbox.inbox.settle(msg.channel, msg.id);
    return claimed;
  }

  /** Queues an adapter's own answer to a provider event (a greeting on join), once per `sourceId`, due now. */
  async replyOwn(sourceId: string, conversationId: string, inReplyTo: string, reply: OutboundReply): Promise<void> {
    const now = this.ctx.clock.now();
    await this.outbox.enqueueFor(
      { channel: this.channel, messageId: sourceId },
      [
        {
          channel: this.channel,
          conversationId,
          reply,
          inReplyTo,
          receivedAt: now,
          deadline: this.deadline(now),
        },
      ],
      now,
    );
    this.worker.kick();
  }

  /** Queues replies that answer no inbound message (agent messages, hand-back notes) and kicks the worker. */
  async send(conversationId: string, replies: OutboundReply[], meta?: Record<string, unknown>): Promise<void> {
    if (replies.length === 0) return;
    await this.outbox.enqueue(
      replies.map((reply) => ({ channel: this.channel, conversationId, reply, ...(meta ? { meta: { ...meta } } : {}) })),
      this.ctx.clock.now(),
    );
    this.worker.kick();
  }

  private deadline(receivedAt: Date): Date {
    return firstResponseDeadline(this.ctx.channel, this.ctx.engine.deps.calendar, receivedAt, this.ctx.config.sla.firstResponse.immediateGraceSeconds);
  }

  /** Stores the replies of `msg` (idempotent per message) with its deadline and meta, through `outbox` (the turn's transaction's view). */
  private async queue(outbox: OutboxStore, msg: InboundMessage, replies: OutboundReply[], meta: Record<string, unknown>): Promise<void> {
    const ref = { channel: msg.channel, conversationId: msg.conversationId, messageId: msg.id, receivedAt: msg.receivedAt };
    if (replies.length === 0) {
      // Nothing to send now (an agent holds the chat): the message still gets its first-response deadline.
      this.delivery.events.emit('needsHuman', ref);
      await outbox.inbox.markQueued(msg.channel, msg.id);
      return;
    }
    const deadline = this.deadline(msg.receivedAt);
    await outbox.enqueueFor(
      { channel: msg.channel, messageId: msg.id },
      replies.map((reply) => ({
        channel: msg.channel,
        conversationId: msg.conversationId,
        reply,
        inReplyTo: msg.id,
        meta,
        receivedAt: msg.receivedAt,
        deadline,
      })),
      this.ctx.clock.now(),
    );
    this.delivery.events.emit('queued', ref);
  }

  /**
   * After a crash: queues the replies of every message of this channel that was accepted or claimed
   * before `olderThan` (default now) but never queued — running the engine for messages never
   * claimed, replaying those claimed but unfinished, reusing the stored replies of those finished.
   */
  async recover(olderThan: Date = this.ctx.clock.now()): Promise<number> {
    const { engine, logger } = this.ctx;
    const inbox = this.outbox.inbox;
    let recovered = 0;
    for (const acc of await inbox.unqueued(this.channel, olderThan)) {
      const msg = reviveMessage(acc.message);
      const onCommit = (replies: OutboundReply[], outbox: OutboxStore = this.outbox): Promise<void> => this.queue(outbox, msg, replies, acc.meta);
      let replies: OutboundReply[];
      if (acc.state === 'accepted') {
        const r = await engine.handle(msg, { onCommit: (rs, tx) => onCommit(rs, tx.outbox) });
        replies = r.duplicate ? (r.previous ?? []) : r.replies;
      } else if (acc.state === 'processing') {
        replies = await engine.replay(msg, { onCommit: (rs, tx) => onCommit(rs, tx.outbox) });
      } else {
        replies = acc.replies ?? [];
      }
      // Idempotent (per-message keys): covers a turn finished before the crash and one awaited in flight.
      await onCommit(replies);
      recovered++;
    }
    for (const stale of await inbox.stale(olderThan)) {
      if (stale.channel !== this.channel || !stale.raw) continue;
      const msg = reviveMessage(stale.raw);
      const meta = (await this.spec.metaOf?.(msg)) ?? {};
      const replies = await engine.replay(msg, { onCommit: (rs, tx) => this.queue(tx.outbox, msg, rs, meta) });
      await this.queue(this.outbox, msg, replies, meta);
      recovered++;
    }
    if (recovered > 0) {
      logger.info({ channel: this.channel, recovered }, 'inbound messages recovered after restart');
      this.worker.kick();
    }
    return recovered;
  }

  /** Recovers what a crash left, then starts the worker. */
  async start(): Promise<void> {
    await this.recover();
    this.worker.start();
  }

  /** Stops the worker, waiting for sends in flight. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** The provider told us to slow down: no sends before `until`. */
  pauseUntil(until: Date): void {
    this.worker.pauseUntil(until);
  }

  /** The provider reported it received outbox item `id` (a status webhook). */
  confirmDelivered(id: number, providerMessageId?: string): Promise<boolean> {
    return this.worker.confirmDelivered(id, providerMessageId);
  }
}

/** The message as stored for replay (no provider payload). */
function serialize(msg: InboundMessage): string {
  return JSON.stringify({ ...msg, raw: undefined });
}
