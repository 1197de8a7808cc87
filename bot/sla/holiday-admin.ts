/**
 * Holidays confirmed or moved at run time (after the moon sighting). Overrides are stored in SQL
 * (`sla_holiday_overrides`, applied in order over the configured calendar), applied to the live
 * WorkingCalendar without a restart, and the due dates and escalation instants of the open requests
 * the change touches are recomputed; each change is recorded (`sla_calendar_changes`) and each moved
 * due date is written in the request's history (`RequestStore.setDue`). An interrupted recomputation
 * is finished on the next start (all open requests when the crash came before the days were recorded).
 */
import { type CalendarConfig, type HolidayEntry, holidaySchema } from '../../config/schema.js';
import { addDays, instantAt } from '../calendar/dates.js';
import type { Holiday } from '../calendar/holidays.js';
import { InputError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CalendarChangeRecord, HolidayOverrideRecord, SlaStore, SlaStoreTx } from '../store/sla-store.js';
import type { RequestStore } from '../store/types.js';
import type { SlaContext } from './context.js';
import { resolutionDue } from './policy.js';
import type { SlaEngine } from './sla-engine.js';

/** An instant after every date the store holds (ms; within PostgreSQL's bigint and JavaScript's Date). */
const ALL_TIME = 8_000_000_000_000_000;

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
  /** The stored overrides applied to the live calendar (started by the constructor, again if it failed). */
  private ready: Promise<void>;

  constructor(
    private readonly store: SlaStore,
    private readonly ctx: SlaContext,
    private readonly engine: SlaEngine,
    private readonly requests: RequestStore,
    private readonly logger: Logger,
    /** Tells the other instances that the stored overrides changed (they `refresh`). */
    private readonly announce: () => void = () => undefined,
  ) {
    this.base = ctx.config.calendar;
    this.ready = this.apply();
    // Awaited by `whenReady` and every change, which rethrow; this only keeps it from going unhandled.
    this.ready.catch(() => undefined);
  }

  /** Resolves once the stored overrides are applied to the live calendar (await before taking traffic); a failed read is tried again. */
  async whenReady(): Promise<void> {
    try {
      await this.ready;
    } catch {
      this.ready = this.apply();
      this.ready.catch(() => undefined);
      await this.ready;
    }
  }

  /** Applies the stored overrides again (another instance changed them). */
  async refresh(): Promise<void> {
    await this.whenReady();
    this.ready = this.apply();
    this.ready.catch(() => undefined);
    await this.ready;
  }

  /** Stored overrides in the order they apply. */
  async overrides(): Promise<HolidayOverride[]> {
    return (await this.store.holidays.overrides()).map((o) => ({ ...o, at: new Date(o.at) }));
  }

  /** The configured calendar with the stored overrides applied after its own entries. */
  async effectiveConfig(): Promise<CalendarConfig> {
    const extra: HolidayEntry[] = (await this.overrides()).map((o) => ({ id: o.holidayId, name: o.name, from: o.from, to: o.to, status: o.status }));
    return { ...this.base, holidays: [...this.base.holidays, ...extra] };
  }

  private async apply(): Promise<void> {
    this.ctx.calendar.replace(await this.effectiveConfig());
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
    return this.change(summary, actor, now, async (s) => {
      await s.holidays.addOverride({
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
    const row = await this.store.holidays.override(id);
    if (!row) return undefined;
    return this.change(`override ${id} of ${row.holidayId} withdrawn`, actor, now, async (s) => {
      await s.holidays.removeOverride(id, actor, now.getTime());
    });
  }

  /** Replaces the configured calendar (configuration reloaded without restart). */
  async setBase(cfg: CalendarConfig, actor: string, now: Date): Promise<CalendarChange> {
    return this.change('calendar configuration reloaded', actor, now, async () => {
      this.base = cfg;
    });
  }

  private async change(summary: string, actor: string, now: Date, mutate: (s: SlaStoreTx) => Promise<void>): Promise<CalendarChange> {
    await this.whenReady();
    const before = holidayDates(this.ctx.calendar.holidays());
    const id = await this.store.tx(async (s) => {
      await mutate(s);
      return s.holidays.addChange(now.getTime(), actor, summary);
    });
    await this.apply();
    this.announce();
    const after = holidayDates(this.ctx.calendar.holidays());
    const dates = [...before]
      .filter((d) => !after.has(d))
      .concat([...after].filter((d) => !before.has(d)))
      .sort();
    await this.store.holidays.setChangeDates(id, dates);
    this.logger.info({ change: id, dates: dates.length }, 'sla: calendar changed');
    return this.recompute(id, actor, now);
  }

  /**
   * Finishes recomputations a crash interrupted (called at start). A change whose changed days were
   * never recorded (the crash came right after its commit) recomputes every open request.
   */
  async resumePending(now: Date): Promise<number> {
    await this.whenReady();
    const ids = await this.store.holidays.unfinishedChanges();
    for (const id of ids) await this.recompute(id, 'system:resume', now, true);
    return ids.length;
  }

  private async recompute(id: number, actor: string, now: Date, resumed = false): Promise<CalendarChange> {
    const row = (await this.store.holidays.change(id))!;
    const { dates } = row;
    let requestsRecomputed = 0;
    const touched = new Set<number>();
    if (dates.length > 0 || resumed) {
      const tz = this.ctx.calendar.timeZone;
      // No days recorded on a resumed change: unknown, so every open request and pending timer.
      const lo = dates.length > 0 ? instantAt(dates[0]!, 0, tz).getTime() : 0;
      const hi = dates.length > 0 ? instantAt(dates[dates.length - 1]!, 0, tz).getTime() : ALL_TIME;
      // A changed day matters to a request filed before it whose due date is not before it.
      const affected = await this.store.requests.openDueFrom(lo, hi);
      for (const r of affected) {
        const due = resolutionDue(this.ctx.calendar, this.ctx.services.get(r.serviceId), this.ctx.config, new Date(r.filedAt));
        touched.add(r.id);
        if (due.getTime() === r.dueAt) continue;
        const note = `${row.summary}: due ${new Date(r.dueAt).toISOString()} -> ${due.toISOString()}`;
        await this.requests.setDue(r.reference, due, actor, note, now);
        requestsRecomputed++;
      }
      const timers = await this.store.timers.pendingRequests(lo, hi + 86_400_000);
      for (const t of timers) touched.add(t);
    }
    await this.store.tx(async (s) => {
      const timers = this.engine.timers.in(s);
      for (const rid of touched) {
        const f = await timers.facts(rid);
        if (f) await timers.plan(f);
      }
      await s.holidays.finishChange(id, requestsRecomputed, touched.size, now.getTime());
    });
    await this.engine.processEvents(now);
    if (requestsRecomputed > 0) this.logger.info({ change: id, requests: requestsRecomputed }, 'sla: due dates recomputed');
    return (await this.changeById(id))!;
  }

  /** A recorded change. */
  async changeById(id: number): Promise<CalendarChange | undefined> {
    const r = await this.store.holidays.change(id);
    return r && calendarChange(r);
  }

  /** Recorded changes, newest first. */
  async changes(limit = 100): Promise<CalendarChange[]> {
    return (await this.store.holidays.changes(limit)).map(calendarChange);
  }
}
