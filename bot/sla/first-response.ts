/**
 * First-response SLA: every inbound message that needs a reply gets a deadline from its channel's
 * target (X: 30 minutes 24/7; e-mail: 24 hours of official time; WhatsApp: within the open period;
 * web chat: immediate, with a small grace), and the time of the first reply is recorded.
 *
 * Sources of the reply time: the engine's `reply.produced` event (the bot's answer), and delivery's
 * events (`bot/delivery/events.ts`): `queued` (the answer waits in an outbox, so it does not count
 * yet), `sent` (the instant the provider accepted it, which supersedes the engine's) and
 * `needsHuman` (a message the bot does not answer itself, e.g. a conversation held by an agent,
 * still gets its deadline). `attachSla` subscribes the tracker to both emitters.
 */
import { SerialQueue } from '../core/serial-queue.js';
import type { ReplyKind } from '../core/types.js';
import type { DeliveryEvents } from '../delivery/events.js';
import type { FirstResponseStore } from '../store/sla-store.js';
import type { SlaContext } from './context.js';
import { firstResponseDeadline } from './policy.js';

/** Payload of the engine's `reply.produced` event. */
export interface ReplyProduced {
  channel: string;
  conversationId: string;
  /** The inbound message answered. */
  messageId: string;
  kind: ReplyKind;
  receivedAt: Date;
  at: Date;
}

/**
 * Records first-response deadlines and reply times (the SLA store's `firstResponses`). Writes run one
 * after another in the order the events came (a `queued` must not overtake the `reply.produced` it
 * follows, even on a pool of connections); `settled()` resolves once those issued so far are done.
 */
export class FirstResponseTracker {
  /** Writes in event order; one issued when none is pending runs at once (on SQLite: done on return). */
  private readonly writes = new SerialQueue();

  constructor(
    private readonly store: FirstResponseStore,
    private readonly ctx: SlaContext,
    /** Called when a write issued by an event handler fails (the handlers themselves return nothing). */
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Resolves once every write issued so far is done. */
  settled(): Promise<void> {
    return this.writes.settled();
  }

  /** The deadline of a message received on a channel; undefined for an unknown channel. */
  deadline(channel: string, receivedAt: Date): Date | undefined {
    const ch = this.ctx.channels.get(channel);
    return ch && firstResponseDeadline(this.ctx.calendar, ch, receivedAt, this.ctx.config.sla.firstResponse.immediateGraceSeconds);
  }

  /** Registers an inbound message that needs a (human) reply; idempotent by message id. False for an unknown channel. */
  async recordInbound(channel: string, conversationId: string, messageId: string | undefined, receivedAt: Date): Promise<boolean> {
    const deadline = this.deadline(channel, receivedAt);
    if (!deadline) return false;
    await this.writes.run(() =>
      this.store.record({
        channel,
        conversationId,
        ...(messageId === undefined ? {} : { messageId }),
        receivedAt: receivedAt.getTime(),
        deadlineAt: deadline.getTime(),
      }),
    );
    return true;
  }

  /** Handles the engine's `reply.produced` (one per inbound message answered): its deadline and the bot's reply time. */
  onReplyProduced(e: ReplyProduced): void {
    const deadline = this.deadline(e.channel, e.receivedAt);
    if (!deadline) return;
    this.writes
      .run(() =>
        this.store.record({
          channel: e.channel,
          conversationId: e.conversationId,
          messageId: e.messageId,
          receivedAt: e.receivedAt.getTime(),
          deadlineAt: deadline.getTime(),
          respondedAt: e.at.getTime(),
        }),
      )
      .catch(this.onError);
  }

  /** The bot's reply to `messageId` waits in an outbox: it counts only once the provider accepts it. */
  awaitProvider(channel: string, messageId: string): Promise<void> {
    return this.writes.run(() => this.store.awaitProvider(channel, messageId));
  }

  /**
   * Records the provider-accepted time of a reply. With `messageId` (the inbound message answered) it
   * updates that message; without, every message of the conversation received up to `at` that has no
   * provider-confirmed reply yet. Returns the number of messages updated.
   */
  recordFirstResponse(channel: string, conversationId: string, messageId: string | undefined, at: Date): Promise<number> {
    return this.writes.run(() => this.store.responded(channel, conversationId, messageId, at.getTime()));
  }

  /** Delivery's `queued`: the bot's reply waits in an outbox. */
  onQueued(e: DeliveryEvents['queued'][0]): void {
    this.awaitProvider(e.channel, e.messageId).catch(this.onError);
  }

  /** Delivery's `needsHuman`: the message gets its deadline, with no reply from the bot. */
  onNeedsHuman(e: DeliveryEvents['needsHuman'][0]): void {
    this.recordInbound(e.channel, e.conversationId, e.messageId, e.receivedAt).catch(this.onError);
  }

  /** Delivery's `sent`: the provider accepted a reply (to `inReplyTo`, or to the conversation). */
  onSent(e: DeliveryEvents['sent'][0]): void {
    this.recordFirstResponse(e.item.channel, e.item.conversationId, e.item.inReplyTo, e.at).catch(this.onError);
  }
}
