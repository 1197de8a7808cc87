/**
 * The one schema of Tawasul's configuration. `bot/config/load.ts` reads the YAML files of this
 * folder, merges them and validates them here; the TypeScript types come from the same schema.
 */
import { z } from 'zod';
import { slaSchema } from './sla-schema.js';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** Day of the week, lower-case three letters. */
export const dayName = z.enum(DAY_NAMES);
export type DayName = z.infer<typeof dayName>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id');

/** Text in both languages. */
export const bilingual = z.object({ ar: z.string().min(1), en: z.string().min(1) }).strict();
export type Bilingual = z.infer<typeof bilingual>;

/** Opening hours: `always` (24/7), `official` (the calendar's official hours) or explicit. */
export const hoursSchema = z.union([z.literal('always'), z.literal('official'), z.object({ days: z.array(dayName).min(1), from: hhmm, to: hhmm }).strict()]);
export type Hours = z.infer<typeof hoursSchema>;

/** First-response target of a channel. */
export const firstResponseSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('immediate') }).strict(),
  /** Wall-clock minutes, 24/7 (X accounts: 30). */
  z.object({ type: z.literal('minutes'), minutes: z.number().int().positive() }).strict(),
  /** Hours of the channel's open time (e-mail: 24 official hours). */
  z.object({ type: z.literal('open-hours'), hours: z.number().positive() }).strict(),
  /** Within the channel's open hours: by the end of the open period the message falls in (WhatsApp). */
  z.object({ type: z.literal('within-open-hours') }).strict(),
]);
export type FirstResponse = z.infer<typeof firstResponseSchema>;

/** A way the Governorate can be reached (knowledge-base facts; not necessarily a bot channel). */
export const contactPointSchema = z
  .object({
    id,
    name: bilingual,
    value: z.string().min(1),
    hours: hoursSchema,
    response: bilingual.optional(),
    resolution: bilingual.optional(),
    purpose: bilingual.optional(),
  })
  .strict();

/** A channel instance served by an adapter; `options` is checked by the adapter's own schema. */
export const channelSchema = z
  .object({
    id,
    type: z.string().min(1),
    enabled: z.boolean().default(false),
    name: bilingual,
    hours: hoursSchema,
    firstResponse: firstResponseSchema,
    /** Social channels (X): greetings and inquiries are answered, everything else gets the approved reply (the SLA purpose); no personal data is asked for there. */
    redirectOnly: z.boolean().default(false),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type ChannelConfig = z.infer<typeof channelSchema>;

/** A holiday entry: a single date or an inclusive range. */
export const holidaySchema = z
  .object({
    id,
    name: bilingual,
    from: isoDate,
    to: isoDate.optional(),
    /** `seed` = computed, not yet confirmed; `confirmed` = announced by the authorities. */
    status: z.enum(['seed', 'confirmed', 'cancelled']).default('confirmed'),
  })
  .strict();
export type HolidayEntry = z.infer<typeof holidaySchema>;

/** Rule of a holiday repeated every year (Gregorian) or computed from the Hijri calendar. */
export const holidayRuleSchema = z
  .object({
    id,
    name: bilingual,
    calendar: z.enum(['gregory', 'islamic-umalqura']),
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(30),
    /** Number of days, starting on month/day. */
    days: z.number().int().min(1).max(10).default(1),
    /** Days before month/day that also belong to the holiday (Arafat day before Eid al-Adha). */
    startOffset: z.number().int().min(-5).max(0).default(0),
  })
  .strict();
export type HolidayRule = z.infer<typeof holidayRuleSchema>;

export const calendarSchema = z
  .object({
    timeZone: z.string().min(1),
    weekend: z.array(dayName).min(1).max(3),
    officialHours: z.object({ from: hhmm, to: hhmm }).strict(),
    rules: z.array(holidayRuleSchema),
    /** Dated entries: confirm, move or add holidays; an entry with a rule's id and year replaces it. */
    holidays: z.array(holidaySchema).default([]),
    /** Years for which rules are expanded. */
    years: z.object({ from: z.number().int(), to: z.number().int() }).strict(),
  })
  .strict();
export type CalendarConfig = z.infer<typeof calendarSchema>;

/** A field the intake dialogue collects. */
export const fieldIdSchema = z.enum(['name', 'civilId', 'phone', 'email', 'address', 'party', 'description', 'preferredDate']);
export type FieldId = z.infer<typeof fieldIdSchema>;

export const escalationLevelSchema = z
  .object({
    /** Working days without action, counted from the filing (level 1) or from the previous level. */
    afterWorkingDays: z.number().int().positive(),
    role: id,
    via: z.array(z.enum(['system', 'email', 'sms'])).min(1),
  })
  .strict();
export type EscalationLevel = z.infer<typeof escalationLevelSchema>;

export const serviceSchema = z
  .object({
    id,
    name: bilingual,
    department: id,
    kind: z.enum(['procedural', 'inquiry']).default('procedural'),
    completion: z
      .object({
        /** Working days to complete; absent when completion follows a schedule or available means. */
        workingDays: z.number().int().positive().optional(),
        basis: z.enum(['working-days', 'schedule', 'means']),
        note: bilingual.optional(),
      })
      .strict(),
    escalation: z.array(escalationLevelSchema).min(1),
    fields: z.array(z.object({ id: fieldIdSchema, required: z.boolean().default(true) }).strict()).min(1),
    /** What the resident should have ready (knowledge-base answer). */
    needs: bilingual.optional(),
  })
  .strict();
export type ServiceConfig = z.infer<typeof serviceSchema>;

export const roleSchema = z
  .object({
    id,
    name: bilingual,
    department: id.optional(),
    email: z.string().email().optional(),
    phone: z
      .string()
      .regex(/^\+?\d{8,15}$/)
      .optional(),
  })
  .strict();
export type RoleConfig = z.infer<typeof roleSchema>;

export const departmentSchema = z.object({ id, name: bilingual }).strict();

export const configSchema = z
  .object({
    organisation: z
      .object({
        name: bilingual,
        portal: z.string().url(),
        tajawob: z.string().url(),
        contactEmail: z.string().email(),
        helpdeskEmail: z.string().email(),
        callCentre: z.string().min(1),
      })
      .strict(),
    defaults: z
      .object({
        /** Working days to close a procedural service with no figure of its own (SLA: 6). */
        proceduralWorkingDays: z.number().int().positive(),
        /** Call-centre hours used for the agent handoff. */
        agentHours: hoursSchema,
        /** Longest message accepted, in characters. */
        maxMessageChars: z.number().int().positive(),
        /** Minutes after which an idle intake dialogue is forgotten. */
        dialogueTtlMinutes: z.number().int().positive(),
        /** Maintenance mode: the bot says so instead of filing. */
        maintenance: z.boolean().default(false),
      })
      .strict(),
    calendar: calendarSchema,
    contactPoints: z.array(contactPointSchema).min(1),
    channels: z.array(channelSchema).min(1),
    departments: z.array(departmentSchema).min(1),
    roles: z.array(roleSchema).min(1),
    services: z.array(serviceSchema).min(1),
    sla: slaSchema,
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const departments = new Set(cfg.departments.map((d) => d.id));
    const roles = new Set(cfg.roles.map((r) => r.id));
    const seen = new Set<string>();
    cfg.services.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['services', i, 'id'], message: `duplicate service id "${s.id}"` });
      seen.add(s.id);
      if (!departments.has(s.department)) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'department'], message: `unknown department "${s.department}"` });
      }
      s.escalation.forEach((e, j) => {
        if (!roles.has(e.role)) {
          ctx.addIssue({ code: 'custom', path: ['services', i, 'escalation', j, 'role'], message: `unknown role "${e.role}"` });
        }
      });
    });
    const channelIds = new Set<string>();
    cfg.channels.forEach((c, i) => {
      if (channelIds.has(c.id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `duplicate channel id "${c.id}"` });
      channelIds.add(c.id);
    });
  });

/** The validated configuration. */
export type TawasulConfig = z.infer<typeof configSchema>;
