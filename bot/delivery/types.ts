/**
 * Outbound delivery: every reply is stored in the outbox before it is sent and marked sent once
 * the provider accepts it; a worker sends due items per channel through a rate limiter, ordered by
 * first-response deadline, retrying with back-off on network errors and throttling and stopping on
 * permanent errors (recorded, never lost). Implemented in `outbox.ts` (SQL) and `outbox-worker.ts`.
 */
import type { OutboundReply } from '../core/types.js';

/** One reply waiting for (or past) delivery. */
export interface OutboxItem {
  id: number;
  channel: string;
  conversationId: string;
  reply: OutboundReply;
  /** Provider message id this reply answers (threading, public replies on X, In-Reply-To on e-mail). */
  inReplyTo?: string;
  /** Adapter-specific delivery data (recipient address, subject, reply mode), JSON-serializable. */
  meta: Record<string, unknown>;
  /** When the inbound message arrived (first-response SLA). */
  receivedAt?: Date;
  /** First-response deadline; the queue sends earlier deadlines first. */
  deadline?: Date;
  attempts: number;
  state: 'pending' | 'sent' | 'failed';
  nextAttemptAt: Date;
  lastError?: string;
  providerMessageId?: string;
  sentAt?: Date;
}

/** What `Outbox.enqueue` takes. */
export type NewOutboxItem = Pick<OutboxItem, 'channel' | 'conversationId' | 'reply'> &
  Partial<Pick<OutboxItem, 'inReplyTo' | 'meta' | 'receivedAt' | 'deadline'>>;

/** Sends one item through the provider; throws ChannelApiError (retryable or not) or NetworkError. */
export type Transport = (item: OutboxItem) => Promise<{ providerMessageId?: string }>;
