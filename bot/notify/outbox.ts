/**
 * The durable notification outbox. Notifications are written in the same transaction as what caused
 * them (an escalation claimed, a request filed: `enqueue(n, now, s.notices)` inside the SLA store's
 * transaction), then delivered after commit with retries and capped exponential back-off. Nothing is
 * ever deleted: a notification that cannot be delivered is parked as `failed` with its reason, listed,
 * and can be re-queued. Addresses are resolved at delivery time (the outbox stores who, not where) and
 * never written to logs or errors. The rows live behind `NotifyStore` (bot/notify/store.ts), SQLite
 * or PostgreSQL. Delivery is the one outbox engine of replies too (bot/delivery/outbox-worker.ts),
 * over the notification queue (bot/notify/queue.ts); this class enqueues, lists, counts and requeues.
 * Several instances may deliver at once: each send first takes a lease on its row (`claim`, a
 * conditional update one instance wins), which expires if that instance dies mid-send.
 */
import type { SlaConfig } from '../../config/sla-schema.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import type { Logger } from '../core/logger.js';
import { OutboxWorker } from '../delivery/outbox-worker.js';
import { backoffMs, type RetryPolicy } from '../delivery/retry.js';
import type { Clock } from '../engine/context.js';
import { earliest, notificationOf, notifyQueue, type RecipientResolver } from './queue.js';
import type { NewNotification, NotificationQueue, NotificationStatus, NotifyStore, Recipient } from './store.js';
import type { EmailSender, NotifyChannel, SmsSender } from './types.js';

export { LEASE_MS, type RecipientResolver } from './queue.js';
export type { NewNotification, Recipient } from './store.js';

/** A stored notification without its text (listing for admins). */
export interface OutboxEntry {
  id: number;
  channel: NotifyChannel;
  recipient: Recipient;
  purpose: string;
  reference?: string;
  status: NotificationStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError?: string;
  createdAt: Date;
  sentAt?: Date;
}

/** Counts of one delivery pass. */
export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  deferred: number;
}

/** Options of the outbox. */
export interface OutboxOptions {
  retry: SlaConfig['notifications']['retry'];
  calendar: WorkingCalendar;
  staffHours: SlaConfig['staffHours'];
  resolve: RecipientResolver;
  logger: Logger;
  email?: EmailSender;
  sms?: SmsSender;
  /** Called after each delivery attempt (metrics). */
  onResult?: (channel: NotifyChannel, result: 'sent' | 'retry' | 'failed') => void;
  /** The clock of the engine's own reads (default the system's); a pass is judged at the `now` given to `deliver`. */
  clock?: Clock;
}

/** The notification outbox (rows of the one `outbox` table, through a `NotifyStore`), delivered by the one outbox engine. */
export class NotificationOutbox {
  /** The one outbox engine over the notification queue (bot/notify/queue.ts). */
  private readonly engine: OutboxWorker;

  constructor(
    private readonly store: NotifyStore,
    private readonly opts: OutboxOptions,
  ) {
    const queue = notifyQueue(store, { ...opts, transports: () => ({ email: this.opts.email, sms: this.opts.sms }) });
    this.engine = new OutboxWorker({
      queue,
      limits: {},
      sequential: true,
      retry: this.policy,
      clock: opts.clock ?? { now: () => new Date() },
      logger: opts.logger,
      onResult: (item, result) => this.opts.onResult?.(notificationOf(item).channel, result),
    });
  }

  /** Sets the transports (after configuration was read, or in tests). */
  setTransports(t: { email?: EmailSender; sms?: SmsSender }): void {
    if (t.email) this.opts.email = t.email;
    if (t.sms) this.opts.sms = t.sms;
  }

  /**
   * Stores a notification, due at once or at the next staff-hours opening; false when the key exists.
   * `into` is the queue of the caller's transaction (the SLA store's `s.notices`), to commit with its cause.
   */
  enqueue(n: NewNotification, now: Date, into: NotificationQueue = this.store): Promise<boolean> {
    return into.enqueue(n, earliest(this.opts, n.window, now).getTime(), now.getTime());
  }

  /** The configured retry policy in the shape of the one retry module (`bot/delivery/retry.ts`). */
  private get policy(): RetryPolicy {
    const { baseDelaySeconds, maxDelaySeconds, maxAttempts } = this.opts.retry;
    return { baseMs: baseDelaySeconds * 1000, maxMs: maxDelaySeconds * 1000, maxAttempts };
  }

  /** Back-off after the n-th failed attempt: base·2^(n−1), capped. */
  backoffMs(attempts: number): number {
    return backoffMs(this.policy, attempts);
  }

  /**
   * Sends what is due at `now` through the one outbox engine; failures are rescheduled or parked,
   * never dropped. The engine reads pages after a (next_attempt_at, id) cursor — an index range,
   * never a sort of every pending row — settles each page's deferrals and parkings in one
   * transaction, and yields the event loop between pages, so a backlog of hundreds of thousands of
   * rows never stalls the server.
   */
  async deliver(now: Date, limit = 10_000): Promise<DeliveryReport> {
    const { sent, retried, failed, deferred } = await this.engine.deliver(now, limit);
    return { sent, retried, failed, deferred };
  }

  /** Puts a failed notification back in the queue (after the address or transport was fixed). */
  requeue(id: number, now: Date): Promise<boolean> {
    return this.store.requeue(id, now.getTime());
  }

  /** Notifications, newest first, without their text or address. */
  async list(q: { status?: NotificationStatus; reference?: string; limit?: number } = {}): Promise<OutboxEntry[]> {
    const rows = await this.store.list({ ...q, limit: Math.min(q.limit ?? 100, 1000) });
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      recipient: { kind: r.recipient.kind, id: r.recipient.kind === 'role' ? r.recipient.id : 'applicant' },
      purpose: r.purpose,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: new Date(r.nextAttemptAt),
      createdAt: new Date(r.createdAt),
      ...(r.reference ? { reference: r.reference } : {}),
      ...(r.lastError ? { lastError: r.lastError } : {}),
      ...(r.sentAt !== undefined ? { sentAt: new Date(r.sentAt) } : {}),
    }));
  }

  /** Number of notifications per channel and status. */
  counts(): Promise<Array<{ channel: NotifyChannel; status: NotificationStatus; count: number }>> {
    return this.store.counts();
  }
}
