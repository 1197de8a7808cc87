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
import type { ReplyKind } from '../core/types.js';
import type { DeliveryEvents } from '../delivery/events.js';
import type { SqliteDatabase } from '../store/sqlite-database.js';
import { prepared } from '../store/sqlite-database.js';
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

/** Records first-response deadlines and reply times (table `sla_first_responses`). */
export class FirstResponseTracker {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly ctx: SlaContext,
  ) {}

  /** The deadline of a message received on a channel; undefined for an unknown channel. */
  deadline(channel: string, receivedAt: Date): Date | undefined {
    const ch = this.ctx.channels.get(channel);
    return ch && firstResponseDeadline(this.ctx.calendar, ch, receivedAt, this.ctx.config.sla.firstResponse.immediateGraceSeconds);
  }

  /** Registers an inbound message that needs a (human) reply; idempotent by message id. False for an unknown channel. */
  recordInbound(channel: string, conversationId: string, messageId: string | undefined, receivedAt: Date): boolean {
    const deadline = this.deadline(channel, receivedAt);
    if (!deadline) return false;
    prepared(
      this.sql.db,
      `INSERT INTO sla_first_responses (channel, conversation_id, message_id, received_at, deadline_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (channel, message_id) WHERE message_id IS NOT NULL DO NOTHING`,
    ).run(channel, conversationId, messageId ?? null, receivedAt.getTime(), deadline.getTime());
    return true;
  }

  /** Handles the engine's `reply.produced` (one per inbound message answered): its deadline and the bot's reply time. */
  onReplyProduced(e: ReplyProduced): void {
    const deadline = this.deadline(e.channel, e.receivedAt);
    if (!deadline) return;
    prepared(
      this.sql.db,
      `INSERT INTO sla_first_responses (channel, conversation_id, message_id, received_at, deadline_at, responded_at, source) VALUES (?, ?, ?, ?, ?, ?, 'engine')
        ON CONFLICT (channel, message_id) WHERE message_id IS NOT NULL DO NOTHING`,
    ).run(e.channel, e.conversationId, e.messageId, e.receivedAt.getTime(), deadline.getTime(), e.at.getTime());
  }

  /** The bot's reply to `messageId` waits in an outbox: it counts only once the provider accepts it. */
  awaitProvider(channel: string, messageId: string): void {
    prepared(
      this.sql.db,
      `UPDATE sla_first_responses SET responded_at = NULL, source = 'outbox' WHERE channel = ? AND message_id = ? AND source = 'engine'`,
    ).run(channel, messageId);
  }

  /**
   * Records the provider-accepted time of a reply. With `messageId` (the inbound message answered) it
   * updates that message; without, every message of the conversation received up to `at` that has no
   * provider-confirmed reply yet. Returns the number of messages updated.
   */
  recordFirstResponse(channel: string, conversationId: string, messageId: string | undefined, at: Date): number {
    const db = this.sql.db;
    if (messageId) {
      // The reply to one message never stands in for another's (a reply still queued is not a response).
      return prepared(
        db,
        `UPDATE sla_first_responses SET responded_at = ?, source = 'provider' WHERE channel = ? AND message_id = ? AND (source IS NULL OR source <> 'provider')`,
      ).run(at.getTime(), channel, messageId).changes;
    }
    return prepared(
      db,
      `UPDATE sla_first_responses SET responded_at = ?, source = 'provider'
        WHERE channel = ? AND conversation_id = ? AND received_at <= ? AND (source IS NULL OR source <> 'provider')`,
    ).run(at.getTime(), channel, conversationId, at.getTime()).changes;
  }

  /** Delivery's `queued`: the bot's reply waits in an outbox. */
  onQueued(e: DeliveryEvents['queued'][0]): void {
    this.awaitProvider(e.channel, e.messageId);
  }

  /** Delivery's `needsHuman`: the message gets its deadline, with no reply from the bot. */
  onNeedsHuman(e: DeliveryEvents['needsHuman'][0]): void {
    this.recordInbound(e.channel, e.conversationId, e.messageId, e.receivedAt);
  }

  /** Delivery's `sent`: the provider accepted a reply (to `inReplyTo`, or to the conversation). */
  onSent(e: DeliveryEvents['sent'][0]): void {
    this.recordFirstResponse(e.item.channel, e.item.conversationId, e.item.inReplyTo, e.at);
  }
}
