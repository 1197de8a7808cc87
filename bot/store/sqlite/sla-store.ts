/**
 * The SLA's own tables on SQLite: the schedule (`sla_timers`, unfired rows found by an indexed range
 * on `fire_at`), the engine's state, residents' messages, holiday overrides and calendar changes
 * (notifications: notify-outbox.ts, notify-system.ts).
 */
import type { CalendarChangeRecord, HolidayOverrideRecord, HolidayStore, SlaStore, SlaStoreTx, SlaTimerStore, TimerKey, TimerRow } from '../sla-store.js';
import { prepared, type SqliteDatabase } from '../sqlite-database.js';
import { SqliteNotifyStore } from './notify-outbox.js';
import { SqliteSystemNotifications } from './notify-system.js';
import { SqliteFirstResponses } from './sla-first-responses.js';
import { SqliteSlaFigures, SqliteSlaRequests } from './sla-requests.js';

const TIMER_COLUMNS = `request_id AS requestId, kind, level, reference, role, base_at AS baseAt, due_at AS dueAt, fire_at AS fireAt, fired_at AS firedAt`;

/** The SLA schedule, state and residents' messages on SQLite. */
export class SqliteSlaTimers implements SlaTimerStore {
  constructor(private readonly sql: SqliteDatabase) {}

  async rows(requestId: number): Promise<TimerRow[]> {
    return prepared(this.sql.db, `SELECT ${TIMER_COLUMNS} FROM sla_timers WHERE request_id = ? ORDER BY kind, level`).all(requestId) as TimerRow[];
  }

  async due(now: number, limit: number): Promise<TimerRow[]> {
    return prepared(this.sql.db, `SELECT ${TIMER_COLUMNS} FROM sla_timers WHERE fired_at IS NULL AND fire_at <= ? ORDER BY fire_at, kind LIMIT ?`).all(
      now,
      limit,
    ) as TimerRow[];
  }

  async firedAt(requestId: number, level: number): Promise<number | null | undefined> {
    return prepared(this.sql.db, `SELECT fired_at FROM sla_timers WHERE request_id = ? AND kind = 'escalation' AND level = ?`).pluck().get(requestId, level) as
      | number
      | null
      | undefined;
  }

  async lastFiredLevel(requestId: number): Promise<number | null> {
    return prepared(this.sql.db, `SELECT MAX(level) FROM sla_timers WHERE request_id = ? AND kind = 'escalation' AND fired_at IS NOT NULL`)
      .pluck()
      .get(requestId) as number | null;
  }

  async dropPendingEscalations(requestId: number, keepLevel?: number): Promise<void> {
    prepared(this.sql.db, `DELETE FROM sla_timers WHERE request_id = ? AND kind = 'escalation' AND level IS NOT ? AND fired_at IS NULL`).run(
      requestId,
      keepLevel ?? null,
    );
  }

  async upsert(r: Omit<TimerRow, 'firedAt'>): Promise<void> {
    prepared(
      this.sql.db,
      `INSERT INTO sla_timers (request_id, kind, level, reference, role, base_at, due_at, fire_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (request_id, kind, level) DO UPDATE SET reference = excluded.reference, role = excluded.role, base_at = excluded.base_at,
        due_at = excluded.due_at, fire_at = excluded.fire_at WHERE sla_timers.fired_at IS NULL`,
    ).run(r.requestId, r.kind, r.level, r.reference, r.role, r.baseAt, r.dueAt, r.fireAt);
  }

  async cancel(requestId: number): Promise<void> {
    prepared(this.sql.db, 'DELETE FROM sla_timers WHERE request_id = ? AND fired_at IS NULL').run(requestId);
  }

  async claim(key: TimerKey, now: number): Promise<boolean> {
    return (
      prepared(this.sql.db, 'UPDATE sla_timers SET fired_at = ? WHERE request_id = ? AND kind = ? AND level = ? AND fired_at IS NULL').run(
        now,
        key.requestId,
        key.kind,
        key.level,
      ).changes === 1
    );
  }

  async pendingRequests(fireFrom: number, baseBefore: number): Promise<number[]> {
    return prepared(this.sql.db, 'SELECT DISTINCT request_id FROM sla_timers WHERE fired_at IS NULL AND fire_at >= ? AND base_at < ? ORDER BY request_id')
      .pluck()
      .all(fireFrom, baseBefore) as number[];
  }

  async state(key: string): Promise<string | undefined> {
    return prepared(this.sql.db, 'SELECT value FROM sla_state WHERE key = ?').pluck().get(key) as string | undefined;
  }

  async setState(key: string, value: string): Promise<void> {
    prepared(this.sql.db, 'INSERT INTO sla_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  async residentMessage(requestId: number, at: number): Promise<string | undefined> {
    return prepared(this.sql.db, 'SELECT text FROM sla_resident_messages WHERE request_id = ? AND at = ?').pluck().get(requestId, at) as string | undefined;
  }

  async latestResidentMessage(requestId: number): Promise<string | undefined> {
    return prepared(this.sql.db, 'SELECT text FROM sla_resident_messages WHERE request_id = ? ORDER BY at DESC LIMIT 1').pluck().get(requestId) as
      | string
      | undefined;
  }

  async saveResidentMessage(requestId: number, at: number, text: string): Promise<void> {
    prepared(this.sql.db, 'INSERT OR REPLACE INTO sla_resident_messages (request_id, at, text) VALUES (?, ?, ?)').run(requestId, at, text);
  }
}

interface OverrideRow {
  id: number;
  holiday_id: string;
  date_from: string;
  date_to: string;
  status: 'confirmed' | 'cancelled';
  name_ar: string;
  name_en: string;
  actor: string;
  at: number;
}
interface ChangeRow {
  id: number;
  at: number;
  actor: string;
  summary: string;
  dates: string;
  requests_recomputed: number;
  timers_recomputed: number;
  done_at: number | null;
}

const override = (r: OverrideRow): HolidayOverrideRecord => ({
  id: r.id,
  holidayId: r.holiday_id,
  from: r.date_from,
  to: r.date_to,
  status: r.status,
  name: { ar: r.name_ar, en: r.name_en },
  actor: r.actor,
  at: r.at,
});
const change = (r: ChangeRow): CalendarChangeRecord => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  summary: r.summary,
  dates: JSON.parse(r.dates) as string[],
  requestsRecomputed: r.requests_recomputed,
  timersRecomputed: r.timers_recomputed,
  doneAt: r.done_at,
});

/** Holiday overrides and calendar changes on SQLite. */
export class SqliteHolidayStore implements HolidayStore {
  /** Only the connection is used: a read-only one will do for reading (`tawasul due`). */
  constructor(private readonly sql: Pick<SqliteDatabase, 'db'>) {}

  async overrides(): Promise<HolidayOverrideRecord[]> {
    return (this.sql.db.prepare('SELECT * FROM sla_holiday_overrides WHERE removed_at IS NULL ORDER BY id').all() as OverrideRow[]).map(override);
  }

  async override(id: number): Promise<HolidayOverrideRecord | undefined> {
    const r = this.sql.db.prepare('SELECT * FROM sla_holiday_overrides WHERE id = ? AND removed_at IS NULL').get(id) as OverrideRow | undefined;
    return r && override(r);
  }

  async addOverride(o: Omit<HolidayOverrideRecord, 'id'>): Promise<number> {
    return Number(
      this.sql.db
        .prepare('INSERT INTO sla_holiday_overrides (holiday_id, date_from, date_to, status, name_ar, name_en, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(o.holidayId, o.from, o.to, o.status, o.name.ar, o.name.en, o.actor, o.at).lastInsertRowid,
    );
  }

  async removeOverride(id: number, actor: string, at: number): Promise<void> {
    this.sql.db.prepare('UPDATE sla_holiday_overrides SET removed_at = ?, removed_by = ? WHERE id = ?').run(at, actor, id);
  }

  async addChange(at: number, actor: string, summary: string): Promise<number> {
    return Number(this.sql.db.prepare('INSERT INTO sla_calendar_changes (at, actor, summary) VALUES (?, ?, ?)').run(at, actor, summary).lastInsertRowid);
  }

  async setChangeDates(id: number, dates: string[]): Promise<void> {
    this.sql.db.prepare('UPDATE sla_calendar_changes SET dates = ? WHERE id = ?').run(JSON.stringify(dates), id);
  }

  async finishChange(id: number, requestsRecomputed: number, timersRecomputed: number, at: number): Promise<void> {
    this.sql.db
      .prepare('UPDATE sla_calendar_changes SET requests_recomputed = ?, timers_recomputed = ?, done_at = ? WHERE id = ?')
      .run(requestsRecomputed, timersRecomputed, at, id);
  }

  async change(id: number): Promise<CalendarChangeRecord | undefined> {
    const r = this.sql.db.prepare('SELECT * FROM sla_calendar_changes WHERE id = ?').get(id) as ChangeRow | undefined;
    return r && change(r);
  }

  async changes(limit: number): Promise<CalendarChangeRecord[]> {
    return (this.sql.db.prepare('SELECT * FROM sla_calendar_changes ORDER BY id DESC LIMIT ?').all(limit) as ChangeRow[]).map(change);
  }

  async unfinishedChanges(): Promise<number[]> {
    return this.sql.db.prepare('SELECT id FROM sla_calendar_changes WHERE done_at IS NULL ORDER BY id').pluck().all() as number[];
  }
}

/** The SLA's stores on one SQLite database. */
export class SqliteSlaStore implements SlaStore {
  readonly requests: SqliteSlaRequests;
  readonly timers: SqliteSlaTimers;
  readonly holidays: SqliteHolidayStore;
  readonly figures: SqliteSlaFigures;
  readonly firstResponses: SqliteFirstResponses;
  readonly notices: SqliteNotifyStore;
  readonly system: SqliteSystemNotifications;

  constructor(private readonly sql: SqliteDatabase) {
    this.requests = new SqliteSlaRequests(sql);
    this.timers = new SqliteSlaTimers(sql);
    this.holidays = new SqliteHolidayStore(sql);
    this.figures = new SqliteSlaFigures(sql);
    this.firstResponses = new SqliteFirstResponses(sql);
    this.notices = new SqliteNotifyStore(sql);
    this.system = new SqliteSystemNotifications(sql);
  }

  /** One SQLite transaction (`txAsync`); the stores are the same objects, the connection being one. */
  tx<T>(fn: (s: SlaStoreTx) => Promise<T>): Promise<T> {
    return this.sql.txAsync(() => fn(this));
  }
}
