import {
  NEW_NOTIFICATION_COLUMNS,
  type NewNotification,
  NOTIFICATIONS,
  type NotificationQuery,
  type NotificationStatus,
  type NotifyRow,
  type NotifyStore,
  notificationFromRow,
  notificationValues,
  type Settlement,
  type StoredNotification,
} from '../../notify/store.js';
import type { NotifyChannel } from '../../notify/types.js';
import { prepared, type SqliteDatabase } from '../sqlite-database.js';

type Row = NotifyRow<number, number>;

const stored = (r: Row): StoredNotification => notificationFromRow(r, { id: (v) => v, time: (v) => v });

/** A notification row of the outbox under the `NotifyRow` names. */
const COLUMNS = `id, substr(channel, 8) AS channel, recipient_kind, recipient_id, json_extract(reply, '$.language') AS language, purpose, reference,
  json_extract(meta, '$.subject') AS subject, json_extract(reply, '$.text') AS body, send_window, state AS status, attempts, next_attempt_at,
  last_error, created_at, sent_at`;

/**
 * One page of due notifications after the cursor (next_attempt_at, id): an index range on the
 * partial index notifications_pending (state, next_attempt_at, id), read in index order — no sort.
 */
export const DUE_PAGE = `SELECT ${COLUMNS} FROM outbox WHERE ${NOTIFICATIONS} AND state = 'pending' AND next_attempt_at <= ? AND (next_attempt_at, id) > (?, ?)
  ORDER BY next_attempt_at, id LIMIT ?`;

/** Only while the row is as the pass read it (pending, due at that instant). */
const STILL = `id = ? AND state = 'pending' AND next_attempt_at = ?`;

/** The notification rows of the outbox on SQLite. */
export class SqliteNotifyStore implements NotifyStore {
  constructor(private readonly sql: SqliteDatabase) {}

  async enqueue(n: NewNotification, nextAttemptAt: number, now: number): Promise<boolean> {
    const r = prepared(
      this.sql.db,
      `INSERT INTO outbox (${NEW_NOTIFICATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source_key) DO NOTHING`,
    ).run(...notificationValues(n, nextAttemptAt, now));
    return r.changes === 1;
  }

  async duePage(now: number, after: readonly [number, number], limit: number): Promise<StoredNotification[]> {
    return (prepared(this.sql.db, DUE_PAGE).all(now, after[0], after[1], limit) as Row[]).map(stored);
  }

  async settle(changes: readonly Settlement[]): Promise<Set<number>> {
    const db = this.sql.db;
    return this.sql.txAsync(async () => {
      const changed = new Set<number>();
      for (const c of changes) {
        const r =
          c.kind === 'defer'
            ? c.lastError === undefined
              ? prepared(db, `UPDATE outbox SET next_attempt_at = ? WHERE ${STILL}`).run(c.nextAttemptAt, c.id, c.expect)
              : prepared(db, `UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE ${STILL}`).run(c.nextAttemptAt, c.lastError, c.id, c.expect)
            : prepared(db, `UPDATE outbox SET state = 'failed', last_error = ? WHERE ${STILL}`).run(c.lastError, c.id, c.expect);
        if (r.changes === 1) changed.add(c.id);
      }
      return changed;
    });
  }

  async claim(id: number, expect: number, leaseUntil: number): Promise<boolean> {
    return prepared(this.sql.db, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE ${STILL}`).run(leaseUntil, id, expect).changes === 1;
  }

  async markSent(id: number, at: number, providerId: string | undefined): Promise<void> {
    prepared(this.sql.db, `UPDATE outbox SET state = 'sent', sent_at = ?, provider_message_id = ?, last_error = NULL WHERE id = ?`).run(
      at,
      providerId ?? null,
      id,
    );
  }

  async markRetry(id: number, nextAttemptAt: number, error: string): Promise<void> {
    prepared(this.sql.db, 'UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ?').run(nextAttemptAt, error, id);
  }

  async markFailed(id: number, error: string): Promise<void> {
    prepared(this.sql.db, `UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?`).run(error, id);
  }

  async requeue(id: number, now: number): Promise<boolean> {
    return (
      prepared(
        this.sql.db,
        `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND state = 'failed' AND ${NOTIFICATIONS}`,
      ).run(now, id).changes === 1
    );
  }

  async list(q: NotificationQuery): Promise<StoredNotification[]> {
    const where: string[] = [NOTIFICATIONS];
    const args: unknown[] = [];
    if (q.status) {
      where.push('state = ?');
      args.push(q.status);
    }
    if (q.reference) {
      where.push('reference = ?');
      args.push(q.reference.toUpperCase());
    }
    const rows = prepared(this.sql.db, `SELECT ${COLUMNS} FROM outbox WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`).all(
      ...args,
      Math.min(q.limit ?? 100, 1000),
    ) as Row[];
    return rows.map(stored);
  }

  async counts(): Promise<Array<{ channel: NotifyChannel; status: NotificationStatus; count: number }>> {
    return prepared(
      this.sql.db,
      `SELECT substr(channel, 8) AS channel, state AS status, COUNT(*) AS count FROM outbox WHERE ${NOTIFICATIONS} GROUP BY channel, state`,
    ).all() as Array<{
      channel: NotifyChannel;
      status: NotificationStatus;
      count: number;
    }>;
  }
}
