import type { Hours, ServiceConfig } from '../../config/schema.js';
import { formatDate } from '../core/templates.js';
import type { Language } from '../core/types.js';
import type { TurnContext } from '../engine/context.js';

const DAY_ORDER = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Renders opening hours in a language. */
export function formatHours(ctx: TurnContext, hours: Hours): string {
  const t = ctx.deps.templates;
  const lang = ctx.language;
  if (hours === 'always') return t.render(lang, 'always');
  if (hours === 'official') {
    const oh = ctx.deps.config.calendar.officialHours;
    return t.render(lang, 'official_hours', { from: oh.from, to: oh.to });
  }
  const idx = hours.days.map((d) => DAY_ORDER.indexOf(d)).sort((a, b) => a - b);
  const contiguous = idx.every((d, i) => i === 0 || d === idx[i - 1]! + 1);
  const name = (i: number): string => t.render(lang, `day_${DAY_ORDER[i]}`);
  const days =
    contiguous && idx.length > 2
      ? t.render(lang, 'day_range', { first: name(idx[0]!), last: name(idx[idx.length - 1]!) })
      : idx.map(name).join(lang === 'ar' ? '، ' : ', ');
  return t.render(lang, 'days_hours', { days, from: hours.from, to: hours.to });
}

/** Formats an instant as a local date (and time) in the calendar's time zone. */
export function formatInstant(ctx: TurnContext, at: Date, withTime = false): string {
  return formatDate(at, ctx.language, ctx.deps.calendar.timeZone, withTime);
}

/** The expected completion of a service, in words. */
export function formatDuration(ctx: TurnContext, service: ServiceConfig): string {
  const c = service.completion;
  const lang: Language = ctx.language;
  if (c.workingDays !== undefined) return ctx.deps.templates.render(lang, 'duration_days', { days: c.workingDays });
  return ctx.deps.templates.render(lang, c.basis === 'schedule' ? 'duration_schedule' : 'duration_means', { note: c.note?.[lang] ?? '' });
}

/** Name of a department in the conversation's language. */
export function departmentName(ctx: TurnContext, id: string): string {
  return ctx.deps.config.departments.find((d) => d.id === id)?.name[ctx.language] ?? id;
}
