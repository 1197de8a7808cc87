/**
 * System notifications: stored for the agent console (escalations inside the system), never sent.
 * The store is an interface (`SystemNotifications`) with SQLite (bot/store/sqlite/notify-system.ts)
 * and PostgreSQL (bot/store/postgres/notify-system.ts) implementations; `add` also runs on the SLA
 * store's transaction (`s.system`), so that an escalation's notification commits with its claim.
 */
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

/** Where a system notification is stored: the store, or the store bound to a transaction (a claim's). */
export interface SystemNotificationSink {
  /** Stores a notification; returns its id. */
  add(n: NewSystemNotification, at: Date): Promise<number>;
}

/** The filters of `list`. */
export interface SystemNotificationQuery {
  role?: string;
  unread?: boolean;
  reference?: string;
  limit?: number;
}

/** The store of system notifications (table `notify_system`). */
export interface SystemNotifications extends SystemNotificationSink {
  /** Notifications, newest first, optionally of one role, only unread ones, of one reference (any case); at most 1000. */
  list(q?: SystemNotificationQuery): Promise<SystemNotification[]>;
  /**
   * Notifications with their request's department, newest first: only those of `departments` when
   * given (a department head's view), only unread ones when asked.
   */
  forDepartments(q: { departments?: readonly string[]; unread?: boolean; limit: number }): Promise<DepartmentNotification[]>;
  /** Notifications stored after `afterId`, oldest first, with their request's department (the console's live stream). */
  since(afterId: number, limit: number): Promise<DepartmentNotification[]>;
  /** The id of the latest notification (0 when none). */
  lastId(): Promise<number>;
  /** Marks a notification read; false when unknown or already read. */
  markRead(id: number, by: string, at: Date): Promise<boolean>;
}

/** A stored row's fields as both stores read them (instants in epoch milliseconds). */
export interface SystemNotificationRow {
  id: number;
  role: string;
  kind: string;
  level: number | null;
  reference: string | null;
  title: string;
  body: string;
  createdAt: number;
  readAt: number | null;
  readBy: string | null;
  department?: string | null;
}

/** A stored row as the console shows it. */
export const systemNotification = (r: SystemNotificationRow): DepartmentNotification => ({
  id: r.id,
  role: r.role,
  kind: r.kind,
  title: r.title,
  body: r.body,
  createdAt: new Date(r.createdAt),
  ...(r.level !== null ? { level: r.level } : {}),
  ...(r.reference ? { reference: r.reference } : {}),
  ...(r.readAt !== null ? { readAt: new Date(r.readAt) } : {}),
  ...(r.readBy ? { readBy: r.readBy } : {}),
  ...(r.department ? { department: r.department } : {}),
});
