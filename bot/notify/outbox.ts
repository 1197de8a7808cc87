/**
 * The durable notification outbox. Notifications are written in the same transaction as what caused
 * them (an escalation claimed, a request filed: `enqueue(n, now, s.notices)` inside the SLA store's
 * transaction), then delivered after commit with retries and capped exponential back-off. Nothing is
 * ever deleted: a notification that cannot be delivered is parked as `failed` with its reason, listed,
 * and can be re-queued. Addresses are resolved at delivery time (the outbox stores who, not where) and
 * never written to logs or errors. The rows live behind `NotifyStore` (bot/notify/store.ts), SQLite
 * or PostgreSQL. Several instances may deliver at once: each send first takes a lease on its row
 * (`claim`, a conditional update one instance wins), which expires if that instance dies mid-send.
 */
import { setImmediate } from 'node:timers/promises';
import type { SlaConfig } from '../../config/sla-schema.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import type { Logger } from '../core/logger.js';
import { attemptSend, backoffMs, type RetryPolicy } from '../delivery/retry.js';
import type { NewNotification, NotificationQueue, NotificationStatus, NotifyStore, Recipient, Settlement, StoredNotification } from './store.js';
import { DeliveryError, type EmailSender, type NotifyChannel, type SmsSender } from './types.js';

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

/** Resolves a recipient to an address (e-mail or phone) at delivery time; undefined when there is none. */
export type RecipientResolver = (recipient: Recipient, channel: NotifyChannel) => string | undefined | Promise<string | undefined>;

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
}

/** How long a claimed notification stays invisible to other passes while it is being sent. */
export const LEASE_MS = 10 * 60_000;

/** Rows per page of a delivery pass. */
const PAGE = 200;

/** The notification outbox (table `notify_outbox`, through a `NotifyStore`). */
export class NotificationOutbox {
  constructor(
    private readonly store: NotifyStore,
    private readonly opts: OutboxOptions,
  ) {}

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
    return into.enqueue(n, this.earliest(n.window, now).getTime(), now.getTime());
  }

  private earliest(window: 'any' | 'staff', t: Date): Date {
    return window === 'staff' ? this.opts.calendar.nextOpening(this.opts.staffHours, t) : t;
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
   * Sends what is due at `now`; failures are rescheduled or parked, never dropped. Reads pages of
   * PAGE rows after a (next_attempt_at, id) cursor — an index range, never a sort of every pending
   * row — settles each page's bookkeeping in one transaction, and yields the event loop between pages,
   * so a backlog of hundreds of thousands of rows never stalls the server.
   */
  async deliver(now: Date, limit = 10_000): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retried: 0, failed: 0, deferred: 0 };
    let cursor: readonly [number, number] = [Number.MIN_SAFE_INTEGER, 0];
    for (let done = 0; done < limit; ) {
      const rows = await this.store.duePage(now.getTime(), cursor, Math.min(PAGE, limit - done));
      if (rows.length === 0) break;
      done += rows.length;
      const last = rows[rows.length - 1]!;
      cursor = [last.nextAttemptAt, last.id];
      // Addresses first (the resolver may read another database), then the page's bookkeeping in one transaction.
      const addresses = new Map<number, string | undefined>();
      for (const row of rows) {
        if (this.transport(row.channel)) addresses.set(row.id, await this.opts.resolve(row.recipient, row.channel));
      }
      const sendable = await this.settle(rows, now, report, addresses);
      for (const c of sendable) await this.send(c.row, c.address, now, report);
      await setImmediate(); // a macrotask turn: requests and timers run between pages
    }
    return report;
  }

  private transport(channel: NotifyChannel): EmailSender | SmsSender | undefined {
    return channel === 'email' ? this.opts.email : this.opts.sms;
  }

  /** Defers or parks the rows of a page that cannot be sent now (in one transaction); returns the others. */
  private async settle(
    rows: StoredNotification[],
    now: Date,
    report: DeliveryReport,
    addresses: Map<number, string | undefined>,
  ): Promise<Array<{ row: StoredNotification; address: string }>> {
    const at = now.getTime();
    const changes: Settlement[] = [];
    const sendable: Array<{ row: StoredNotification; address: string }> = [];
    for (const row of rows) {
      const base = { id: row.id, expect: row.nextAttemptAt };
      if (row.window === 'staff' && !this.opts.calendar.isOpen(this.opts.staffHours, now)) {
        changes.push({ ...base, kind: 'defer', nextAttemptAt: this.earliest('staff', now).getTime() });
      } else if (!this.transport(row.channel)) {
        // Not configured yet: keep it, look again later, without spending an attempt.
        changes.push({
          ...base,
          kind: 'defer',
          nextAttemptAt: at + this.opts.retry.maxDelaySeconds * 1000,
          lastError: `${row.channel} transport not configured`,
        });
      } else {
        const address = addresses.get(row.id);
        if (address) sendable.push({ row, address });
        else changes.push({ ...base, kind: 'park', lastError: `no ${row.channel} address for ${row.recipient.kind}` });
      }
    }
    if (changes.length === 0) return sendable;
    const changed = await this.store.settle(changes);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const c of changes) {
      // A row another instance took meanwhile is its business now.
      if (!changed.has(c.id)) continue;
      if (c.kind === 'defer') report.deferred++;
      else this.result(byId.get(c.id)!, 'failed', report, byId.get(c.id)!.attempts);
    }
    return sendable;
  }

  /** Claims one row (a lease, taken just before its own send) and sends it; records the outcome. */
  private async send(row: StoredNotification, address: string, now: Date, report: DeliveryReport): Promise<void> {
    const at = now.getTime();
    if (!(await this.store.claim(row.id, row.nextAttemptAt, at + LEASE_MS))) return;
    const attempts = row.attempts + 1;
    const tag = `outbox-${row.id}`;
    const message = (err: unknown): string => (err instanceof DeliveryError ? err.message : `unexpected: ${(err as Error)?.name ?? 'error'}`);
    // The one durable-send attempt and retry policy of the channel outbox (`bot/delivery/retry.ts`).
    await attemptSend(
      this.policy,
      attempts,
      () => now,
      () =>
        row.channel === 'email'
          ? this.opts.email!.send({ to: address, subject: row.subject ?? '', text: row.body, language: row.language, tag })
          : this.opts.sms!.send({ to: address, text: row.body, tag }),
      {
        sent: async (res) => {
          await this.store.markSent(row.id, at, res.providerId);
          this.result(row, 'sent', report, attempts);
        },
        retry: async (err, next) => {
          await this.store.markRetry(row.id, this.earliest(row.window, next).getTime(), message(err));
          this.result(row, 'retry', report, attempts);
        },
        failed: async (err) => {
          await this.store.markFailed(row.id, message(err));
          this.result(row, 'failed', report, attempts);
        },
      },
    );
  }

  private result(row: StoredNotification, result: 'sent' | 'retry' | 'failed', report: DeliveryReport, attempts: number): void {
    if (result === 'sent') report.sent++;
    else if (result === 'retry') report.retried++;
    else report.failed++;
    this.opts.onResult?.(row.channel, result);
    const log = { notification: row.id, channel: row.channel, purpose: row.purpose, reference: row.reference, attempts };
    if (result === 'sent') this.opts.logger.info(log, 'notification sent');
    else this.opts.logger.warn({ ...log, result }, 'notification not delivered');
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
