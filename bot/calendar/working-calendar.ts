import type { CalendarConfig, DayName, Hours } from '../../config/schema.js';
import { addDays, instantAt, parseHhmm, wallTime, weekdayOf } from './dates.js';
import { buildHolidayTable, type Holiday } from './holidays.js';

const DAY_INDEX: Record<DayName, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

interface Window {
  days: Set<number>;
  from: number;
  to: number;
  holidaysClosed: boolean;
}

/**
 * The Governorate's working-time calendar: weekend, official hours and the holiday table, in the
 * configured time zone. All SLA arithmetic (due dates, escalation instants, channel opening hours)
 * goes through it. `replace()` swaps the holiday data at run time (admin override, no restart).
 */
export class WorkingCalendar {
  private holidaysByDate = new Map<string, Holiday>();
  private table: Holiday[] = [];
  private workDays!: Set<number>;
  private official!: { from: number; to: number };
  readonly timeZone: string;

  constructor(private cfg: CalendarConfig) {
    this.timeZone = cfg.timeZone;
    this.replace(cfg);
  }

  /** Replaces the calendar data (for example after an admin moved a holiday). */
  replace(cfg: CalendarConfig): void {
    this.cfg = cfg;
    const weekend = new Set(cfg.weekend.map((d) => DAY_INDEX[d]));
    this.workDays = new Set([0, 1, 2, 3, 4, 5, 6].filter((d) => !weekend.has(d)));
    this.official = { from: parseHhmm(cfg.officialHours.from), to: parseHhmm(cfg.officialHours.to) };
    this.table = buildHolidayTable(cfg);
    this.holidaysByDate.clear();
    for (const h of this.table) for (let d = h.from; d <= h.to; d = addDays(d, 1)) this.holidaysByDate.set(d, h);
  }

  /** The configuration the calendar was built from. */
  get config(): CalendarConfig {
    return this.cfg;
  }

  /** The holiday table (seeded and confirmed entries), optionally for one year. */
  holidays(year?: number): Holiday[] {
    return year === undefined ? [...this.table] : this.table.filter((h) => h.from.startsWith(String(year)) || h.to.startsWith(String(year)));
  }

  /** The holiday covering a local date, if any. */
  holidayOn(date: string): Holiday | undefined {
    return this.holidaysByDate.get(date);
  }

  /** True when a local date is a working day (not weekend, not a holiday). */
  isWorkingDay(date: string): boolean {
    return this.workDays.has(weekdayOf(date)) && !this.holidaysByDate.has(date);
  }

  /** The local date of an instant in the calendar's time zone. */
  localDate(instant: Date): string {
    return wallTime(instant, this.timeZone).date;
  }

  /** The n-th working day strictly after local date `date` (n ≥ 1); n = 0 returns `date`. */
  nthWorkingDayAfter(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
    let d = date;
    for (let left = n, guard = 0; left > 0; guard++) {
      if (guard > 3660 + n * 7) throw new RangeError(`no working day found after ${date}`);
      d = addDays(d, 1);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /**
   * Deadline of N working days from an instant: the close of official hours on the N-th working day
   * after the day it happened (a request filed on Thursday evening or Friday counts from Sunday).
   */
  addWorkingDays(from: Date, n: number): Date {
    return instantAt(this.nthWorkingDayAfter(this.localDate(from), n), this.official.to, this.timeZone);
  }

  /** Working days strictly after `from`'s local date up to and including `to`'s local date. */
  workingDaysBetween(from: Date, to: Date): number {
    let count = 0;
    const end = this.localDate(to);
    for (let d = addDays(this.localDate(from), 1); d <= end; d = addDays(d, 1)) if (this.isWorkingDay(d)) count++;
    return count;
  }

  /** Milliseconds of official working time between two instants (weekends, holidays and nights excluded). */
  workingTimeBetween(a: Date, b: Date): number {
    return this.openTimeBetween('official', a, b);
  }

  private window(hours: Hours): Window | undefined {
    if (hours === 'always') return undefined;
    if (hours === 'official') return { days: this.workDays, ...this.official, holidaysClosed: true };
    return { days: new Set(hours.days.map((d) => DAY_INDEX[d])), from: parseHhmm(hours.from), to: parseHhmm(hours.to), holidaysClosed: true };
  }

  private dayOpen(w: Window, date: string): boolean {
    return w.days.has(weekdayOf(date)) && !(w.holidaysClosed && this.holidaysByDate.has(date));
  }

  /** True when a channel with these hours is open at `instant`. */
  isOpen(hours: Hours, instant: Date): boolean {
    const w = this.window(hours);
    if (!w) return true;
    const t = wallTime(instant, this.timeZone);
    return this.dayOpen(w, t.date) && t.minutes >= w.from && t.minutes < w.to;
  }

  /** The first instant at or after `instant` when these hours are open. */
  nextOpening(hours: Hours, instant: Date): Date {
    const w = this.window(hours);
    if (!w || this.isOpen(hours, instant)) return instant;
    const t = wallTime(instant, this.timeZone);
    let d = t.minutes < w.from ? t.date : addDays(t.date, 1);
    for (let i = 0; i < 400 && !this.dayOpen(w, d); i++) d = addDays(d, 1);
    return instantAt(d, w.from, this.timeZone);
  }

  /** The close of the open period containing `instant`, or of the next one when closed. */
  closingAfter(hours: Hours, instant: Date): Date {
    const w = this.window(hours);
    if (!w) return instant;
    const open = this.nextOpening(hours, instant);
    return instantAt(this.localDate(open), w.to, this.timeZone);
  }

  /** Milliseconds of open time between two instants (0 when b ≤ a). */
  openTimeBetween(hours: Hours, a: Date, b: Date): number {
    if (b <= a) return 0;
    const w = this.window(hours);
    if (!w) return b.getTime() - a.getTime();
    let total = 0;
    const end = this.localDate(b);
    for (let d = this.localDate(a); d <= end; d = addDays(d, 1)) {
      if (!this.dayOpen(w, d)) continue;
      const s = Math.max(instantAt(d, w.from, this.timeZone).getTime(), a.getTime());
      const e = Math.min(instantAt(d, w.to, this.timeZone).getTime(), b.getTime());
      if (e > s) total += e - s;
    }
    return total;
  }

  /** The instant when `ms` of open time have passed since `from`. */
  addOpenTime(hours: Hours, from: Date, ms: number): Date {
    const w = this.window(hours);
    if (!w) return new Date(from.getTime() + ms);
    let left = ms;
    let cursor = this.nextOpening(hours, from);
    for (let i = 0; i < 4000; i++) {
      const close = instantAt(this.localDate(cursor), w.to, this.timeZone);
      const span = close.getTime() - cursor.getTime();
      if (left <= span) return new Date(cursor.getTime() + left);
      left -= span;
      cursor = this.nextOpening(hours, new Date(close.getTime() + 60_000));
    }
    throw new RangeError('addOpenTime: no open time found within 4000 periods');
  }
}
