/**
 * System notifications on PostgreSQL (table `notify_system`, migration 0007-notify). On a
 * transaction's client (`SlaStoreTx.system`) `add` commits with the escalation's claim.
 */
import {
  type DepartmentNotification,
  type NewSystemNotification,
  type SystemNotification,
  type SystemNotificationQuery,
  type SystemNotifications,
  systemNotification,
} from '../../notify/system.js';
import type { Queryable } from './database.js';
import { at } from './sla-requests.js';

interface Row {
  id: string;
  role: string;
  kind: string;
  level: number | null;
  reference: string | null;
  title: string;
  body: string;
  created_at: Date;
  read_at: Date | null;
  read_by: string | null;
  department?: string | null;
}

const toNotification = (r: Row): DepartmentNotification =>
  systemNotification({
    id: Number(r.id),
    role: r.role,
    kind: r.kind,
    level: r.level,
    reference: r.reference,
    title: r.title,
    body: r.body,
    createdAt: r.created_at.getTime(),
    readAt: r.read_at === null ? null : r.read_at.getTime(),
    readBy: r.read_by,
    ...(r.department !== undefined ? { department: r.department } : {}),
  });

const COLUMNS = 'n.id, n.role, n.kind, n.level, n.reference, n.title, n.body, n.created_at, n.read_at, n.read_by';

/** Notifications joined to their request's department. */
const WITH_DEPARTMENT = `SELECT ${COLUMNS}, r.department FROM notify_system n LEFT JOIN requests r ON r.reference = n.reference`;

/** The store of system notifications on PostgreSQL (the pool, or a transaction's client). */
export class PostgresSystemNotifications implements SystemNotifications {
  constructor(private readonly q: Queryable) {}

  async add(n: NewSystemNotification, when: Date): Promise<number> {
    const r = await this.q.query<{ id: string }>(
      'INSERT INTO notify_system (role, kind, level, request_id, reference, title, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id',
      [n.role, n.kind, n.level ?? null, n.requestId ?? null, n.reference ?? null, n.title, n.body, when],
    );
    return Number(r.rows[0]!.id);
  }

  async list(q: SystemNotificationQuery = {}): Promise<SystemNotification[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.role) {
      args.push(q.role);
      where.push(`n.role = $${args.length}`);
    }
    if (q.unread) where.push('n.read_at IS NULL');
    if (q.reference) {
      args.push(q.reference.toUpperCase());
      where.push(`n.reference = $${args.length}`);
    }
    args.push(Math.min(q.limit ?? 100, 1000));
    const r = await this.q.query<Row>(
      `SELECT ${COLUMNS} FROM notify_system n ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n.id DESC LIMIT $${args.length}`,
      args,
    );
    return r.rows.map(toNotification);
  }

  async forDepartments(q: { departments?: readonly string[]; unread?: boolean; limit: number }): Promise<DepartmentNotification[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.departments) {
      args.push([...q.departments]);
      where.push(`r.department = ANY($${args.length}::text[])`);
    }
    if (q.unread) where.push('n.read_at IS NULL');
    args.push(q.limit);
    const r = await this.q.query<Row>(
      `${WITH_DEPARTMENT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n.id DESC LIMIT $${args.length}`,
      args,
    );
    return r.rows.map(toNotification);
  }

  async since(afterId: number, limit: number): Promise<DepartmentNotification[]> {
    const r = await this.q.query<Row>(`${WITH_DEPARTMENT} WHERE n.id > $1 ORDER BY n.id LIMIT $2`, [afterId, limit]);
    return r.rows.map(toNotification);
  }

  async lastId(): Promise<number> {
    const r = await this.q.query<{ id: string }>('SELECT COALESCE(MAX(id), 0) AS id FROM notify_system');
    return Number(r.rows[0]!.id);
  }

  async markRead(id: number, by: string, when: Date): Promise<boolean> {
    const r = await this.q.query('UPDATE notify_system SET read_at = $1, read_by = $2 WHERE id = $3 AND read_at IS NULL', [at(when.getTime()), by, id]);
    return r.rowCount === 1;
  }
}
