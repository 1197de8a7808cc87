/**
 * The SLA's own tables on PostgreSQL (migration 0003-sla): the schedule, the engine's state,
 * residents' messages, holiday overrides and calendar changes (first responses: sla-first-responses.ts;
 * notifications: notify-outbox.ts, notify-system.ts, bound to the same transaction as a claim).
 * Exactly once across instances: a claim is `UPDATE … WHERE fired_at IS NULL` (the loser waits for the winner's commit,
 * then finds the row fired and changes nothing), and the due scan inside a transaction locks its page
 * `FOR UPDATE SKIP LOCKED`, so instances sweeping together take different rows.
 */
import type pg from 'pg';
import type { FieldCipher } from '../../security/field-cipher.js';
import type { CalendarChangeRecord, HolidayOverrideRecord, HolidayStore, SlaStore, SlaStoreTx, SlaTimerStore, TimerKey, TimerRow } from '../sla-store.js';
import { type Queryable, withTransaction } from './database.js';
import { PostgresNotifyStore } from './notify-outbox.js';
import { PostgresSystemNotifications } from './notify-system.js';
import { PostgresFirstResponses } from './sla-first-responses.js';
import { at, ms, PostgresSlaFigures, PostgresSlaRequests } from './sla-requests.js';

interface TimerDbRow {
  request_id: string;
  kind: TimerRow['kind'];
  level: number;
  reference: string;
  role: string | null;
  base_at: Date;
  due_at: Date;
  fire_at: Date;
  fired_at: Date | null;
}
const timerRow = (r: TimerDbRow): TimerRow => ({
  requestId: Number(r.request_id),
  kind: r.kind,
  level: r.level,
  reference: r.reference,
  role: r.role,
  baseAt: ms(r.base_at),
  dueAt: ms(r.due_at),
  fireAt: ms(r.fire_at),
  firedAt: ms(r.fired_at),
});
const TIMER_COLUMNS = 'request_id, kind, level, reference, role, base_at, due_at, fire_at, fired_at';

/** The SLA schedule, state and residents' messages on PostgreSQL (a pool, or a transaction's client). */
export class PostgresSlaTimers implements SlaTimerStore {
  constructor(private readonly q: Queryable) {}

  async rows(requestId: number): Promise<TimerRow[]> {
    const r = await this.q.query<TimerDbRow>(`SELECT ${TIMER_COLUMNS} FROM sla_timers WHERE request_id = $1 ORDER BY kind, level`, [requestId]);
    return r.rows.map(timerRow);
  }

  /** Inside a transaction the page stays locked until it ends; rows another instance holds are skipped. */
  async due(now: number, limit: number): Promise<TimerRow[]> {
    const r = await this.q.query<TimerDbRow>(
      `SELECT ${TIMER_COLUMNS} FROM sla_timers WHERE fired_at IS NULL AND fire_at <= $1 ORDER BY fire_at, kind LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [at(now), limit],
    );
    return r.rows.map(timerRow);
  }

  async firedAt(requestId: number, level: number): Promise<number | null | undefined> {
    const r = await this.q.query<{ fired_at: Date | null }>(`SELECT fired_at FROM sla_timers WHERE request_id = $1 AND kind = 'escalation' AND level = $2`, [
      requestId,
      level,
    ]);
    return r.rows[0] && ms(r.rows[0].fired_at);
  }

  async lastFiredLevel(requestId: number): Promise<number | null> {
    const r = await this.q.query<{ level: number | null }>(
      `SELECT MAX(level) AS level FROM sla_timers WHERE request_id = $1 AND kind = 'escalation' AND fired_at IS NOT NULL`,
      [requestId],
    );
    return r.rows[0]?.level ?? null;
  }

  async dropPendingEscalations(requestId: number, keepLevel?: number): Promise<void> {
    await this.q.query(`DELETE FROM sla_timers WHERE request_id = $1 AND kind = 'escalation' AND level IS DISTINCT FROM $2::int AND fired_at IS NULL`, [
      requestId,
      keepLevel ?? null,
    ]);
  }

  async upsert(t: Omit<TimerRow, 'firedAt'>): Promise<void> {
    await this.q.query(
      `INSERT INTO sla_timers (request_id, kind, level, reference, role, base_at, due_at, fire_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (request_id, kind, level) DO UPDATE SET reference = excluded.reference, role = excluded.role, base_at = excluded.base_at,
       due_at = excluded.due_at, fire_at = excluded.fire_at WHERE sla_timers.fired_at IS NULL`,
      [t.requestId, t.kind, t.level, t.reference, t.role, at(t.baseAt), at(t.dueAt), at(t.fireAt)],
    );
  }

  async cancel(requestId: number): Promise<void> {
    await this.q.query('DELETE FROM sla_timers WHERE request_id = $1 AND fired_at IS NULL', [requestId]);
  }

  async claim(key: TimerKey, now: number): Promise<boolean> {
    const r = await this.q.query('UPDATE sla_timers SET fired_at = $1 WHERE request_id = $2 AND kind = $3 AND level = $4 AND fired_at IS NULL', [
      at(now),
      key.requestId,
      key.kind,
      key.level,
    ]);
    return r.rowCount === 1;
  }

  async pendingRequests(fireFrom: number, baseBefore: number): Promise<number[]> {
    const r = await this.q.query<{ request_id: string }>(
      'SELECT DISTINCT request_id FROM sla_timers WHERE fired_at IS NULL AND fire_at >= $1 AND base_at < $2 ORDER BY request_id',
      [at(fireFrom), at(baseBefore)],
    );
    return r.rows.map((x) => Number(x.request_id));
  }

  async state(key: string): Promise<string | undefined> {
    const r = await this.q.query<{ value: string }>('SELECT value FROM sla_state WHERE key = $1', [key]);
    return r.rows[0]?.value;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.q.query('INSERT INTO sla_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async residentMessage(requestId: number, when: number): Promise<string | undefined> {
    const r = await this.q.query<{ text: string }>('SELECT text FROM sla_resident_messages WHERE request_id = $1 AND at = $2', [requestId, at(when)]);
    return r.rows[0]?.text;
  }

  async latestResidentMessage(requestId: number): Promise<string | undefined> {
    const r = await this.q.query<{ text: string }>('SELECT text FROM sla_resident_messages WHERE request_id = $1 ORDER BY at DESC LIMIT 1', [requestId]);
    return r.rows[0]?.text;
  }

  async saveResidentMessage(requestId: number, when: number, text: string): Promise<void> {
    await this.q.query(
      'INSERT INTO sla_resident_messages (request_id, at, text) VALUES ($1, $2, $3) ON CONFLICT (request_id, at) DO UPDATE SET text = excluded.text',
      [requestId, at(when), text],
    );
  }
}

interface OverrideRow {
  id: string;
  holiday_id: string;
  date_from: string;
  date_to: string;
  status: 'confirmed' | 'cancelled';
  name_ar: string;
  name_en: string;
  actor: string;
  at: Date;
}
interface ChangeRow {
  id: string;
  at: Date;
  actor: string;
  summary: string;
  dates: string[];
  requests_recomputed: number;
  timers_recomputed: number;
  done_at: Date | null;
}
const override = (r: OverrideRow): HolidayOverrideRecord => ({
  id: Number(r.id),
  holidayId: r.holiday_id,
  from: r.date_from,
  to: r.date_to,
  status: r.status,
  name: { ar: r.name_ar, en: r.name_en },
  actor: r.actor,
  at: ms(r.at),
});
const change = (r: ChangeRow): CalendarChangeRecord => ({
  id: Number(r.id),
  at: ms(r.at),
  actor: r.actor,
  summary: r.summary,
  dates: r.dates,
  requestsRecomputed: r.requests_recomputed,
  timersRecomputed: r.timers_recomputed,
  doneAt: ms(r.done_at),
});

/** Holiday overrides and calendar changes on PostgreSQL. */
export class PostgresHolidayStore implements HolidayStore {
  constructor(private readonly q: Queryable) {}

  async overrides(): Promise<HolidayOverrideRecord[]> {
    return (await this.q.query<OverrideRow>('SELECT * FROM sla_holiday_overrides WHERE removed_at IS NULL ORDER BY id')).rows.map(override);
  }

  async override(id: number): Promise<HolidayOverrideRecord | undefined> {
    const r = await this.q.query<OverrideRow>('SELECT * FROM sla_holiday_overrides WHERE id = $1 AND removed_at IS NULL', [id]);
    return r.rows[0] && override(r.rows[0]);
  }

  async addOverride(o: Omit<HolidayOverrideRecord, 'id'>): Promise<number> {
    const r = await this.q.query<{ id: string }>(
      `INSERT INTO sla_holiday_overrides (holiday_id, date_from, date_to, status, name_ar, name_en, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [o.holidayId, o.from, o.to, o.status, o.name.ar, o.name.en, o.actor, at(o.at)],
    );
    return Number(r.rows[0]!.id);
  }

  async removeOverride(id: number, actor: string, when: number): Promise<void> {
    await this.q.query('UPDATE sla_holiday_overrides SET removed_at = $1, removed_by = $2 WHERE id = $3', [at(when), actor, id]);
  }

  async addChange(when: number, actor: string, summary: string): Promise<number> {
    const r = await this.q.query<{ id: string }>('INSERT INTO sla_calendar_changes (at, actor, summary) VALUES ($1, $2, $3) RETURNING id', [
      at(when),
      actor,
      summary,
    ]);
    return Number(r.rows[0]!.id);
  }

  async setChangeDates(id: number, dates: string[]): Promise<void> {
    await this.q.query('UPDATE sla_calendar_changes SET dates = $1::jsonb WHERE id = $2', [JSON.stringify(dates), id]);
  }

  async finishChange(id: number, requestsRecomputed: number, timersRecomputed: number, when: number): Promise<void> {
    await this.q.query('UPDATE sla_calendar_changes SET requests_recomputed = $1, timers_recomputed = $2, done_at = $3 WHERE id = $4', [
      requestsRecomputed,
      timersRecomputed,
      at(when),
      id,
    ]);
  }

  async change(id: number): Promise<CalendarChangeRecord | undefined> {
    const r = await this.q.query<ChangeRow>('SELECT * FROM sla_calendar_changes WHERE id = $1', [id]);
    return r.rows[0] && change(r.rows[0]);
  }

  async changes(limit: number): Promise<CalendarChangeRecord[]> {
    return (await this.q.query<ChangeRow>('SELECT * FROM sla_calendar_changes ORDER BY id DESC LIMIT $1', [limit])).rows.map(change);
  }

  async unfinishedChanges(): Promise<number[]> {
    const r = await this.q.query<{ id: string }>('SELECT id FROM sla_calendar_changes WHERE done_at IS NULL ORDER BY id');
    return r.rows.map((x) => Number(x.id));
  }
}

/** The stores of `SlaStoreTx` on one queryable (the pool, or a transaction's client). */
function bound(q: pg.PoolClient, cipher?: FieldCipher): SlaStoreTx {
  return {
    requests: new PostgresSlaRequests(q, cipher),
    timers: new PostgresSlaTimers(q),
    holidays: new PostgresHolidayStore(q),
    notices: new PostgresNotifyStore(q),
    system: new PostgresSystemNotifications(q),
  };
}

/** The SLA's stores on one PostgreSQL database (pool from `createPool`, schema from `migratePostgres`). */
export class PostgresSlaStore implements SlaStore {
  readonly requests: PostgresSlaRequests;
  readonly timers: PostgresSlaTimers;
  readonly holidays: PostgresHolidayStore;
  readonly figures: PostgresSlaFigures;
  readonly firstResponses: PostgresFirstResponses;
  readonly notices: PostgresNotifyStore;
  readonly system: PostgresSystemNotifications;

  /** `cipher`: the data key's (TAWASUL_DATA_KEY), to open the applicant's phone and e-mail for notifications. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { cipher?: FieldCipher } = {},
  ) {
    this.requests = new PostgresSlaRequests(pool, options.cipher);
    this.timers = new PostgresSlaTimers(pool);
    this.holidays = new PostgresHolidayStore(pool);
    this.figures = new PostgresSlaFigures(pool);
    this.firstResponses = new PostgresFirstResponses(pool);
    this.notices = new PostgresNotifyStore(pool);
    this.system = new PostgresSystemNotifications(pool);
  }

  /** One transaction on one connection; the callback's stores run on it. */
  tx<T>(fn: (s: SlaStoreTx) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, (client) => fn(bound(client, this.options.cipher)));
  }
}
