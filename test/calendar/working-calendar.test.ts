import { describe, expect, it } from 'vitest';
import { formatLocalIso } from '../../bot/calendar/dates.js';
import { buildHolidayTable } from '../../bot/calendar/holidays.js';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { firstResponseDeadline } from '../../bot/sla/policy.js';
import type { CalendarConfig } from '../../config/schema.js';

const config = loadConfig();
const name = { ar: 'عطلة', en: 'Holiday' };
/** The configured calendar with the Hijri holidays pinned (tests must not depend on ICU's Umm al-Qura data). */
function calendar(extra: CalendarConfig['holidays'] = []): WorkingCalendar {
  return new WorkingCalendar({
    ...config.calendar,
    holidays: [
      { id: 'eid-al-fitr', name, from: '2026-03-19', to: '2026-03-22', status: 'confirmed' },
      { id: 'isra-miraj', name, from: '2027-01-05', status: 'confirmed' },
      ...extra,
    ],
  });
}
const at = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+04:00`);
const local = (d: Date): string => formatLocalIso(d, 'Asia/Muscat');

describe('working days', () => {
  const cal = calendar();

  it('skips the Friday–Saturday weekend and ends at the close of official hours', () => {
    expect(cal.isWorkingDay('2026-02-06')).toBe(false); // Friday
    expect(cal.isWorkingDay('2026-02-07')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2026-02-08')).toBe(true); // Sunday
    expect(local(cal.addWorkingDays(at('2026-02-01 10:00'), 5))).toBe('2026-02-08T14:20+04:00');
    expect(local(cal.addWorkingDays(at('2026-02-01 10:00'), 10))).toBe('2026-02-15T14:20+04:00');
  });

  it('counts a request filed on Thursday evening or on Friday from Sunday', () => {
    for (const filed of ['2026-02-05 09:00', '2026-02-05 20:30', '2026-02-06 11:00', '2026-02-07 23:59']) {
      expect(local(cal.addWorkingDays(at(filed), 1))).toBe('2026-02-08T14:20+04:00');
      expect(local(cal.addWorkingDays(at(filed), 5))).toBe('2026-02-12T14:20+04:00');
    }
    // Late at night in Muscat is still the same local day, although UTC has moved on.
    expect(local(cal.addWorkingDays(new Date('2026-02-04T21:30:00Z'), 1))).toBe('2026-02-08T14:20+04:00');
  });

  it('skips a holiday that spans a weekend (Eid al-Fitr 2026, Thursday to Sunday)', () => {
    for (const d of ['2026-03-19', '2026-03-20', '2026-03-21', '2026-03-22']) expect(cal.isWorkingDay(d)).toBe(false);
    expect(local(cal.addWorkingDays(at('2026-03-18 10:00'), 1))).toBe('2026-03-23T14:20+04:00');
    expect(local(cal.addWorkingDays(at('2026-03-18 10:00'), 5))).toBe('2026-03-29T14:20+04:00');
    expect(cal.workingDaysBetween(at('2026-03-18 10:00'), at('2026-03-23 09:00'))).toBe(1);
    expect(cal.holidayOn('2026-03-21')?.id).toBe('eid-al-fitr');
  });

  it('crosses year ends, with Gregorian and Hijri holidays in the new year', () => {
    // 2026-12-31 is a Thursday; 2027 opens with Isra and Mi'raj (Tue 5 Jan) and Accession Day (Mon 11 Jan).
    expect(local(cal.addWorkingDays(at('2026-12-31 10:00'), 5))).toBe('2027-01-10T14:20+04:00');
    expect(local(cal.addWorkingDays(at('2026-12-31 10:00'), 6))).toBe('2027-01-12T14:20+04:00');
    // 1 January is a working day in Oman.
    expect(local(cal.addWorkingDays(at('2025-12-31 10:00'), 1))).toBe('2026-01-01T14:20+04:00');
    expect(cal.workingDaysBetween(at('2026-12-30 12:00'), at('2027-01-12 12:00'))).toBe(7);
  });

  it('answers n = 0 with the same day and refuses a negative or fractional count', () => {
    expect(cal.nthWorkingDayAfter('2026-02-05', 0)).toBe('2026-02-05');
    expect(() => cal.nthWorkingDayAfter('2026-02-05', -1)).toThrow(RangeError);
    expect(() => cal.nthWorkingDayAfter('2026-02-05', 1.5)).toThrow(RangeError);
  });
});

describe('channel hours and working time', () => {
  const cal = calendar();
  const whatsapp = config.channels.find((c) => c.id === 'whatsapp')!;
  const email = config.channels.find((c) => c.id === 'email')!;
  const x = config.channels.find((c) => c.id === 'x-alburaimigov')!;

  it('tells whether a channel is open', () => {
    expect(cal.isOpen(whatsapp.hours, at('2026-02-01 12:59'))).toBe(true);
    expect(cal.isOpen(whatsapp.hours, at('2026-02-01 13:00'))).toBe(false);
    expect(cal.isOpen(whatsapp.hours, at('2026-02-06 10:00'))).toBe(false); // Friday
    expect(cal.isOpen(whatsapp.hours, at('2026-03-22 10:00'))).toBe(false); // Eid, a Sunday
    expect(cal.isOpen('official', at('2026-02-01 14:19'))).toBe(true);
    expect(cal.isOpen('official', at('2026-02-01 14:20'))).toBe(false);
    expect(cal.isOpen(x.hours, at('2026-02-06 03:00'))).toBe(true);
    expect(local(cal.nextOpening(whatsapp.hours, at('2026-02-05 13:30')))).toBe('2026-02-08T08:00+04:00');
    expect(local(cal.nextOpening('official', at('2026-03-18 15:00')))).toBe('2026-03-23T08:00+04:00');
  });

  it('measures working time between two instants', () => {
    // Thursday 12:00–14:20 plus Sunday 08:00–09:00.
    expect(cal.workingTimeBetween(at('2026-02-05 12:00'), at('2026-02-08 09:00'))).toBe(200 * 60_000);
    expect(cal.openTimeBetween(x.hours, at('2026-02-05 12:00'), at('2026-02-05 12:30'))).toBe(30 * 60_000);
    expect(cal.workingTimeBetween(at('2026-03-19 09:00'), at('2026-03-22 13:00'))).toBe(0);
    expect(cal.workingTimeBetween(at('2026-02-08 09:00'), at('2026-02-05 12:00'))).toBe(0);
  });

  it("computes each channel's first-response deadline", () => {
    // X: 30 minutes, 24/7, also on a Friday night.
    expect(local(firstResponseDeadline(cal, x, at('2026-02-06 23:50'), 60))).toBe('2026-02-07T00:20+04:00');
    // E-mail: 24 hours of official time (6 h 20 min a day) from Thursday noon → Wednesday 10:40.
    expect(local(firstResponseDeadline(cal, email, at('2026-02-05 12:00'), 60))).toBe('2026-02-11T10:40+04:00');
    // WhatsApp: by the end of the open period the message falls in, or the next one.
    expect(local(firstResponseDeadline(cal, whatsapp, at('2026-02-01 09:00'), 60))).toBe('2026-02-01T13:00+04:00');
    expect(local(firstResponseDeadline(cal, whatsapp, at('2026-02-05 20:00'), 60))).toBe('2026-02-08T13:00+04:00');
    // Web chat: immediate, with the configured grace.
    const web = config.channels.find((c) => c.id === 'webchat')!;
    expect(firstResponseDeadline(cal, web, at('2026-02-05 20:00'), 60).getTime()).toBe(at('2026-02-05 20:01').getTime());
  });
});

describe('holiday table', () => {
  it('replaces the nearest occurrence when a Hijri holiday occurs twice in a Gregorian year', () => {
    const seeded = buildHolidayTable({ ...config.calendar, holidays: [] }).filter((h) => h.id === 'isra-miraj' && h.from.startsWith('2027'));
    expect(seeded.length).toBe(2);
    const [first, second] = seeded as [(typeof seeded)[0], (typeof seeded)[0]];
    const moved = buildHolidayTable({ ...config.calendar, holidays: [{ id: 'isra-miraj', name, from: '2027-12-23', status: 'confirmed' }] }).filter(
      (h) => h.id === 'isra-miraj' && h.from.startsWith('2027'),
    );
    expect(moved.map((h) => h.from)).toEqual([first.from, '2027-12-23']);
    expect(moved[1]!.status).toBe('confirmed');
    expect(second.status).toBe('seed');
  });

  it('cancels or adds holidays and applies replace() at run time', () => {
    const cal = calendar();
    expect(cal.isWorkingDay('2026-02-10')).toBe(true);
    cal.replace({ ...cal.config, holidays: [...cal.config.holidays, { id: 'extra-day', name, from: '2026-02-10', status: 'confirmed' }] });
    expect(cal.isWorkingDay('2026-02-10')).toBe(false);
    cal.replace({ ...cal.config, holidays: [...cal.config.holidays, { id: 'eid-al-fitr', name, from: '2026-03-19', status: 'cancelled' }] });
    expect(cal.isWorkingDay('2026-03-22')).toBe(true);
  });
});
