/**
 * The console's reads of other modules' tables that no store answers (a chat's newest transcript
 * seq, a request's escalation level, filtered request lists, a resident's other requests, the live
 * queue's counts). SQLite in bot/store/sqlite/console-queries.ts, PostgreSQL in
 * bot/store/postgres/console-queries.ts; both pass test/console/console-queries-contract.ts.
 */
import type { RequestStatus } from '../store/types.js';

/** Which requests a list shows (every given part must hold). */
export interface RequestFilter {
  /** The caller's departments (a department head); an empty list matches nothing. */
  departments?: readonly string[];
  department?: string;
  serviceId?: string;
  statuses?: readonly RequestStatus[];
  channel?: string;
  /** Filed at or after. */
  filedFrom?: Date;
  /** Filed before. */
  filedBefore?: Date;
  /** Part of the reference (upper case; `%` and `_` are dropped). */
  reference?: string;
  /** Open and past its due date (true), or not (false). */
  overdue?: boolean;
  /** Has an escalation level fired (true), or none (false). */
  escalated?: boolean;
}

/** The console's read model. */
export interface ConsoleQueries {
  /** The newest transcript seq of a conversation (0 when none). */
  lastSeq(key: string): Promise<number>;
  /** The highest escalation level fired for a request (0 when none). */
  escalationLevel(requestId: number): Promise<number>;
  /** The number of matching requests and the references of one page, oldest filed first. */
  requests(filter: RequestFilter, now: Date, page: { limit: number; offset: number }): Promise<{ total: number; references: string[] }>;
  /** Requests filed from a conversation, newest first, with the phone as stored. */
  conversationRequests(key: string, limit: number): Promise<Array<{ reference: string; phone: string }>>;
  /** References of requests whose phone ends with these 8 national digits, newest first. */
  referencesByPhone(phoneKey: string, limit: number): Promise<string[]>;
  /** Requests open now, and those of them past their due date. */
  openRequests(now: Date): Promise<{ open: number; overdue: number }>;
}

/** Statuses of a request still being worked on. */
export const OPEN_STATUSES = "('filed','in_progress','on_hold')";

/**
 * The WHERE clause of a filter (empty when it has no parts), for either database: `param` adds a
 * value and returns its placeholder, `time` converts an instant to the column's representation.
 */
export function requestWhere(f: RequestFilter, now: Date, param: (v: unknown) => string, time: (d: Date) => unknown): string {
  const where: string[] = [];
  const list = (vs: readonly unknown[]): string => (vs.length ? `(${vs.map(param).join(',')})` : '');
  if (f.departments) where.push(f.departments.length ? `department IN ${list(f.departments)}` : '1 = 0');
  if (f.department) where.push(`department = ${param(f.department)}`);
  if (f.serviceId) where.push(`service_id = ${param(f.serviceId)}`);
  if (f.statuses) where.push(f.statuses.length ? `status IN ${list(f.statuses)}` : '1 = 0');
  if (f.channel) where.push(`channel = ${param(f.channel)}`);
  if (f.filedFrom) where.push(`filed_at >= ${param(time(f.filedFrom))}`);
  if (f.filedBefore) where.push(`filed_at < ${param(time(f.filedBefore))}`);
  if (f.reference) where.push(`reference LIKE ${param(`%${f.reference.toUpperCase().replace(/[%_]/g, '')}%`)}`);
  if (f.overdue !== undefined) where.push(`${f.overdue ? '' : 'NOT '}(status NOT IN ('closed','rejected') AND due_at < ${param(time(now))})`);
  if (f.escalated !== undefined)
    where.push(
      `${f.escalated ? '' : 'NOT '}EXISTS (SELECT 1 FROM sla_timers t WHERE t.request_id = requests.id AND t.kind = 'escalation' AND t.fired_at IS NOT NULL)`,
    );
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}
