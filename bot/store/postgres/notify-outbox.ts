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
import { at, ms } from './sla-requests.js';
import { keyBytes, type TurnDb } from './turn-db.js';

type Row = NotifyRow<string, Date>;

/** A notification row of the outbox under the `NotifyRow` names. */
const COLUMNS = `id, substr(channel, 8) AS channel, recipient_kind, recipient_id, reply::jsonb ->> 'language' AS language, purpose, reference,
  meta::jsonb ->> 'subject' AS subject, reply::jsonb ->> 'text' AS body, send_window, state AS status, attempts, next_attempt_at, last_error, created_at, sent_at`;

const stored = (r: Row): StoredNotification => notificationFromRow(r, { id: Number, time: ms });

/** The notification rows of the outbox on PostgreSQL (the pool, or a transaction's client). */
export class PostgresNotifyStore implements NotifyStore {
  constructor(private readonly db: TurnDb) {}

  async enqueue(n: NewNotification, nextAttemptAt: number, now: number): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO outbox (${NEW_NOTIFICATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        ON CONFLICT (source_key) DO NOTHING`,
      notificationValues(n, at(nextAttemptAt), at(now), keyBytes),
    );
    return r.rowCount === 1;
  }

  /** The start cursor (MIN_SAFE_INTEGER) is before any instant PostgreSQL holds: `-infinity`. */
  async duePage(now: number, after: readonly [number, number], limit: number): Promise<StoredNotification[]> {
    const r = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM outbox WHERE ${NOTIFICATIONS} AND state = 'pending' AND next_attempt_at <= $1 AND (next_attempt_at, id) > ($2, $3)
        ORDER BY next_attempt_at, id LIMIT $4`,
      [at(now), after[0] <= Number.MIN_SAFE_INTEGER ? '-infinity' : at(after[0]), after[1], limit],
    );
    return r.rows.map(stored);
  }

  /** One statement over the page's settlements (atomic by itself). */
  async settle(changes: readonly Settlement[]): Promise<Set<number>> {
    const r = await this.db.query<{ id: string }>(
      `UPDATE outbox n SET
         state = CASE WHEN c.kind = 'park' THEN 'failed' ELSE n.state END,
         next_attempt_at = CASE WHEN c.kind = 'defer' THEN c.next ELSE n.next_attempt_at END,
         last_error = COALESCE(c.error, n.last_error)
       FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::timestamptz[], $5::text[]) AS c(id, expect, kind, next, error)
       WHERE n.id = c.id AND n.state = 'pending' AND n.next_attempt_at = c.expect
       RETURNING n.id`,
      [
        changes.map((c) => c.id),
        changes.map((c) => at(c.expect)),
        changes.map((c) => c.kind),
        changes.map((c) => (c.kind === 'defer' ? at(c.nextAttemptAt) : null)),
        changes.map((c) => c.lastError ?? null),
      ],
    );
    return new Set(r.rows.map((x) => Number(x.id)));
  }

  async claim(id: number, expect: number, leaseUntil: number): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 WHERE id = $2 AND state = 'pending' AND next_attempt_at = $3`,
      [at(leaseUntil), id, at(expect)],
    );
    return r.rowCount === 1;
  }

  async markSent(id: number, when: number, providerId: string | undefined): Promise<void> {
    await this.db.query(`UPDATE outbox SET state = 'sent', sent_at = $1, provider_message_id = $2, last_error = NULL WHERE id = $3`, [
      at(when),
      providerId ?? null,
      id,
    ]);
  }

  async markRetry(id: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.db.query('UPDATE outbox SET next_attempt_at = $1, last_error = $2 WHERE id = $3', [at(nextAttemptAt), error, id]);
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.db.query(`UPDATE outbox SET state = 'failed', last_error = $1 WHERE id = $2`, [error, id]);
  }

  async requeue(id: number, now: number): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1 WHERE id = $2 AND state = 'failed' AND ${NOTIFICATIONS}`,
      [at(now), id],
    );
    return r.rowCount === 1;
  }

  async list(q: NotificationQuery): Promise<StoredNotification[]> {
    const where: string[] = [NOTIFICATIONS];
    const args: unknown[] = [];
    if (q.status) {
      args.push(q.status);
      where.push(`state = $${args.length}`);
    }
    if (q.reference) {
      args.push(q.reference.toUpperCase());
      where.push(`reference = $${args.length}`);
    }
    args.push(Math.min(q.limit ?? 100, 1000));
    const r = await this.db.query<Row>(`SELECT ${COLUMNS} FROM outbox WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${args.length}`, args);
    return r.rows.map(stored);
  }

  async counts(): Promise<Array<{ channel: NotifyChannel; status: NotificationStatus; count: number }>> {
    const r = await this.db.query<{ channel: NotifyChannel; status: NotificationStatus; count: number }>(
      `SELECT substr(channel, 8) AS channel, state AS status, COUNT(*)::int AS count FROM outbox WHERE ${NOTIFICATIONS} GROUP BY channel, state`,
    );
    return r.rows;
  }
}
