/**
 * Holidays confirmed or moved at run time (after the moon sighting). Overrides are stored in SQL
 * (`sla_holiday_overrides`, applied in order over the configured calendar), applied to the live
 * WorkingCalendar without a restart, and the due dates and escalation instants of the open requests
 * the change touches are recomputed; each change is recorded (`sla_calendar_changes`) and each moved
 * due date is written in the request's history (`RequestStore.setDue`). An interrupted recomputation
 * is finished on the next start.
 */
import { type CalendarConfig, type HolidayEntry, holidaySchema } from '../../config/schema.js';
import { addDays, instantAt } from '../calendar/dates.js';
import type { Holiday } from '../calendar/holidays.js';
import { InputError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CalendarChangeRecord, HolidayOverrideRecord, SlaStore } from '../store/sla-store.js';
import type { RequestStore } from '../store/types.js';
import type { SlaContext } from './context.js';
import { resolutionDue } from './policy.js';
import type { SlaEngine } from './sla-engine.js';

/** A stored override, as the admin API shows it. */
export type HolidayOverride = Omit<HolidayOverrideRecord, 'at'> & { at: Date };

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

function holidayDates(table: Holiday[]): Set<string> {
  const out = new Set<string>();
  for (const h of table) for (let d = h.from; d <= h.to; d = addDays(d, 1)) out.add(d);
  return out;
}

/** A recorded change as the admin API shows it. */
function calendarChange(r: CalendarChangeRecord): CalendarChange {
  return {
    id: r.id,
    at: new Date(r.at),
    actor: r.actor,
    summary: r.summary,
    dates: r.dates,
    requestsRecomputed: r.requestsRecomputed,
    timersRecomputed: r.timersRecomputed,
    done: r.doneAt !== null,
  };
}

/** Manages run-time holiday overrides and the recomputation they cause. */
export class HolidayAdmin {
  private base: CalendarConfig;

  constructor(
    private readonly store: SlaStore,
    private readonly ctx: SlaContext,
    private readonly engine: SlaEngine,
    private readonly requests: RequestStore,
    private readonly logger: Logger,
  ) {
    this.base = ctx.config.calendar;
    this.apply();
  }

  /** Stored overrides in the order they apply. */
  overrides(): HolidayOverride[] {
    return this.store.holidays.overrides().map((o) => ({ ...o, at: new Date(o.at) }));
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
  async setHoliday(
    input: { id: string; from: string; to?: string; status?: 'confirmed' | 'cancelled'; name?: { ar: string; en: string } },
    actor: string,
    now: Date,
  ): Promise<CalendarChange> {
    const known = this.ctx.calendar.holidays().find((h) => h.id === input.id) ?? this.base.rules.find((r) => r.id === input.id);
    const name = input.name ?? known?.name;
    if (!name) throw new InputError(`unknown holiday "${input.id}": give its name to add it`, 400, 'unknown_holiday');
    const parsed = holidaySchema.safeParse({
      id: input.id,
      name,
      from: input.from,
      ...(input.to ? { to: input.to } : {}),
      status: input.status ?? 'confirmed',
    });
    if (!parsed.success) throw new InputError(`${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`, 400, 'invalid_holiday');
    const e = parsed.data;
    const to = e.to ?? e.from;
    if (to < e.from || addDays(e.from, 14) < to) throw new InputError('"to" must be on or after "from" and within 14 days', 400, 'invalid_holiday');
    const summary = `holiday ${e.id} ${e.status} ${e.from}..${to}`;
    return this.change(summary, actor, now, () => {
      this.store.holidays.addOverride({
        holidayId: e.id,
        from: e.from,
        to,
        status: e.status as HolidayOverride['status'],
        name: e.name,
        actor,
        at: now.getTime(),
      });
    });
  }

  /** Withdraws an override (the holiday reverts to the configuration or to earlier overrides). */
  async removeOverride(id: number, actor: string, now: Date): Promise<CalendarChange | undefined> {
    const row = this.store.holidays.override(id);
    if (!row) return undefined;
    return this.change(`override ${id} of ${row.holidayId} withdrawn`, actor, now, () => {
      this.store.holidays.removeOverride(id, actor, now.getTime());
    });
  }

  /** Replaces the configured calendar (configuration reloaded without restart). */
  async setBase(cfg: CalendarConfig, actor: string, now: Date): Promise<CalendarChange> {
    return this.change('calendar configuration reloaded', actor, now, () => {
      this.base = cfg;
    });
  }

  private async change(summary: string, actor: string, now: Date, mutate: () => void): Promise<CalendarChange> {
    const before = holidayDates(this.ctx.calendar.holidays());
    const id = this.store.tx(() => {
      mutate();
      return this.store.holidays.addChange(now.getTime(), actor, summary);
    });
    this.apply();
    const after = holidayDates(this.ctx.calendar.holidays());
    const dates = [...before]
      .filter((d) => !after.has(d))
      .concat([...after].filter((d) => !before.has(d)))
      .sort();
    this.store.holidays.setChangeDates(id, dates);
    this.logger.info({ change: id, dates: dates.length }, 'sla: calendar changed');
    return this.recompute(id, actor, now);
  }

  /** Finishes recomputations a crash interrupted (called at start). */
  async resumePending(now: Date): Promise<number> {
    const ids = this.store.holidays.unfinishedChanges();
    for (const id of ids) await this.recompute(id, 'system:resume', now);
    return ids.length;
  }

  private async recompute(id: number, actor: string, now: Date): Promise<CalendarChange> {
    const row = this.store.holidays.change(id)!;
    const { dates } = row;
    let requestsRecomputed = 0;
    const touched = new Set<number>();
    if (dates.length > 0) {
      const tz = this.ctx.calendar.timeZone;
      const lo = instantAt(dates[0]!, 0, tz).getTime();
      const hi = instantAt(dates[dates.length - 1]!, 0, tz).getTime();
      // A changed day matters to a request filed before it whose due date is not before it.
      const affected = this.store.requests.openDueFrom(lo, hi);
      for (const r of affected) {
        const due = resolutionDue(this.ctx.calendar, this.ctx.services.get(r.serviceId), this.ctx.config, new Date(r.filedAt));
        touched.add(r.id);
        if (due.getTime() === r.dueAt) continue;
        const note = `${row.summary}: due ${new Date(r.dueAt).toISOString()} -> ${due.toISOString()}`;
        await this.requests.setDue(r.reference, due, actor, note, now);
        requestsRecomputed++;
      }
      const timers = this.store.timers.pendingRequests(lo, hi + 86_400_000);
      for (const t of timers) touched.add(t);
    }
    this.store.tx(() => {
      for (const rid of touched) {
        const f = this.engine.timers.facts(rid);
        if (f) this.engine.timers.plan(f);
      }
      this.store.holidays.finishChange(id, requestsRecomputed, touched.size, now.getTime());
    });
    this.engine.processEvents(now);
    if (requestsRecomputed > 0) this.logger.info({ change: id, requests: requestsRecomputed }, 'sla: due dates recomputed');
    return this.changeById(id)!;
  }

  /** A recorded change. */
  changeById(id: number): CalendarChange | undefined {
    const r = this.store.holidays.change(id);
    return r && calendarChange(r);
  }

  /** Recorded changes, newest first. */
  changes(limit = 100): CalendarChange[] {
    return this.store.holidays.changes(limit).map(calendarChange);
  }
}
