/**
 * The durable notification outbox. Notifications are written in the same SQLite transaction as what
 * caused them (an escalation claimed, a request filed), then delivered after commit with retries and
 * capped exponential back-off. Nothing is ever deleted: a notification that cannot be delivered is
 * parked as `failed` with its reason, listed, and can be re-queued. Addresses are resolved at delivery
 * time (the outbox stores who, not where) and never written to logs or errors.
 */
import { setImmediate } from 'node:timers/promises';
import type { SlaConfig } from '../../config/sla-schema.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import type { Logger } from '../core/logger.js';
import type { Language } from '../core/types.js';
import { attemptSend, backoffMs, type RetryPolicy } from '../delivery/retry.js';
import type { SqliteDatabase } from '../store/sqlite-database.js';
import { prepared } from '../store/sqlite-database.js';
import { DeliveryError, type EmailSender, type NotifyChannel, type SmsSender } from './types.js';

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

/** A stored notification without its text (listing for admins). */
export interface OutboxEntry {
  id: number;
  channel: NotifyChannel;
  recipient: Recipient;
  purpose: string;
  reference?: string;
  status: 'pending' | 'sent' | 'failed';
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

interface Row {
  id: number;
  dedupe_key: string;
  channel: NotifyChannel;
  recipient_kind: Recipient['kind'];
  recipient_id: string;
  language: Language;
  purpose: string;
  request_id: number | null;
  reference: string | null;
  subject: string | null;
  body: string;
  send_window: 'any' | 'staff';
  status: OutboxEntry['status'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

/** How long a claimed notification stays invisible to other passes while it is being sent. */
const LEASE_MS = 10 * 60_000;

/** Rows per page of a delivery pass. */
const PAGE = 200;

/**
 * One page of due notifications after the cursor (next_attempt_at, id): an index range on
 * notify_outbox_pending (status, next_attempt_at, id), read in index order — no sort.
 */
export const DUE_PAGE = `SELECT * FROM notify_outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (next_attempt_at, id) > (?, ?)
  ORDER BY next_attempt_at, id LIMIT ?`;

/** The notification outbox (table `notify_outbox`). */
export class NotificationOutbox {
  constructor(
    private readonly sql: SqliteDatabase,
    private readonly opts: OutboxOptions,
  ) {}

  /** Sets the transports (after configuration was read, or in tests). */
  setTransports(t: { email?: EmailSender; sms?: SmsSender }): void {
    if (t.email) this.opts.email = t.email;
    if (t.sms) this.opts.sms = t.sms;
  }

  /** Stores a notification (synchronous: call it inside the transaction of its cause); false when the key exists. */
  enqueue(n: NewNotification, now: Date): boolean {
    const r = prepared(
      this.sql.db,
      `INSERT INTO notify_outbox (dedupe_key, channel, recipient_kind, recipient_id, language, purpose, request_id, reference,
        subject, body, send_window, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING`,
    ).run(
      n.dedupeKey,
      n.channel,
      n.recipient.kind,
      n.recipient.id,
      n.language,
      n.purpose,
      n.requestId ?? null,
      n.reference ?? null,
      n.subject ?? null,
      n.body,
      n.window,
      this.earliest(n.window, now).getTime(),
      now.getTime(),
    );
    return r.changes === 1;
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
   * PAGE rows by an index range after a (next_attempt_at, id) cursor — never a sort of every pending
   * row — settles each page's bookkeeping in one transaction, and yields the event loop between pages,
   * so a backlog of hundreds of thousands of rows never stalls the server.
   */
  async deliver(now: Date, limit = 10_000): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retried: 0, failed: 0, deferred: 0 };
    const select = prepared(this.sql.db, DUE_PAGE);
    let cursor: [number, number] = [Number.MIN_SAFE_INTEGER, 0];
    for (let done = 0; done < limit; ) {
      const rows = select.all(now.getTime(), cursor[0], cursor[1], Math.min(PAGE, limit - done)) as Row[];
      if (rows.length === 0) break;
      done += rows.length;
      const last = rows[rows.length - 1]!;
      cursor = [last.next_attempt_at, last.id];
      // Addresses first (the resolver may read another database), then the page's bookkeeping in one transaction.
      const addresses = new Map<number, string | undefined>();
      for (const row of rows) {
        if (row.channel === 'email' ? this.opts.email : this.opts.sms)
          addresses.set(row.id, await this.opts.resolve({ kind: row.recipient_kind, id: row.recipient_id }, row.channel));
      }
      const sendable = this.sql.tx(() => this.settle(rows, now, report, addresses));
      for (const c of sendable) await this.send(c.row, c.address, now, report);
      await setImmediate(); // a macrotask turn: requests and timers run between pages
    }
    return report;
  }

  /** Defers or parks the rows of a page that cannot be sent now (synchronous, in one transaction); returns the others. */
  private settle(rows: Row[], now: Date, report: DeliveryReport, addresses: Map<number, string | undefined>): Array<{ row: Row; address: string }> {
    const db = this.sql.db;
    const at = now.getTime();
    const sendable: Array<{ row: Row; address: string }> = [];
    for (const row of rows) {
      if (row.send_window === 'staff' && !this.opts.calendar.isOpen(this.opts.staffHours, now)) {
        prepared(db, 'UPDATE notify_outbox SET next_attempt_at = ? WHERE id = ?').run(this.earliest('staff', now).getTime(), row.id);
        report.deferred++;
        continue;
      }
      const transport = row.channel === 'email' ? this.opts.email : this.opts.sms;
      if (!transport) {
        // Not configured yet: keep it, look again later, without spending an attempt.
        prepared(db, 'UPDATE notify_outbox SET next_attempt_at = ?, last_error = ? WHERE id = ?').run(
          at + this.opts.retry.maxDelaySeconds * 1000,
          `${row.channel} transport not configured`,
          row.id,
        );
        report.deferred++;
        continue;
      }
      const address = addresses.get(row.id);
      if (!address) {
        prepared(db, `UPDATE notify_outbox SET status = 'failed', last_error = ? WHERE id = ?`).run(
          `no ${row.channel} address for ${row.recipient_kind}`,
          row.id,
        );
        this.result(row, 'failed', report, row.attempts);
        continue;
      }
      sendable.push({ row, address });
    }
    return sendable;
  }

  /** Claims one row (a lease, taken just before its own send) and sends it; records the outcome. */
  private async send(row: Row, address: string, now: Date, report: DeliveryReport): Promise<void> {
    const db = this.sql.db;
    const at = now.getTime();
    const claimed =
      prepared(db, `UPDATE notify_outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at = ?`).run(
        at + LEASE_MS,
        row.id,
        row.next_attempt_at,
      ).changes === 1;
    if (!claimed) return;
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
        sent: (res) => {
          prepared(db, `UPDATE notify_outbox SET status = 'sent', sent_at = ?, provider_id = ?, last_error = NULL WHERE id = ?`).run(
            at,
            res.providerId ?? null,
            row.id,
          );
          this.result(row, 'sent', report, attempts);
        },
        retry: (err, next) => {
          prepared(db, 'UPDATE notify_outbox SET next_attempt_at = ?, last_error = ? WHERE id = ?').run(
            this.earliest(row.send_window, next).getTime(),
            message(err),
            row.id,
          );
          this.result(row, 'retry', report, attempts);
        },
        failed: (err) => {
          prepared(db, `UPDATE notify_outbox SET status = 'failed', last_error = ? WHERE id = ?`).run(message(err), row.id);
          this.result(row, 'failed', report, attempts);
        },
      },
    );
  }

  private result(row: Row, result: 'sent' | 'retry' | 'failed', report: DeliveryReport, attempts: number): void {
    if (result === 'sent') report.sent++;
    else if (result === 'retry') report.retried++;
    else report.failed++;
    this.opts.onResult?.(row.channel, result);
    const log = { notification: row.id, channel: row.channel, purpose: row.purpose, reference: row.reference, attempts };
    if (result === 'sent') this.opts.logger.info(log, 'notification sent');
    else this.opts.logger.warn({ ...log, result }, 'notification not delivered');
  }

  /** Puts a failed notification back in the queue (after the address or transport was fixed). */
  requeue(id: number, now: Date): boolean {
    return (
      prepared(this.sql.db, `UPDATE notify_outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND status = 'failed'`).run(
        now.getTime(),
        id,
      ).changes === 1
    );
  }

  /** Notifications, newest first, without their text or address. */
  list(q: { status?: OutboxEntry['status']; reference?: string; limit?: number } = {}): OutboxEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.reference) {
      where.push('reference = ?');
      args.push(q.reference.toUpperCase());
    }
    const rows = prepared(this.sql.db, `SELECT * FROM notify_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).all(
      ...args,
      Math.min(q.limit ?? 100, 1000),
    ) as Row[];
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      recipient: { kind: r.recipient_kind, id: r.recipient_kind === 'role' ? r.recipient_id : 'applicant' },
      purpose: r.purpose,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: new Date(r.next_attempt_at),
      createdAt: new Date(r.created_at),
      ...(r.reference ? { reference: r.reference } : {}),
      ...(r.last_error ? { lastError: r.last_error } : {}),
      ...(r.sent_at !== null ? { sentAt: new Date(r.sent_at) } : {}),
    }));
  }

  /** Number of notifications per channel and status. */
  counts(): Array<{ channel: NotifyChannel; status: OutboxEntry['status']; count: number }> {
    return prepared(this.sql.db, 'SELECT channel, status, COUNT(*) AS count FROM notify_outbox GROUP BY channel, status').all() as Array<{
      channel: NotifyChannel;
      status: OutboxEntry['status'];
      count: number;
    }>;
  }
}
