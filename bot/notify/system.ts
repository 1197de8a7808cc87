/** System notifications: stored for the agent console (escalations inside the system), never sent. */
import type { SqliteDatabase } from '../store/sqlite-database.js';
import { prepared } from '../store/sqlite-database.js';

/** A system notification as the console shows it. */
export interface SystemNotification {
  id: number;
  role: string;
  kind: string;
  level?: number;
  reference?: string;
  title: string;
  body: string;
  createdAt: Date;
  readAt?: Date;
  readBy?: string;
}

/** A system notification with the department of its request (the console filters and routes by it). */
export interface DepartmentNotification extends SystemNotification {
  department?: string;
}

/** What is stored for a new system notification. */
export interface NewSystemNotification {
  role: string;
  kind: string;
  level?: number;
  requestId?: number;
  reference?: string;
  title: string;
  body: string;
}

interface Row {
  id: number;
  role: string;
  kind: string;
  level: number | null;
  reference: string | null;
  title: string;
  body: string;
  created_at: number;
  read_at: number | null;
  read_by: string | null;
  department?: string | null;
}

const toNotification = (r: Row): DepartmentNotification => ({
  id: r.id,
  role: r.role,
  kind: r.kind,
  title: r.title,
  body: r.body,
  createdAt: new Date(r.created_at),
  ...(r.level !== null ? { level: r.level } : {}),
  ...(r.reference ? { reference: r.reference } : {}),
  ...(r.read_at !== null ? { readAt: new Date(r.read_at) } : {}),
  ...(r.read_by ? { readBy: r.read_by } : {}),
  ...(r.department ? { department: r.department } : {}),
});

/** Notifications joined to their request's department. */
const WITH_DEPARTMENT = 'SELECT n.*, r.department FROM notify_system n LEFT JOIN requests r ON r.reference = n.reference';

/** The store of system notifications (table `notify_system`). */
export class SystemNotifications {
  constructor(private readonly sql: SqliteDatabase) {}

  /** Stores a notification; call inside the caller's transaction to make it atomic with the cause. */
  add(n: NewSystemNotification, at: Date): number {
    const r = prepared(
      this.sql.db,
      'INSERT INTO notify_system (role, kind, level, request_id, reference, title, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(n.role, n.kind, n.level ?? null, n.requestId ?? null, n.reference ?? null, n.title, n.body, at.getTime());
    return Number(r.lastInsertRowid);
  }

  /** Notifications, newest first, optionally of one role and only unread ones. */
  list(q: { role?: string; unread?: boolean; reference?: string; limit?: number } = {}): SystemNotification[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.role) {
      where.push('role = ?');
      args.push(q.role);
    }
    if (q.unread) where.push('read_at IS NULL');
    if (q.reference) {
      where.push('reference = ?');
      args.push(q.reference.toUpperCase());
    }
    const rows = prepared(this.sql.db, `SELECT * FROM notify_system ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).all(
      ...args,
      Math.min(q.limit ?? 100, 1000),
    ) as Row[];
    return rows.map(toNotification);
  }

  /**
   * Notifications with their request's department, newest first: only those of `departments` when
   * given (a department head's view), only unread ones when asked.
   */
  forDepartments(q: { departments?: readonly string[]; unread?: boolean; limit: number }): DepartmentNotification[] {
    const where: string[] = [];
    if (q.departments) where.push(`r.department IN (SELECT value FROM json_each(?))`);
    if (q.unread) where.push('n.read_at IS NULL');
    const args: unknown[] = q.departments ? [JSON.stringify(q.departments)] : [];
    const rows = prepared(this.sql.db, `${WITH_DEPARTMENT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n.id DESC LIMIT ?`).all(
      ...args,
      q.limit,
    ) as Row[];
    return rows.map(toNotification);
  }

  /** Notifications stored after `afterId`, oldest first, with their request's department (the console's live stream). */
  since(afterId: number, limit: number): DepartmentNotification[] {
    return (prepared(this.sql.db, `${WITH_DEPARTMENT} WHERE n.id > ? ORDER BY n.id LIMIT ?`).all(afterId, limit) as Row[]).map(toNotification);
  }

  /** The id of the latest notification (0 when none). */
  lastId(): number {
    return prepared(this.sql.db, 'SELECT COALESCE(MAX(id), 0) FROM notify_system').pluck().get() as number;
  }

  /** Marks a notification read; false when unknown or already read. */
  markRead(id: number, by: string, at: Date): boolean {
    return prepared(this.sql.db, 'UPDATE notify_system SET read_at = ?, read_by = ? WHERE id = ? AND read_at IS NULL').run(at.getTime(), by, id).changes === 1;
  }
}
