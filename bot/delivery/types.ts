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

/** A value, or a promise of it: SQLite stores answer synchronously, PostgreSQL stores with promises; callers always await. */
export type Awaitable<T> = T | Promise<T>;

/**
 * The durable outbox store (SQLite: `outbox.ts`, PostgreSQL: `store/postgres/turn-delivery.ts`).
 * Every method may answer with a promise; callers await. Its contract suite runs on both.
 */
export interface OutboxStore {
  /** The inbound ledger whose messages this outbox answers (`enqueueFor` marks them queued). */
  readonly inbox: InboundLedger;
  /** Stores replies as pending, due at once. */
  enqueue(items: NewOutboxItem[], now: Date): Awaitable<OutboxItem[]>;
  /** Like `enqueue`, idempotent per inbound message; marks it queued in the ledger atomically. */
  enqueueFor(source: { channel: string; messageId: string }, items: NewOutboxItem[], now: Date): Awaitable<OutboxItem[]>;
  /** Pending items of a channel due at `now`, earliest deadline first (none last), then by id. */
  due(channel: string, now: Date, limit: number): Awaitable<OutboxItem[]>;
  /**
   * Takes the item for a send, recorded before the provider call; false when it is not pending or
   * another send of it is recorded (started after `staleBefore`, when given: an older one was
   * abandoned by a dead instance). Two workers never both take an item.
   */
  markAttempt(id: number, at: Date, staleBefore?: Date): Awaitable<boolean>;
  /** The provider accepted the item. */
  markSent(id: number, at: Date, providerMessageId?: string): Awaitable<void>;
  /** A failed attempt, retried at `nextAttemptAt`. */
  markRetry(id: number, error: string, nextAttemptAt: Date): Awaitable<void>;
  /** A permanent failure (kept, never deleted). */
  markFailed(id: number, error: string): Awaitable<void>;
  /** Pending items whose send started (before `attemptedBefore`, default: any time) and never finished. */
  inDoubt(channel: string, attemptedBefore?: Date): Awaitable<OutboxItem[]>;
  /** An in-doubt send the provider confirmed. */
  confirmInDoubt(id: number, at: Date, providerMessageId?: string): Awaitable<void>;
  /** An in-doubt send that goes out once more (counted). */
  resendInDoubt(id: number): Awaitable<void>;
  /** An in-doubt send waiting until `until` for the provider's report. */
  holdInDoubt(id: number, until: Date): Awaitable<void>;
  /** The provider reported the item received: a held or in-flight item is marked sent (returned). */
  confirmByProvider(id: number, at: Date, providerMessageId?: string): Awaitable<OutboxItem | undefined>;
  /** Per channel: in-doubt sends resent and confirmed. */
  doubtCounts(): Awaitable<Array<{ channel: string; resent: number; confirmed: number }>>;
  /** One item by id. */
  get(id: number): Awaitable<OutboxItem | undefined>;
  /** A channel's items (optionally in one state), oldest first. */
  list(channel: string, state?: OutboxItem['state']): Awaitable<OutboxItem[]>;
}

/** State of a claimed message as the engine sees it (`queued` reads as `done`). */
export type ClaimState = 'processing' | 'done';

/** Result of a claim. */
export type ClaimResult = { claimed: true } | { claimed: false; state: ClaimState; replies?: OutboundReply[] };

/** An accepted inbound message whose replies are not yet queued, with how far the engine got. */
export interface AcceptedInbound {
  channel: string;
  messageId: string;
  /** The InboundMessage as JSON (without `raw`). */
  message: string;
  meta: Record<string, unknown>;
  acceptedAt: Date;
  state: 'accepted' | 'processing' | 'done';
  /** The engine's replies, once `done`. */
  replies?: OutboundReply[];
}

/** The inbound ledger (SQLite: `inbox.ts`): accepted → processing → done → queued, one row per provider message id. */
export interface InboundLedger {
  /** Claims a message id for the engine; only the first caller gets `claimed: true`. */
  claim(channel: string, messageId: string, conversationKey: string, receivedAt: Date, now: Date, raw?: string): Awaitable<ClaimResult>;
  /** The state of a claim and, once done, its replies; undefined when not claimed. */
  get(channel: string, messageId: string): Awaitable<{ state: ClaimState; replies?: OutboundReply[] } | undefined>;
  /** Marks a claimed message processed with its replies. */
  complete(channel: string, messageId: string, replies: OutboundReply[]): Awaitable<void>;
  /**
   * `claim` and `complete` in one write, for a turn that ends before its claim was written: only the
   * first caller gets `claimed: true` (the row is then done, with its replies; an accepted one keeps its message).
   */
  claimDone(channel: string, messageId: string, conversationKey: string, receivedAt: Date, now: Date, replies: OutboundReply[]): Awaitable<ClaimResult>;
  /** Releases a failed claim (an accepted message goes back to accepted). */
  release(channel: string, messageId: string): Awaitable<void>;
  /** Claims left processing since before `olderThan`, for replay. */
  stale(olderThan: Date): Awaitable<Array<{ channel: string; messageId: string; raw: string | null }>>;
  /** Records a message as accepted before processing; false when already known. */
  accept(channel: string, messageId: string, message: string, meta: Record<string, unknown>, now: Date): Awaitable<boolean>;
  /** Accepted messages of a channel whose replies were never queued, oldest first. */
  unqueued(channel: string, acceptedBefore: Date): Awaitable<AcceptedInbound[]>;
  /** The message's replies are queued. */
  markQueued(channel: string, messageId: string): Awaitable<void>;
  /** A duplicate needs nothing queued by this caller (a message still processing stays so). */
  settle(channel: string, messageId: string): Awaitable<void>;
}
