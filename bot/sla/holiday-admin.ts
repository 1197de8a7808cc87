/**
 * Holidays confirmed or moved at run time (after the moon sighting). Overrides are stored in SQL
 * (`sla_holiday_overrides`, applied in order over the configured calendar), applied to the live
 * WorkingCalendar without a restart, and the due dates and escalation instants of the open requests
 * the change touches are recomputed; each change is recorded (`sla_calendar_changes`) and each moved
 * due date is written in the request's history (`RequestStore.setDue`). An interrupted recomputation
 * is finished on the next start.
 */
import { holidaySchema, type CalendarConfig, type HolidayEntry } from '../../config/schema.js';
import { addDays, instantAt } from '../calendar/dates.js';
import type { Holiday } from '../calendar/holidays.js';
import { InputError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SqliteDatabase } from '../store/sqlite-database.js';
import type { RequestStore } from '../store/types.js';
import type { SlaContext } from './context.js';
import { resolutionDue } from './policy.js';
import type { SlaEngine } from './sla-engine.js';

/** A stored override. */
export interface HolidayOverride {
  id: number;
  holidayId: string;
  from: string;
  to: string;
  status: 'confirmed' | 'cancelled';
  name: { ar: string; en: string };
  actor: string;
  at: Date;
}

/** One recorded calendar change and what it recomputed. */
export interface CalendarChange {
  id: number;
  at: Date;
  actor: string;
  summary: string;
  dates: string[];
  requestsRecomputed: number;
  timersRecomputed: number;
  done: boolean;
}

interface OverrideRow { id: number; holiday_id: string; date_from: string; date_to: string; status: 'confirmed' | 'cancelled'; name_ar: string; name_en: string; actor: string; at: number }
interface ChangeRow { id: number; at: number; actor: string; summary: string; dates: string; requests_recomputed: number; timers_recomputed: number; done_at: number | null }

const OPEN = `status IN ('filed','in_progress','on_hold')`;

function holidayDates(table: Holiday[]): Set<string> {
  const out = new Set<string>();
  for (const h of table) for (let d = h.from; d <= h.to; d = addDays(d, 1)) out.add(d);
  return out;
}

/** Manages run-time holiday overrides and the recomputation they cause. */
export class HolidayAdmin {
  private base: CalendarConfig;

  constructor(private readonly sql: SqliteDatabase, private readonly ctx: SlaContext, private readonly engine: SlaEngine,
    private readonly requests: RequestStore, private readonly logger: Logger) {
    this.base = ctx.config.calendar;
    this.apply();
  }

  /** Stored overrides in the order they apply. */
  overrides(): HolidayOverride[] {
    return (this.sql.db.prepare('SELECT * FROM sla_holiday_overrides WHERE removed_at IS NULL ORDER BY id').all() as OverrideRow[]).map((r) => ({
      id: r.id, holidayId: r.holiday_id, from: r.date_from, to: r.date_to, status: r.status, name: { ar: r.name_ar, en: r.name_en }, actor: r.actor, at: new Date(r.at),
    }));
  }

  /** The configured calendar with the stored overrides applied after its own entries. */
  effectiveConfig(): CalendarConfig {
    const extra: HolidayEntry[] = this.overrides().map((o) => ({ id: o.holidayId, name: o.name, from: o.from, to: o.to, status: o.status }));
    return { ...this.base, holidays: [...this.base.holidays, ...extra] };
  }

  private apply(): void {
    this.ctx.calendar.replace(this.effectiveConfig());
  }

  /** Confirms, moves, cancels or adds a holiday occurrence (the year is that of `from`). */
  async setHoliday(input: { id: string; from: string; to?: string; status?: 'confirmed' | 'cancelled'; name?: { ar: string; en: string } }, actor: string, now: Date): Promise<CalendarChange> {
    const known = this.ctx.calendar.holidays().find((h) => h.id === input.id) ?? this.base.rules.find((r) => r.id === input.id);
    const name = input.name ?? known?.name;
    if (!name) throw new InputError(`unknown holiday "${input.id}": give its name to add it`, 400, 'unknown_holiday');
    const parsed = holidaySchema.safeParse({ id: input.id, name, from: input.from, ...(input.to ? { to: input.to } : {}), status: input.status ?? 'confirmed' });
    if (!parsed.success) throw new InputError(`${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`, 400, 'invalid_holiday');
    const e = parsed.data;
    const to = e.to ?? e.from;
    if (to < e.from || addDays(e.from, 14) < to) throw new InputError('"to" must be on or after "from" and within 14 days', 400, 'invalid_holiday');
    const summary = `holiday ${e.id} ${e.status} ${e.from}..${to}`;
    return this.change(summary, actor, now, () => {
      this.sql.db
        .prepare('INSERT INTO sla_holiday_overrides (holiday_id, date_from, date_to, status, name_ar, name_en, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(e.id, e.from, to, e.status, e.name.ar, e.name.en, actor, now.getTime());
    });
  }

  /** Withdraws an override (the holiday reverts to the configuration or to earlier overrides). */
  async removeOverride(id: number, actor: string, now: Date): Promise<CalendarChange | undefined> {
    const row = this.sql.db.prepare('SELECT * FROM sla_holiday_overrides WHERE id = ? AND removed_at IS NULL').get(id) as OverrideRow | undefined;
    if (!row) return undefined;
    return this.change(`override ${id} of ${row.holiday_id} withdrawn`, actor, now, () => {
      this.sql.db.prepare('UPDATE sla_holiday_overrides SET removed_at = ?, removed_by = ? WHERE id = ?').run(now.getTime(), actor, id);
    });
  }

  /** Replaces the configured calendar (configuration reloaded without restart). */
  async setBase(cfg: CalendarConfig, actor: string, now: Date): Promise<CalendarChange> {
    return this.change('calendar configuration reloaded', actor, now, () => { this.base = cfg; });
  }

  private async change(summary: string, actor: string, now: Date, mutate: () => void): Promise<CalendarChange> {
    const before = holidayDates(this.ctx.calendar.holidays());
    const id = this.sql.tx(() => {
      mutate();
      return Number(this.sql.db.prepare('INSERT INTO sla_calendar_changes (at, actor, summary) VALUES (?, ?, ?)').run(now.getTime(), actor, summary).lastInsertRowid);
    });
    this.apply();
    const after = holidayDates(this.ctx.calendar.holidays());
    const dates = [...before].filter((d) => !after.has(d)).concat([...after].filter((d) => !before.has(d))).sort();
    this.sql.db.prepare('UPDATE sla_calendar_changes SET dates = ? WHERE id = ?').run(JSON.stringify(dates), id);
    this.logger.info({ change: id, dates: dates.length }, 'sla: calendar changed');
    return this.recompute(id, actor, now);
  }

  /** Finishes recomputations a crash interrupted (called at start). */
  async resumePending(now: Date): Promise<number> {
    const ids = this.sql.db.prepare('SELECT id FROM sla_calendar_changes WHERE done_at IS NULL ORDER BY id').pluck().all() as number[];
    for (const id of ids) await this.recompute(id, 'system:resume', now);
    return ids.length;
  }

  private async recompute(id: number, actor: string, now: Date): Promise<CalendarChange> {
    const row = this.sql.db.prepare('SELECT * FROM sla_calendar_changes WHERE id = ?').get(id) as ChangeRow;
    const dates = JSON.parse(row.dates) as string[];
    let requestsRecomputed = 0;
    const touched = new Set<number>();
    if (dates.length > 0) {
      const tz = this.ctx.calendar.timeZone;
      const lo = instantAt(dates[0]!, 0, tz).getTime();
      const hi = instantAt(dates[dates.length - 1]!, 0, tz).getTime();
      // A changed day matters to a request filed before it whose due date is not before it.
      const affected = this.sql.db
        .prepare(`SELECT id, reference, service_id AS serviceId, filed_at AS filedAt, due_at AS dueAt FROM requests WHERE ${OPEN} AND due_at >= ? AND filed_at < ?`)
        .all(lo, hi) as Array<{ id: number; reference: string; serviceId: string; filedAt: number; dueAt: number }>;
      for (const r of affected) {
        const due = resolutionDue(this.ctx.calendar, this.ctx.services.get(r.serviceId), this.ctx.config, new Date(r.filedAt));
        touched.add(r.id);
        if (due.getTime() === r.dueAt) continue;
        const note = `${row.summary}: due ${new Date(r.dueAt).toISOString()} -> ${due.toISOString()}`;
        await this.requests.setDue(r.reference, due, actor, note, now);
        requestsRecomputed++;
      }
      const timers = this.sql.db
        .prepare('SELECT DISTINCT request_id FROM sla_timers WHERE fired_at IS NULL AND fire_at >= ? AND base_at < ?')
        .pluck()
        .all(lo, hi + 86_400_000) as number[];
      for (const t of timers) touched.add(t);
    }
    this.sql.tx(() => {
      for (const rid of touched) {
        const f = this.engine.timers.facts(rid);
        if (f) this.engine.timers.plan(f);
      }
      this.sql.db
        .prepare('UPDATE sla_calendar_changes SET requests_recomputed = ?, timers_recomputed = ?, done_at = ? WHERE id = ?')
        .run(requestsRecomputed, touched.size, now.getTime(), id);
    });
    this.engine.processEvents(now);
    if (requestsRecomputed > 0) this.logger.info({ change: id, requests: requestsRecomputed }, 'sla: due dates recomputed');
    return this.changeById(id)!;
  }

  /** A recorded change. */
  changeById(id: number): CalendarChange | undefined {
    const r = this.sql.db.prepare('SELECT * FROM sla_calendar_changes WHERE id = ?').get(id) as ChangeRow | undefined;
    return r && {
      id: r.id, at: new Date(r.at), actor: r.actor, summary: r.summary, dates: JSON.parse(r.dates) as string[],
      requestsRecomputed: r.requests_recomputed, timersRecomputed: r.timers_recomputed, done: r.done_at !== null,
    };
  }

  /** Recorded changes, newest first. */
  changes(limit = 100): CalendarChange[] {
    const ids = this.sql.db.prepare('SELECT id FROM sla_calendar_changes ORDER BY id DESC LIMIT ?').pluck().all(limit) as number[];
    return ids.map((i) => this.changeById(i)!);
  }
}
