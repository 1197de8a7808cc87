/**
 * The SLA schedule in SQL (table `sla_timers`): per open request, the next escalation level and the
 * overdue notice, each with its deadline (`due_at`) and the instant it is acted upon (`fire_at`, the
 * next staff-hours opening). Unfired rows are found by an indexed range on `fire_at`, so a sweep reads
 * only what is due, never every open request. Fired rows stay as the record (exactly once per level).
 *
 * Ladder rule: level 1 is due `afterWorkingDays` working days after the filing or the last staff action;
 * level k+1 is due its own period after level k fired or after the last action, whichever is later.
 */
import type { SqliteDatabase } from '../store/sqlite-database.js';
import { FINAL_STATUSES, type RequestStatus } from '../store/types.js';
import type { Language } from '../core/types.js';
import type { SlaContext } from './context.js';
import { escalationDeadline } from './policy.js';
import { prepared } from '../store/sqlite-database.js';

/** What the SLA engine reads of a request (no personal data besides whether an e-mail exists). */
export interface RequestFacts {
  id: number;
  reference: string;
  serviceId: string;
  department: string;
  status: RequestStatus;
  language: Language;
  channel: string;
  filedAt: number;
  dueAt: number;
  lastActionAt: number;
  hasEmail: number;
}

/** A row of the schedule. */
export interface TimerRow {
  requestId: number;
  kind: 'escalation' | 'overdue';
  level: number;
  reference: string;
  role: string | null;
  baseAt: number;
  dueAt: number;
  fireAt: number;
  firedAt: number | null;
}

const FACTS = `SELECT id, reference, service_id AS serviceId, department, status, language, channel, filed_at AS filedAt,
  due_at AS dueAt, last_action_at AS lastActionAt, (email IS NOT NULL AND email <> '') AS hasEmail FROM requests`;
const TIMER_COLUMNS = `request_id AS requestId, kind, level, reference, role, base_at AS baseAt, due_at AS dueAt, fire_at AS fireAt, fired_at AS firedAt`;

/** Reads and writes the schedule; every method is synchronous (usable inside a transaction). */
export class SlaTimers {
  constructor(private readonly sql: SqliteDatabase, private readonly ctx: SlaContext) {}

  private get db() {
    return this.sql.db;
  }

  /** The facts of one request. */
  facts(requestId: number): RequestFacts | undefined {
    return prepared(this.db, `${FACTS} WHERE id = ?`).get(requestId) as RequestFacts | undefined;
  }

  /** The facts of a request by its reference. */
  factsByReference(reference: string): RequestFacts | undefined {
    return prepared(this.db, `${FACTS} WHERE reference = ?`).get(reference.toUpperCase()) as RequestFacts | undefined;
  }

  /** All rows (fired and pending) of a request, in level order. */
  rows(requestId: number): TimerRow[] {
    return prepared(this.db, `SELECT ${TIMER_COLUMNS} FROM sla_timers WHERE request_id = ? ORDER BY kind, level`).all(requestId) as TimerRow[];
  }

  /** Unfired rows due at `now`, earliest first (indexed range on fire_at). */
  due(now: number, limit: number): TimerRow[] {
    return prepared(this.db, `SELECT ${TIMER_COLUMNS} FROM sla_timers WHERE fired_at IS NULL AND fire_at <= ? ORDER BY fire_at, kind LIMIT ?`)
      .all(now, limit) as TimerRow[];
  }

  /** The clock start that the next escalation level of a request must have now. */
  expectedBase(f: RequestFacts, level: number): number {
    if (level <= 1) return Math.max(f.lastActionAt, f.filedAt);
    const prev = prepared(this.db, `SELECT fired_at FROM sla_timers WHERE request_id = ? AND kind = 'escalation' AND level = ?`)
      .pluck()
      .get(f.id, level - 1) as number | null | undefined;
    return Math.max(f.lastActionAt, prev ?? f.filedAt);
  }

  /** (Re)writes the pending rows of a request from its current facts; removes them once it is closed. */
  plan(f: RequestFacts): void {
    if (FINAL_STATUSES.has(f.status)) {
      this.cancel(f.id);
      return;
    }
    const { calendar, staffHours } = { calendar: this.ctx.calendar, staffHours: this.ctx.staffHours };
    const service = this.ctx.services.get(f.serviceId);
    const lastFired = prepared(this.db, `SELECT MAX(level) FROM sla_timers WHERE request_id = ? AND kind = 'escalation' AND fired_at IS NOT NULL`)
      .pluck()
      .get(f.id) as number | null;
    const next = (lastFired ?? 0) + 1;
    prepared(this.db, `DELETE FROM sla_timers WHERE request_id = ? AND kind = 'escalation' AND level <> ? AND fired_at IS NULL`).run(f.id, next);
    const level = service?.escalation[next - 1];
    if (level) {
      const base = this.expectedBase(f, next);
      const d = escalationDeadline(calendar, staffHours, new Date(base), level);
      this.upsert({ requestId: f.id, kind: 'escalation', level: next, reference: f.reference, role: level.role, baseAt: base, dueAt: d.dueAt.getTime(), fireAt: d.fireAt.getTime() });
    } else {
      prepared(this.db, `DELETE FROM sla_timers WHERE request_id = ? AND kind = 'escalation' AND fired_at IS NULL`).run(f.id);
    }
    const fireAt = calendar.nextOpening(staffHours, new Date(f.dueAt)).getTime();
    this.upsert({ requestId: f.id, kind: 'overdue', level: 0, reference: f.reference, role: null, baseAt: f.filedAt, dueAt: f.dueAt, fireAt });
  }

  private upsert(r: Omit<TimerRow, 'firedAt'>): void {
    prepared(this.db, `INSERT INTO sla_timers (request_id, kind, level, reference, role, base_at, due_at, fire_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (request_id, kind, level) DO UPDATE SET reference = excluded.reference, role = excluded.role, base_at = excluded.base_at,
        due_at = excluded.due_at, fire_at = excluded.fire_at WHERE sla_timers.fired_at IS NULL`)
      .run(r.requestId, r.kind, r.level, r.reference, r.role, r.baseAt, r.dueAt, r.fireAt);
  }

  /** Removes the pending rows of a request (closed or rejected). */
  cancel(requestId: number): void {
    prepared(this.db, 'DELETE FROM sla_timers WHERE request_id = ? AND fired_at IS NULL').run(requestId);
  }

  /** Marks a row fired; true only for the one caller that claimed it (exactly once). */
  claim(row: Pick<TimerRow, 'requestId' | 'kind' | 'level'>, now: number): boolean {
    return prepared(this.db, 'UPDATE sla_timers SET fired_at = ? WHERE request_id = ? AND kind = ? AND level = ? AND fired_at IS NULL')
      .run(now, row.requestId, row.kind, row.level).changes === 1;
  }

  /** Plans every open request not yet in the schedule (first start on an existing database). */
  adoptOpenRequests(batch = 5000): number {
    let after = 0;
    let count = 0;
    for (;;) {
      const rows = prepared(this.db, `${FACTS} WHERE id > ? AND status NOT IN ('closed','rejected') ORDER BY id LIMIT ?`)
        .all(after, batch) as RequestFacts[];
      if (rows.length === 0) return count;
      this.sql.tx(() => { for (const f of rows) this.plan(f); });
      count += rows.length;
      after = rows[rows.length - 1]!.id;
    }
  }
}
