/**
 * What delivery tells the rest of the bot (the first-response SLA listens, as it listens to the
 * engine's `reply.produced`). Emitted synchronously: `queued` and `needsHuman` inside the
 * transaction that queues the turn's replies, so a listener's writes commit or roll back with it.
 */
import { EventEmitter } from 'node:events';
import type { OutboxItem } from './types.js';

/** An inbound message, as delivery events name it. */
export interface InboundRef {
  channel: string;
  conversationId: string;
  /** The provider's id of the inbound message. */
  messageId: string;
  receivedAt: Date;
}

/** Events of `ChannelDelivery.events`. */
export interface DeliveryEvents {
  /** The bot's replies to a message wait in the outbox: it is not answered until a provider accepts one. */
  queued: [InboundRef];
  /** A message gets no reply from the bot (an agent holds the conversation): it still has a deadline. */
  needsHuman: [InboundRef];
  /** A provider accepted an outbox item at `at` (`item.inReplyTo` names the message it answers, if any). */
  sent: [{ item: OutboxItem; at: Date }];
}

/** The emitter type of delivery events. */
export type DeliveryEmitter = EventEmitter<DeliveryEvents>;

/** A new delivery-event emitter. */
export function deliveryEmitter(): DeliveryEmitter {
  return new EventEmitter<DeliveryEvents>();
}
