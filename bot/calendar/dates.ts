/** Plain-date and time-zone helpers; local dates are `YYYY-MM-DD` strings. */

const DAY_MS = 86_400_000;
const dtfCache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = dtfCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    dtfCache.set(timeZone, f);
  }
  return f;
}

/** Wall-clock parts of an instant in a time zone. */
export interface WallTime {
  date: string;
  /** Minutes since local midnight. */
  minutes: number;
  /** 0 = Sunday. */
  weekday: number;
}

// UTC offsets change only at quarter-hour instants (all current zones), so one Intl call per zone and
// quarter hour is enough; the rest is arithmetic. Bounded so a long-running process does not grow it.
const QUARTER_MS = 900_000;
const offsetCache = new Map<string, number>();

function offsetAt(t: number, timeZone: string): number {
  const bucket = Math.floor(t / QUARTER_MS);
  const key = `${timeZone}|${bucket}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const start = bucket * QUARTER_MS;
    const parts: Record<string, string> = {};
    for (const p of formatter(timeZone).formatToParts(new Date(start))) parts[p.type] = p.value;
    const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
    offset = local - start;
    if (offsetCache.size > 100_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/** The local wall time of `instant` in `timeZone`. */
export function wallTime(instant: Date, timeZone: string): WallTime {
  const t = instant.getTime();
  const local = new Date(t + offsetAt(t, timeZone));
  const date = local.toISOString().slice(0, 10);
  return { date, minutes: local.getUTCHours() * 60 + local.getUTCMinutes() + local.getUTCSeconds() / 60, weekday: local.getUTCDay() };
}

/** Day of the week of a local date (0 = Sunday). */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** Parses "HH:MM" into minutes since midnight. */
export function parseHhmm(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The instant at local `date` + `minutes` in `timeZone` (exact for zones without DST, such as Asia/Muscat). */
export function instantAt(date: string, minutes: number, timeZone: string): Date {
  const guess = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const w = wallTime(new Date(t), timeZone);
    const diff = (daysBetween(date, w.date) * 1440 + w.minutes - minutes) * 60_000;
    if (Math.abs(diff) < 1000) break;
    t -= diff;
  }
  return new Date(Math.round(t / 1000) * 1000);
}

/** An instant as local ISO 8601 with the zone's offset, to the minute (`2026-02-08T14:20+04:00`). */
export function formatLocalIso(instant: Date, timeZone: string): string {
  const w = wallTime(instant, timeZone);
  const whole = Math.floor(w.minutes);
  const localMs = Date.parse(`${w.date}T00:00:00Z`) + Math.round(w.minutes * 60) * 1000;
  const offset = Math.round((localMs - instant.getTime()) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${w.date}T${hhmm(whole)}${sign}${hhmm(abs)}`;
}
