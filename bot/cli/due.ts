import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { CalendarConfig, HolidayEntry, TawasulConfig } from '../../config/schema.js';
import { formatLocalIso, instantAt } from '../calendar/dates.js';
import { WorkingCalendar } from '../calendar/working-calendar.js';
import { loadConfig } from '../config/load.js';
import { completionWorkingDays, type LadderStep, projectLadder, resolutionDue } from '../sla/policy.js';
import type { HolidayOverrideRecord } from '../store/sla-store.js';
import { SqliteHolidayStore } from '../store/sqlite/sla-store.js';
import type { Command } from './command.js';

/** The SLA plan of a request filed at an instant. */
export interface DuePlan {
  serviceId: string;
  filedAt: Date;
  workingDays: number;
  basis: string;
  dueAt: Date;
  escalations: LadderStep[];
}

/** Computes the due date and the escalation instants of a request of `serviceId` filed at `filedAt`, nobody acting. */
export function computeDue(config: TawasulConfig, calendar: WorkingCalendar, serviceId: string, filedAt: Date): DuePlan {
  const service = config.services.find((s) => s.id === serviceId);
  if (!service) throw new RangeError(`unknown service "${serviceId}" (known: ${config.services.map((s) => s.id).join(', ')})`);
  return {
    serviceId,
    filedAt,
    workingDays: completionWorkingDays(service, config),
    basis: service.completion.basis,
    dueAt: resolutionDue(calendar, service, config, filedAt),
    escalations: projectLadder(calendar, config.sla.staffHours, service, filedAt),
  };
}

/** The plan as text, one line per instant, in the calendar's time zone. */
export function formatDue(plan: DuePlan, config: TawasulConfig, timeZone: string): string {
  const when = (d: Date): string => `${formatLocalIso(d, timeZone)} (${new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone }).format(d)})`;
  const service = config.services.find((s) => s.id === plan.serviceId)!;
  const lines = [
    `service       ${plan.serviceId} — ${service.name.en} / ${service.name.ar}`,
    `filed         ${when(plan.filedAt)}`,
    `due           ${when(plan.dueAt)}  ${plan.workingDays} working days${plan.basis === 'working-days' ? '' : ` (default; completion per ${plan.basis})`}`,
  ];
  for (const e of plan.escalations) {
    const after = e.level === 1 ? 'after filing' : `after level ${e.level - 1}`;
    lines.push(
      `escalation ${e.level}  ${when(e.fireAt)}  to ${e.role} via ${e.via.join(', ')}  (deadline ${formatLocalIso(e.dueAt, timeZone)}: ${e.afterWorkingDays} working days without action ${after})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Parses an ISO instant; without an offset it is local time in the calendar's zone. */
export function parseInstant(text: string, timeZone: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (m) return new Date(instantAt(m[1]!, Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0), timeZone).getTime() + Number(m[4] ?? 0) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** The configured calendar plus holiday overrides an admin stored. */
export function withOverrides(config: TawasulConfig, overrides: readonly HolidayOverrideRecord[]): CalendarConfig {
  const extra: HolidayEntry[] = overrides.map((o) => ({ id: o.holidayId, name: o.name, from: o.from, to: o.to, status: o.status }));
  return { ...config.calendar, holidays: [...config.calendar.holidays, ...extra] };
}

/** The configured calendar plus the holiday overrides an admin stored in the data directory's database. */
export async function calendarWithOverrides(config: TawasulConfig, dataDir: string): Promise<CalendarConfig> {
  const file = join(dataDir, 'tawasul.sqlite');
  if (!existsSync(file)) return config.calendar;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sla_holiday_overrides'`).get();
    if (!has) return config.calendar;
    return withOverrides(config, await new SqliteHolidayStore({ db }).overrides());
  } finally {
    db.close();
  }
}

/** The configured calendar plus the holiday overrides stored on PostgreSQL (TAWASUL_DATABASE_URL). */
export async function postgresCalendar(config: TawasulConfig): Promise<CalendarConfig> {
  // Imported only then, so that the embedded path does not load the PostgreSQL driver.
  const { openPostgresStores } = await import('../store/postgres/stores.js');
  const stores = await openPostgresStores(undefined, { max: 1 });
  try {
    return withOverrides(config, await stores.sla.holidays.overrides());
  } finally {
    await stores.close();
  }
}

/** Reads the configuration the way `start` does (files, the data directory's overlay, TAWASUL_CONFIG_OVERLAY). */
export function loadCliConfig(dataDir: string): TawasulConfig {
  return loadConfig({ overlays: [join(dataDir, 'config.local.yaml'), ...(process.env.TAWASUL_CONFIG_OVERLAY ? [process.env.TAWASUL_CONFIG_OVERLAY] : [])] });
}

/** `tawasul due --service ID --from ISO-INSTANT`: the due date and escalation instants of a request filed then (holidays moved by admins from the data directory's database, or PostgreSQL when TAWASUL_DATABASE_URL is set). */
export const dueCommand: Command = {
  options: { service: { type: 'string' }, from: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    const dataDir = resolve(String(values.data));
    const config = loadCliConfig(dataDir);
    const tz = config.calendar.timeZone;
    if (typeof values.service !== 'string' || typeof values.from !== 'string') {
      process.stderr.write('tawasul due: --service ID and --from ISO-INSTANT are required\n');
      return 2;
    }
    const filedAt = parseInstant(values.from, tz);
    if (!filedAt) {
      process.stderr.write(`tawasul due: --from: not an ISO date or instant: ${values.from}\n`);
      return 2;
    }
    const calendar = new WorkingCalendar(process.env.TAWASUL_DATABASE_URL ? await postgresCalendar(config) : await calendarWithOverrides(config, dataDir));
    let plan: DuePlan;
    try {
      plan = computeDue(config, calendar, values.service, filedAt);
    } catch (e) {
      process.stderr.write(`tawasul due: ${(e as Error).message}\n`);
      return 2;
    }
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({
          service: plan.serviceId,
          filedAt: formatLocalIso(plan.filedAt, tz),
          workingDays: plan.workingDays,
          dueAt: formatLocalIso(plan.dueAt, tz),
          escalations: plan.escalations.map((e) => ({
            level: e.level,
            role: e.role,
            via: e.via,
            deadline: formatLocalIso(e.dueAt, tz),
            at: formatLocalIso(e.fireAt, tz),
          })),
        })}\n`,
      );
    } else {
      process.stdout.write(formatDue(plan, config, tz));
    }
    return 0;
  },
};
