/**
 * The SLA's read model of the requests and the figures of its reports and metrics, on SQLite
 * (tables `requests`, `request_events`, `sla_timers`, `sla_first_responses`, the notifications' rows of `outbox`).
 */

import { NOTIFICATIONS } from '../../notify/store.js';
import type { DueFact, ReportRequestFact, RequestEventFact, RequestFacts, ResponseFact, SlaFigures, SlaRequestReadModel } from '../sla-store.js';
import { prepared, type SqliteDatabase } from '../sqlite-database.js';
import { applicantContact } from '../sqlite-request-store.js';
import type { RequestStatus } from '../types.js';

const FACTS = `SELECT id, reference, service_id AS serviceId, department, status, language, channel, filed_at AS filedAt,
  due_at AS dueAt, last_action_at AS lastActionAt, (email IS NOT NULL AND email <> '') AS hasEmail FROM requests`;
const OPEN = `status NOT IN ('closed','rejected')`;
/** Rows per page of the report's streams. */
const PAGE = 1000;

/** The requests as the SLA reads them, on SQLite. */
export class SqliteSlaRequests implements SlaRequestReadModel {
  constructor(private readonly sql: SqliteDatabase) {}

  async facts(requestId: number): Promise<RequestFacts | undefined> {
    return prepared(this.sql.db, `${FACTS} WHERE id = ?`).get(requestId) as RequestFacts | undefined;
  }

  async factsByReference(reference: string): Promise<RequestFacts | undefined> {
    return prepared(this.sql.db, `${FACTS} WHERE reference = ?`).get(reference.toUpperCase()) as RequestFacts | undefined;
  }

  async openFacts(afterId: number, limit: number): Promise<RequestFacts[]> {
    return prepared(this.sql.db, `${FACTS} WHERE id > ? AND ${OPEN} ORDER BY id LIMIT ?`).all(afterId, limit) as RequestFacts[];
  }

  async lastEventId(): Promise<number> {
    return (prepared(this.sql.db, 'SELECT COALESCE(MAX(id), 0) FROM request_events').pluck().get() as number) ?? 0;
  }

  async eventsAfter(afterId: number, limit: number): Promise<RequestEventFact[]> {
    return prepared(this.sql.db, 'SELECT id, request_id AS requestId, at, type, status FROM request_events WHERE id > ? ORDER BY id LIMIT ?').all(
      afterId,
      limit,
    ) as RequestEventFact[];
  }

  async previousStatus(requestId: number, beforeEventId: number): Promise<RequestStatus | undefined> {
    return prepared(this.sql.db, `SELECT status FROM request_events WHERE request_id = ? AND type = 'status' AND id < ? ORDER BY id DESC LIMIT 1`)
      .pluck()
      .get(requestId, beforeEventId) as RequestStatus | undefined;
  }

  async openDueFrom(dueFrom: number, filedBefore: number): Promise<DueFact[]> {
    return prepared(
      this.sql.db,
      `SELECT id, reference, service_id AS serviceId, filed_at AS filedAt, due_at AS dueAt FROM requests
      WHERE status IN ('filed','in_progress','on_hold') AND due_at >= ? AND filed_at < ?`,
    ).all(dueFrom, filedBefore) as DueFact[];
  }

  async contact(requestId: number): Promise<{ phone?: string; email?: string } | undefined> {
    return applicantContact(this.sql, requestId);
  }
}

/** The figures of the SLA report and metrics, on SQLite. */
export class SqliteSlaFigures implements SlaFigures {
  constructor(private readonly sql: SqliteDatabase) {}

  async *requestsFiled(from: number, to: number): AsyncIterable<ReportRequestFact> {
    const page = prepared(
      this.sql.db,
      `SELECT r.id, r.channel, r.service_id AS serviceId, r.department, r.filed_at AS filedAt, r.due_at AS dueAt,
        CASE WHEN r.status IN ('closed','rejected') THEN
          (SELECT MAX(e.at) FROM request_events e WHERE e.request_id = r.id AND e.type = 'status' AND e.status IN ('closed','rejected')) END AS closedAt,
        EXISTS (SELECT 1 FROM sla_timers s WHERE s.request_id = r.id AND s.kind = 'escalation' AND s.fired_at IS NOT NULL) AS escalated
      FROM requests r WHERE r.filed_at < ? AND (r.filed_at, r.id) > (?, ?) ORDER BY r.filed_at, r.id LIMIT ?`,
    );
    // Pages by an index range on (filed_at, id): the report streams, and no statement stays open between pages.
    let cursor: [number, number] = [from, 0];
    for (;;) {
      const rows = page.all(to, cursor[0], cursor[1], PAGE) as Array<ReportRequestFact & { id: number }>;
      for (const { id: _, ...r } of rows) yield r;
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      cursor = [last.filedAt, last.id];
    }
  }

  async *responses(from: number, to: number): AsyncIterable<ResponseFact> {
    const page = prepared(
      this.sql.db,
      `SELECT id, channel, received_at AS receivedAt, deadline_at AS deadlineAt, responded_at AS respondedAt
      FROM sla_first_responses WHERE received_at < ? AND (received_at, id) > (?, ?) ORDER BY received_at, id LIMIT ?`,
    );
    let cursor: [number, number] = [from, 0];
    for (;;) {
      const rows = page.all(to, cursor[0], cursor[1], PAGE) as Array<ResponseFact & { id: number }>;
      for (const { id: _, ...r } of rows) yield r;
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      cursor = [last.receivedAt, last.id];
    }
  }

  async escalationsFired(from: number, to: number): Promise<Array<{ level: number; role: string; count: number }>> {
    return this.sql.db
      .prepare(`SELECT s.level, s.role, COUNT(*) AS count FROM sla_timers s JOIN requests r ON r.id = s.request_id
      WHERE s.kind = 'escalation' AND s.fired_at IS NOT NULL AND r.filed_at >= ? AND r.filed_at < ? GROUP BY s.level, s.role ORDER BY s.level, s.role`)
      .all(from, to) as Array<{ level: number; role: string; count: number }>;
  }

  async escalationsFiredTotal(): Promise<Array<{ level: number; role: string; n: number }>> {
    return prepared(
      this.sql.db,
      `SELECT level, role, COUNT(*) AS n FROM sla_timers WHERE kind = 'escalation' AND fired_at IS NOT NULL GROUP BY level, role ORDER BY level, role`,
    ).all() as Array<{ level: number; role: string; n: number }>;
  }

  async scheduled(): Promise<Array<{ kind: string; n: number }>> {
    return prepared(this.sql.db, 'SELECT kind, COUNT(*) AS n FROM sla_timers WHERE fired_at IS NULL GROUP BY kind ORDER BY kind').all() as Array<{
      kind: string;
      n: number;
    }>;
  }

  async openRequests(now: number): Promise<Array<{ service: string; department: string; open: number; overdue: number }>> {
    return prepared(
      this.sql.db,
      `SELECT service_id AS service, department, SUM(due_at >= ?) AS open, SUM(due_at < ?) AS overdue
      FROM requests WHERE status IN ('filed','in_progress','on_hold') GROUP BY service_id, department ORDER BY service_id, department`,
    ).all(now, now) as Array<{ service: string; department: string; open: number; overdue: number }>;
  }

  async firstResponseOutcomes(now: number, since: number): Promise<Array<{ channel: string; met: number; missed: number; pending: number }>> {
    return prepared(
      this.sql.db,
      `SELECT channel,
        SUM(responded_at IS NOT NULL AND responded_at <= deadline_at) AS met,
        SUM((responded_at IS NOT NULL AND responded_at > deadline_at) OR (responded_at IS NULL AND deadline_at < ?)) AS missed,
        SUM(responded_at IS NULL AND deadline_at >= ?) AS pending
      FROM sla_first_responses WHERE received_at >= ? GROUP BY channel ORDER BY channel`,
    ).all(now, now, since) as Array<{ channel: string; met: number; missed: number; pending: number }>;
  }

  async notifications(): Promise<Array<{ channel: string; status: string; n: number }>> {
    return prepared(
      this.sql.db,
      `SELECT substr(channel, 8) AS channel, state AS status, COUNT(*) AS n FROM outbox WHERE ${NOTIFICATIONS} GROUP BY channel, state ORDER BY channel, state`,
    ).all() as Array<{
      channel: string;
      status: string;
      n: number;
    }>;
  }
}
