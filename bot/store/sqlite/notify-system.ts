/**
 * System notifications on SQLite (table `notify_system`, bot/notify/migrations.ts). Statements run
 * synchronously, so `add` inside `SqliteDatabase.txAsync` commits with the transaction of its cause.
 */
import {
  type DepartmentNotification,
  type NewSystemNotification,
  type SystemNotification,
  type SystemNotificationQuery,
  type SystemNotifications,
  systemNotification,
} from '../../notify/system.js';
import { prepared, type SqliteDatabase } from '../sqlite-database.js';

/** The columns of a notification, named as `SystemNotificationRow`. */
const COLUMNS = 'n.id, n.role, n.kind, n.level, n.reference, n.title, n.body, n.created_at AS createdAt, n.read_at AS readAt, n.read_by AS readBy';

/** Notifications joined to their request's department. */
const WITH_DEPARTMENT = `SELECT ${COLUMNS}, r.department FROM notify_system n LEFT JOIN requests r ON r.reference = n.reference`;

type Row = Parameters<typeof systemNotification>[0];

/** The store of system notifications on SQLite. */
export class SqliteSystemNotifications implements SystemNotifications {
  constructor(private readonly sql: SqliteDatabase) {}

  async add(n: NewSystemNotification, at: Date): Promise<number> {
    const r = prepared(
      this.sql.db,
      'INSERT INTO notify_system (role, kind, level, request_id, reference, title, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(n.role, n.kind, n.level ?? null, n.requestId ?? null, n.reference ?? null, n.title, n.body, at.getTime());
    return Number(r.lastInsertRowid);
  }

  async list(q: SystemNotificationQuery = {}): Promise<SystemNotification[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.role) {
      where.push('n.role = ?');
      args.push(q.role);
    }
    if (q.unread) where.push('n.read_at IS NULL');
    if (q.reference) {
      where.push('n.reference = ?');
      args.push(q.reference.toUpperCase());
    }
    const rows = prepared(
      this.sql.db,
      `SELECT ${COLUMNS} FROM notify_system n ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n.id DESC LIMIT ?`,
    ).all(...args, Math.min(q.limit ?? 100, 1000)) as Row[];
    return rows.map(systemNotification);
  }

  async forDepartments(q: { departments?: readonly string[]; unread?: boolean; limit: number }): Promise<DepartmentNotification[]> {
    const where: string[] = [];
    if (q.departments) where.push(`r.department IN (SELECT value FROM json_each(?))`);
    if (q.unread) where.push('n.read_at IS NULL');
    const args: unknown[] = q.departments ? [JSON.stringify(q.departments)] : [];
    const rows = prepared(this.sql.db, `${WITH_DEPARTMENT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n.id DESC LIMIT ?`).all(
      ...args,
      q.limit,
    ) as Row[];
    return rows.map(systemNotification);
  }

  async since(afterId: number, limit: number): Promise<DepartmentNotification[]> {
    return (prepared(this.sql.db, `${WITH_DEPARTMENT} WHERE n.id > ? ORDER BY n.id LIMIT ?`).all(afterId, limit) as Row[]).map(systemNotification);
  }

  async lastId(): Promise<number> {
    return prepared(this.sql.db, 'SELECT COALESCE(MAX(id), 0) FROM notify_system').pluck().get() as number;
  }

  async markRead(id: number, by: string, at: Date): Promise<boolean> {
    return prepared(this.sql.db, 'UPDATE notify_system SET read_at = ?, read_by = ? WHERE id = ? AND read_at IS NULL').run(at.getTime(), by, id).changes === 1;
  }
}
