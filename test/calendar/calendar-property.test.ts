/** Property-based tests of the calendar arithmetic (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, instantAt, wallTime, weekdayOf } from '../../bot/calendar/dates.js';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';

const config = loadConfig();
const cal = new WorkingCalendar(config.calendar);
// An independent oracle: the holiday dates as a plain set, the weekend as weekday numbers.
const holidayDates = new Set<string>();
for (const h of cal.holidays()) for (let d = h.from; d <= h.to; d = addDays(d, 1)) holidayDates.add(d);
const WEEKEND = new Set([5, 6]);
const isWorking = (d: string): boolean => !WEEKEND.has(weekdayOf(d)) && !holidayDates.has(d);

const instant = fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2031-06-30T00:00:00Z') }).map((t) => new Date(t));
const days = fc.integer({ min: 0, max: 60 });
const RUNS = { numRuns: 300 };

describe('working-day arithmetic (properties)', () => {
  it('is monotonic in the number of days and in the start instant', () => {
    fc.assert(
      fc.property(instant, days, days, (from, a, b) => {
        const [n, m] = a <= b ? [a, b] : [b, a];
        expect(cal.addWorkingDays(from, n).getTime()).toBeLessThanOrEqual(cal.addWorkingDays(from, m).getTime());
        if (n < m) expect(cal.addWorkingDays(from, n).getTime()).toBeLessThan(cal.addWorkingDays(from, m).getTime());
      }),
      RUNS,
    );
    fc.assert(
      fc.property(instant, instant, days, (x, y, n) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        expect(cal.addWorkingDays(a, n).getTime()).toBeLessThanOrEqual(cal.addWorkingDays(b, n).getTime());
      }),
      RUNS,
    );
  });

  it('never lands on a weekend or a holiday, and ends at the close of official hours', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 60 }), (from, n) => {
        const due = cal.addWorkingDays(from, n);
        const date = cal.localDate(due);
        expect(WEEKEND.has(weekdayOf(date))).toBe(false);
        expect(holidayDates.has(date)).toBe(false);
        expect(cal.isOpen('official', new Date(due.getTime() - 60_000))).toBe(true);
        expect(cal.isOpen('official', due)).toBe(false);
      }),
      RUNS,
    );
  });

  it('agrees with a day-by-day count', () => {
    fc.assert(
      fc.property(instant, days, (from, n) => {
        const due = cal.addWorkingDays(from, n);
        const start = cal.localDate(from);
        const end = cal.localDate(due);
        let count = 0;
        for (let d = addDays(start, 1); d <= end; d = addDays(d, 1)) if (isWorking(d)) count++;
        expect(count).toBe(n);
        expect(cal.workingDaysBetween(from, due)).toBe(n);
        // No earlier day would do: the day before the due date has one working day fewer.
        if (n > 0) {
          let before = 0;
          for (let d = addDays(start, 1); d < end; d = addDays(d, 1)) if (isWorking(d)) before++;
          expect(before).toBe(n - 1);
        }
      }),
      RUNS,
    );
  });

  it('measures back exactly the open time it adds', () => {
    const hours = fc.constantFrom<'official' | 'always' | { days: Array<'sun' | 'mon' | 'tue' | 'wed' | 'thu'>; from: string; to: string }>(
      'official',
      'always',
      { days: ['sun', 'mon', 'tue', 'wed', 'thu'], from: '08:00', to: '13:00' },
    );
    fc.assert(
      fc.property(instant, hours, fc.integer({ min: 0, max: 200 * 3_600_000 }), (from, h, ms) => {
        const end = cal.addOpenTime(h, from, ms);
        expect(end.getTime()).toBeGreaterThanOrEqual(from.getTime());
        expect(cal.openTimeBetween(h, from, end)).toBe(ms);
      }),
      { numRuns: 200 },
    );
  });
});

describe('wall time (property)', () => {
  it('matches Intl in fixed-offset and daylight-saving zones, and instantAt inverts it', () => {
    const zones = fc.constantFrom('Asia/Muscat', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu');
    fc.assert(
      fc.property(instant, zones, (t, tz) => {
        const parts: Record<string, string> = {};
        const f = new Intl.DateTimeFormat('en-US', {
          timeZone: tz,
          hourCycle: 'h23',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
        });
        for (const p of f.formatToParts(t)) parts[p.type] = p.value;
        const w = wallTime(t, tz);
        expect(w.date).toBe(`${parts.year}-${parts.month}-${parts.day}`);
        expect(Math.floor(w.minutes)).toBe(Number(parts.hour) * 60 + Number(parts.minute));
        if (tz === 'Asia/Muscat') expect(instantAt(w.date, Math.floor(w.minutes), tz).getTime()).toBe(Math.floor(t.getTime() / 60_000) * 60_000);
      }),
      { numRuns: 500 },
    );
  });
});
