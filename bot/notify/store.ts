/**
 * The notification outbox's rows behind an interface (rows of the one `outbox` table): the outbox engine
 * (bot/delivery/outbox-worker.ts over bot/notify/queue.ts) decides when and what; a store only reads and writes rows. Implementations:
 * bot/store/sqlite/notify-outbox.ts (promises that settle without I/O, so they may run inside
 * `SqliteDatabase.txAsync`) and bot/store/postgres/notify-outbox.ts.
 */
import type { Language } from '../core/types.js';
import type { NotifyChannel } from './types.js';

/** Who a notification is for: the applicant of a request (id = request id) or a configured role. */
export interface Recipient {
  kind: 'applicant' | 'role';
  id: string;
}

/** A notification to enqueue. */
export interface NewNotification {
  /** Idempotency key: enqueuing the same key twice stores one notification. */
  dedupeKey: string;
  channel: NotifyChannel;
  recipient: Recipient;
  language: Language;
  purpose: 'accepted' | 'status' | 'overdue' | 'escalation';
  requestId?: number;
  reference?: string;
  subject?: string;
  body: string;
  /** `staff`: only sent during staff hours (never at night, weekend or holiday). */
  window: 'any' | 'staff';
}

/** Delivery state of a stored notification. */
export type NotificationStatus = 'pending' | 'sent' | 'failed';

/** A stored notification (instants in epoch milliseconds). */
export interface StoredNotification {
  id: number;
  channel: NotifyChannel;
  recipient: Recipient;
  language: Language;
  purpose: string;
  reference?: string;
  subject?: string;
  body: string;
  window: 'any' | 'staff';
  status: NotificationStatus;
  attempts: number;
  /** When it is due; while a send is under way, when that send's lease expires. */
  nextAttemptAt: number;
  lastError?: string;
  createdAt: number;
  sentAt?: number;
}

/**
 * Notifications are rows of the one `outbox` table (replies' too): channel `notify-email` or
 * `notify-sms`, the dedupe key as `source_key` (prefixed `notify:`), the text, language and subject
 * in `reply` and `meta` (JSON), and their own columns (purpose, request_id, reference, send_window,
 * recipient_kind, recipient_id). `NOTIFICATIONS` selects them (the predicate of their partial indexes).
 */
export const NOTIFICATIONS = 'recipient_kind IS NOT NULL';

/** The outbox channel of a notification channel. */
export const notifyLane = (channel: NotifyChannel): string => `notify-${channel}`;

/** The columns a new notification fills, in the order of `notificationValues` (both databases). */
export const NEW_NOTIFICATION_COLUMNS =
  'source_key, channel, recipient_kind, recipient_id, conversation_id, reply, meta, purpose, request_id, reference, send_window, state, next_attempt_at, created_at';

/** The values of a new notification for `NEW_NOTIFICATION_COLUMNS` (pending), instants in the driver's type. */
export function notificationValues<Time>(n: NewNotification, nextAttemptAt: Time, now: Time, key: (k: string) => unknown = (k) => k): unknown[] {
  return [
    key(`notify:${n.dedupeKey}`),
    notifyLane(n.channel),
    n.recipient.kind,
    n.recipient.id,
    `${n.recipient.kind}:${n.recipient.id}`,
    JSON.stringify({ text: n.body, language: n.language, kind: 'notice' }),
    JSON.stringify(n.subject === undefined ? {} : { subject: n.subject }),
    n.purpose,
    n.requestId ?? null,
    n.reference ?? null,
    n.window,
    'pending',
    nextAttemptAt,
    now,
  ];
}

/** A notification row as a driver returns it (the outbox's columns under `NotifyRow` names, see `notifyColumns`): ids and instants in the driver's own types. */
export interface NotifyRow<Id, Time> {
  id: Id;
  channel: NotifyChannel;
  recipient_kind: Recipient['kind'];
  recipient_id: string;
  language: Language;
  purpose: string;
  reference: string | null;
  subject: string | null;
  body: string;
  send_window: 'any' | 'staff';
  status: NotificationStatus;
  attempts: number;
  next_attempt_at: Time;
  last_error: string | null;
  created_at: Time;
  sent_at: Time | null;
}

/** The stored notification of a row, given how the driver's ids and instants read (one mapping for both databases). */
export function notificationFromRow<Id, Time>(r: NotifyRow<Id, Time>, read: { id: (v: Id) => number; time: (v: Time) => number }): StoredNotification {
  return {
    id: read.id(r.id),
    channel: r.channel,
    recipient: { kind: r.recipient_kind, id: r.recipient_id },
    language: r.language,
    purpose: r.purpose,
    body: r.body,
    window: r.send_window,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: read.time(r.next_attempt_at),
    createdAt: read.time(r.created_at),
    ...(r.reference !== null ? { reference: r.reference } : {}),
    ...(r.subject !== null ? { subject: r.subject } : {}),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    ...(r.sent_at !== null ? { sentAt: read.time(r.sent_at) } : {}),
  };
}

/** Where notifications are enqueued: the store, or the store bound to a transaction (a claim's). */
export interface NotificationQueue {
  /** Stores a notification due at `nextAttemptAt`; false when its dedupe key exists. */
  enqueue(n: NewNotification, nextAttemptAt: number, now: number): Promise<boolean>;
}

/**
 * Bookkeeping of a row that will not be sent in this pass, applied only while the row is still
 * pending and due at `expect` (the value the pass read): `defer` moves it, `park` marks it failed.
 */
export type Settlement = { id: number; expect: number } & ({ kind: 'defer'; nextAttemptAt: number; lastError?: string } | { kind: 'park'; lastError: string });

/** Filters of the admins' listing. */
export interface NotificationQuery {
  status?: NotificationStatus;
  reference?: string;
  limit?: number;
}

/** The notification outbox's rows. */
export interface NotifyStore extends NotificationQueue {
  /** Pending rows due at `now` after the cursor (nextAttemptAt, id), in that order. */
  duePage(now: number, after: readonly [number, number], limit: number): Promise<StoredNotification[]>;
  /** Applies a page's settlements in one transaction; returns the ids that changed. */
  settle(changes: readonly Settlement[]): Promise<Set<number>>;
  /**
   * Takes a row for one send: counts the attempt and moves it to `leaseUntil`, only if it is still
   * pending and due at `expect`; true for the one caller that took it (a crash leaves it due again
   * once the lease expires).
   */
  claim(id: number, expect: number, leaseUntil: number): Promise<boolean>;
  /** Records a send the provider accepted. */
  markSent(id: number, at: number, providerId: string | undefined): Promise<void>;
  /** Records a failed attempt to be tried again at `nextAttemptAt`. */
  markRetry(id: number, nextAttemptAt: number, error: string): Promise<void>;
  /** Parks a row as failed with its reason. */
  markFailed(id: number, error: string): Promise<void>;
  /** Puts a failed row back in the queue, due at `now`, attempts reset; false when it is not failed. */
  requeue(id: number, now: number): Promise<boolean>;
  /** Rows newest first (the reference in any case), at most 1000. */
  list(q: NotificationQuery): Promise<StoredNotification[]>;
  /** Number of rows per channel and status. */
  counts(): Promise<Array<{ channel: NotifyChannel; status: NotificationStatus; count: number }>>;
}
