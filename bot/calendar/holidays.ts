import type { Bilingual, CalendarConfig, HolidayEntry, HolidayRule } from '../../config/schema.js';
import { addDays, daysBetween } from './dates.js';

/** One holiday occurrence with its local dates. */
export interface Holiday {
  id: string;
  name: Bilingual;
  from: string;
  to: string;
  status: 'seed' | 'confirmed' | 'cancelled';
}

const hijriFormat = new Intl.DateTimeFormat('en-u-ca-islamic-umalqura', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

const hijriCache = new Map<string, { year: number; month: number; day: number }>();

/** Hijri (Umm al-Qura) month and day of a Gregorian date, as `Intl` computes them. */
export function hijriOf(date: string): { year: number; month: number; day: number } {
  let h = hijriCache.get(date);
  if (!h) {
    const parts: Record<string, string> = {};
    for (const p of hijriFormat.formatToParts(new Date(`${date}T12:00:00Z`))) parts[p.type] = p.value;
    h = { year: parseInt(parts.year ?? '0', 10), month: Number(parts.month), day: Number(parts.day) };
    if (hijriCache.size > 50_000) hijriCache.clear();
    hijriCache.set(date, h);
  }
  return h;
}

function occurrencesOfRule(rule: HolidayRule, fromYear: number, toYear: number): Holiday[] {
  const out: Holiday[] = [];
  const span = rule.days - rule.startOffset;
  if (rule.calendar === 'gregory') {
    for (let y = fromYear; y <= toYear; y++) {
      const start = `${y}-${String(rule.month).padStart(2, '0')}-${String(rule.day).padStart(2, '0')}`;
      const from = addDays(start, rule.startOffset);
      out.push({ id: rule.id, name: rule.name, from, to: addDays(from, span - 1), status: 'confirmed' });
    }
    return out;
  }
  // Walk the Gregorian days and pick those whose Umm al-Qura date matches the rule.
  for (let d = `${fromYear}-01-01`; d <= `${toYear}-12-31`; d = addDays(d, 1)) {
    const h = hijriOf(d);
    if (h.month === rule.month && h.day === rule.day) {
      const from = addDays(d, rule.startOffset);
      out.push({ id: rule.id, name: rule.name, from, to: addDays(from, span - 1), status: 'seed' });
      d = addDays(d, 300); // the next occurrence is about 354 days away
    }
  }
  return out;
}

/**
 * The holiday table: rules expanded over the configured years, then dated entries applied in order. An
 * entry whose id matches an occurrence within MAX_MOVE_DAYS replaces the nearest one (confirmed or moved
 * dates); `cancelled` removes it; other entries are added.
 */
export function buildHolidayTable(cfg: Pick<CalendarConfig, 'rules' | 'holidays' | 'years'>): Holiday[] {
  let table: Holiday[] = [];
  for (const rule of cfg.rules) table.push(...occurrencesOfRule(rule, cfg.years.from, cfg.years.to));
  for (const entry of cfg.holidays) table = applyEntry(table, entry);
  return table.filter((h) => h.status !== 'cancelled').sort((a, b) => a.from.localeCompare(b.from));
}

/** How far (days) a dated entry may be from a rule's occurrence and still replace it (a moved holiday). */
export const MAX_MOVE_DAYS = 30;

function applyEntry(table: Holiday[], entry: HolidayEntry): Holiday[] {
  const to = entry.to ?? entry.from;
  if (daysBetween(entry.from, to) < 0) throw new RangeError(`holiday ${entry.id}: "to" ${to} is before "from" ${entry.from}`);
  // Replace the occurrence of the same id nearest in date (a Hijri holiday can occur twice in one
  // Gregorian year, e.g. Isra and Mi'raj in 2027), when it is close enough to be the same holiday moved.
  let near = -1;
  let best = Infinity;
  table.forEach((h, i) => {
    const d = Math.abs(daysBetween(h.from, entry.from));
    if (h.id === entry.id && d < best) {
      best = d;
      near = i;
    }
  });
  const replacement: Holiday = { id: entry.id, name: entry.name, from: entry.from, to, status: entry.status };
  if (near >= 0 && best <= MAX_MOVE_DAYS) return table.map((h, i) => (i === near ? replacement : h));
  return [...table, replacement];
}
