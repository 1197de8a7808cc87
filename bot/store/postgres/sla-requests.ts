/**
 * The SLA's read model of the requests and the figures of its reports and metrics, on PostgreSQL
 * (tables `requests`, `request_events` of the request store; `sla_timers`, `sla_first_responses`;
 * the notification outbox's rows in `outbox`, bot/store/postgres/notify-outbox.ts). Instants are TIMESTAMPTZ
 * in the tables and milliseconds in the interface.
 */

import { NOTIFICATIONS } from '../../notify/store.js';
import { type FieldCipher, openField } from '../../security/field-cipher.js';
import type { DueFact, ReportRequestFact, RequestEventFact, RequestFacts, ResponseFact, SlaFigures, SlaRequestReadModel } from '../sla-store.js';
import type { RequestStatus } from '../types.js';
import type { Queryable } from './database.js';

/** Milliseconds of a TIMESTAMPTZ (null stays null). */
export const ms = <T extends Date | null>(d: T): T extends Date ? number : number | null => (d === null ? null : d.getTime()) as never;

/** A moment given as milliseconds, as a query parameter. */
export const at = (t: number): Date => new Date(t);

interface FactsRow {
  id: string;
  reference: string;
  service_id: string;
  department: string;
  status: RequestStatus;
  language: RequestFacts['language'];
  channel: string;
  filed_at: Date;
  due_at: Date;
  last_action_at: Date;
  has_email: number;
}

const FACTS = `SELECT id, reference, service_id, department, status, language, channel, filed_at, due_at, last_action_at,
  (email IS NOT NULL AND email <> '')::int AS has_email FROM requests`;
const OPEN = `status NOT IN ('closed','rejected')`;
/** Rows per page of the report's streams. */
const PAGE = 1000;

const facts = (r: FactsRow): RequestFacts => ({
  id: Number(r.id),
  reference: r.reference,
  serviceId: r.service_id,
  department: r.department,
  status: r.status,
  language: r.language,
  channel: r.channel,
  filedAt: ms(r.filed_at),
  dueAt: ms(r.due_at),
  lastActionAt: ms(r.last_action_at),
  hasEmail: r.has_email,
});

/** The requests as the SLA reads them, on PostgreSQL (a pool, or a transaction's client). */
export class PostgresSlaRequests implements SlaRequestReadModel {
  constructor(
    private readonly q: Queryable,
    private readonly cipher?: FieldCipher,
  ) {}

  async facts(requestId: number): Promise<RequestFacts | undefined> {
    const r = await this.q.query<FactsRow>(`${FACTS} WHERE id = $1`, [requestId]);
    return r.rows[0] && facts(r.rows[0]);
  }

  async factsByReference(reference: string): Promise<RequestFacts | undefined> {
    const r = await this.q.query<FactsRow>(`${FACTS} WHERE reference = $1`, [reference.toUpperCase()]);
    return r.rows[0] && facts(r.rows[0]);
  }

  async openFacts(afterId: number, limit: number): Promise<RequestFacts[]> {
    const r = await this.q.query<FactsRow>(`${FACTS} WHERE id > $1 AND ${OPEN} ORDER BY id LIMIT $2`, [afterId, limit]);
    return r.rows.map(facts);
  }

  async lastEventId(): Promise<number> {
    const r = await this.q.query<{ id: string }>('SELECT COALESCE(MAX(id), 0) AS id FROM request_events');
    return Number(r.rows[0]!.id);
  }

  async eventsAfter(afterId: number, limit: number): Promise<RequestEventFact[]> {
    const r = await this.q.query<{ id: string; request_id: string; at: Date; type: string; status: RequestStatus | null }>(
      'SELECT id, request_id, at, type, status FROM request_events WHERE id > $1 ORDER BY id LIMIT $2',
      [afterId, limit],
    );
    return r.rows.map((e) => ({ id: Number(e.id), requestId: Number(e.request_id), at: ms(e.at), type: e.type, status: e.status }));
  }

  async previousStatus(requestId: number, beforeEventId: number): Promise<RequestStatus | undefined> {
    const r = await this.q.query<{ status: RequestStatus }>(
      `SELECT status FROM request_events WHERE request_id = $1 AND type = 'status' AND id < $2 ORDER BY id DESC LIMIT 1`,
      [requestId, beforeEventId],
    );
    return r.rows[0]?.status;
  }

  async openDueFrom(dueFrom: number, filedBefore: number): Promise<DueFact[]> {
    const r = await this.q.query<{ id: string; reference: string; service_id: string; filed_at: Date; due_at: Date }>(
      `SELECT id, reference, service_id, filed_at, due_at FROM requests
       WHERE status IN ('filed','in_progress','on_hold') AND due_at >= $1 AND filed_at < $2 ORDER BY id`,
      [at(dueFrom), at(filedBefore)],
    );
    return r.rows.map((x) => ({ id: Number(x.id), reference: x.reference, serviceId: x.service_id, filedAt: ms(x.filed_at), dueAt: ms(x.due_at) }));
  }

  /** The applicant's phone and e-mail, opened with the data key when the request store sealed them. */
  async contact(requestId: number): Promise<{ phone?: string; email?: string } | undefined> {
    const r = await this.q.query<{ phone: string; email: string | null }>('SELECT phone, email FROM requests WHERE id = $1', [requestId]);
    const row = r.rows[0];
    return row && { phone: openField(this.cipher, 'phone', row.phone), ...(row.email ? { email: openField(this.cipher, 'email', row.email) } : {}) };
  }
}

/** Reads `sql` page by page after a (time, id) cursor: `sql` takes $1 = end, $2/$3 = cursor, $4 = page size. */
async function* pages<R extends { id: string }>(pool: Queryable, sql: string, from: number, to: number, time: (r: R) => Date): AsyncIterable<R> {
  let cursor: [Date, string] = [at(from), '0'];
  for (;;) {
    const { rows } = await pool.query<R>(sql, [at(to), cursor[0], cursor[1], PAGE]);
    yield* rows;
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    cursor = [time(last), last.id];
  }
}

/** The figures of the SLA report and metrics, on PostgreSQL. */
export class PostgresSlaFigures implements SlaFigures {
  constructor(private readonly pool: Queryable) {}

  async *requestsFiled(from: number, to: number): AsyncIterable<ReportRequestFact> {
    type Row = { id: string; channel: string; service_id: string; department: string; filed_at: Date; due_at: Date; closed_at: Date | null; escalated: number };
    const sql = `SELECT r.id, r.channel, r.service_id, r.department, r.filed_at, r.due_at,
        CASE WHEN r.status IN ('closed','rejected') THEN
          (SELECT MAX(e.at) FROM request_events e WHERE e.request_id = r.id AND e.type = 'status' AND e.status IN ('closed','rejected')) END AS closed_at,
        EXISTS (SELECT 1 FROM sla_timers s WHERE s.request_id = r.id AND s.kind = 'escalation' AND s.fired_at IS NOT NULL)::int AS escalated
      FROM requests r WHERE r.filed_at < $1 AND (r.filed_at, r.id) > ($2, $3::bigint) ORDER BY r.filed_at, r.id LIMIT $4`;
    for await (const r of pages<Row>(this.pool, sql, from, to, (x) => x.filed_at)) {
      yield {
        channel: r.channel,
        serviceId: r.service_id,
        department: r.department,
        filedAt: ms(r.filed_at),
        dueAt: ms(r.due_at),
        closedAt: ms(r.closed_at),
        escalated: r.escalated,
      };
    }
  }

  async *responses(from: number, to: number): AsyncIterable<ResponseFact> {
    type Row = { id: string; channel: string; received_at: Date; deadline_at: Date; responded_at: Date | null };
    const sql = `SELECT id, channel, received_at, deadline_at, responded_at FROM sla_first_responses
      WHERE received_at < $1 AND (received_at, id) > ($2, $3::bigint) ORDER BY received_at, id LIMIT $4`;
    for await (const r of pages<Row>(this.pool, sql, from, to, (x) => x.received_at)) {
      yield { channel: r.channel, receivedAt: ms(r.received_at), deadlineAt: ms(r.deadline_at), respondedAt: ms(r.responded_at) };
    }
  }

  async escalationsFired(from: number, to: number): Promise<Array<{ level: number; role: string; count: number }>> {
    const r = await this.pool.query<{ level: number; role: string; count: number }>(
      `SELECT s.level, s.role, COUNT(*)::int AS count FROM sla_timers s JOIN requests r ON r.id = s.request_id
       WHERE s.kind = 'escalation' AND s.fired_at IS NOT NULL AND r.filed_at >= $1 AND r.filed_at < $2 GROUP BY s.level, s.role ORDER BY s.level, s.role`,
      [at(from), at(to)],
    );
    return r.rows;
  }

  async escalationsFiredTotal(): Promise<Array<{ level: number; role: string; n: number }>> {
    const r = await this.pool.query<{ level: number; role: string; n: number }>(
      `SELECT level, role, COUNT(*)::int AS n FROM sla_timers WHERE kind = 'escalation' AND fired_at IS NOT NULL GROUP BY level, role ORDER BY level, role`,
    );
    return r.rows;
  }

  async scheduled(): Promise<Array<{ kind: string; n: number }>> {
    const r = await this.pool.query<{ kind: string; n: number }>(
      'SELECT kind, COUNT(*)::int AS n FROM sla_timers WHERE fired_at IS NULL GROUP BY kind ORDER BY kind',
    );
    return r.rows;
  }

  async openRequests(now: number): Promise<Array<{ service: string; department: string; open: number; overdue: number }>> {
    const r = await this.pool.query<{ service: string; department: string; open: number; overdue: number }>(
      `SELECT service_id AS service, department, COUNT(*) FILTER (WHERE due_at >= $1)::int AS open, COUNT(*) FILTER (WHERE due_at < $1)::int AS overdue
       FROM requests WHERE status IN ('filed','in_progress','on_hold') GROUP BY service_id, department ORDER BY service_id, department`,
      [at(now)],
    );
    return r.rows;
  }

  async firstResponseOutcomes(now: number, since: number): Promise<Array<{ channel: string; met: number; missed: number; pending: number }>> {
    const r = await this.pool.query<{ channel: string; met: number; missed: number; pending: number }>(
      `SELECT channel,
        COUNT(*) FILTER (WHERE responded_at IS NOT NULL AND responded_at <= deadline_at)::int AS met,
        COUNT(*) FILTER (WHERE (responded_at IS NOT NULL AND responded_at > deadline_at) OR (responded_at IS NULL AND deadline_at < $1))::int AS missed,
        COUNT(*) FILTER (WHERE responded_at IS NULL AND deadline_at >= $1)::int AS pending
       FROM sla_first_responses WHERE received_at >= $2 GROUP BY channel ORDER BY channel`,
      [at(now), at(since)],
    );
    return r.rows;
  }

  /** Counts the notification outbox's rows by channel and status. */
  async notifications(): Promise<Array<{ channel: string; status: string; n: number }>> {
    const r = await this.pool.query<{ channel: string; status: string; n: number }>(
      `SELECT substr(channel, 8) AS channel, state AS status, COUNT(*)::int AS n FROM outbox WHERE ${NOTIFICATIONS} GROUP BY channel, state ORDER BY channel, state`,
    );
    return r.rows;
  }
}
