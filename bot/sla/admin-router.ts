/**
 * The SLA admin API (mounted under /api/admin, bearer tokens of TAWASUL_ADMIN_TOKENS): holidays
 * confirmed or moved at run time, calendar changes, SLA reports (JSON or CSV), the notification outbox.
 */
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import type { TawasulConfig } from '../../config/schema.js';
import { InputError } from '../core/errors.js';
import type { Clock } from '../engine/context.js';
import { requireAgent } from '../http/agent-auth.js';
import { fail } from '../http/validate.js';
import type { NotificationOutbox } from '../notify/outbox.js';
import type { SlaFigures } from '../store/sla-store.js';
import type { SlaContext } from './context.js';
import type { HolidayAdmin } from './holiday-admin.js';
import { buildSlaReport, reportToCsv } from './reports.js';

/** What the admin router needs. */
export interface AdminRouterDeps {
  ctx: SlaContext;
  /** What reports are computed from. */
  figures: SlaFigures;
  clock: Clock;
  holidays: HolidayAdmin;
  outbox: NotificationOutbox;
  tokens: Map<string, string>;
  /** Runs one sweep now (the same as the periodic one). */
  sweep: (now: Date) => Promise<unknown>;
  /** Re-reads the configuration (calendar and SLA settings take effect without restart). */
  reloadConfig?: () => TawasulConfig;
  onConfig?: (config: TawasulConfig) => void;
}

/** A calendar date as the admin APIs take it. */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
/** A holiday override (confirm, move or cancel a Hijri holiday), as the admin and console APIs take it. */
export const holidayBody = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id'),
    from: isoDate,
    to: isoDate.optional(),
    status: z.enum(['confirmed', 'cancelled']).optional(),
    name: z
      .object({ ar: z.string().min(1).max(200), en: z.string().min(1).max(200) })
      .strict()
      .optional(),
  })
  .strict();
const reportQuery = z.object({ from: isoDate, to: isoDate, bucket: z.enum(['day', 'month']).optional(), format: z.enum(['json', 'csv']).optional() });

/** Wraps an async handler so that input errors become 4xx answers and the rest reach the error handler. */
const handle =
  (fn: (req: express.Request, res: Response) => Promise<void> | void) =>
  async (req: express.Request, res: Response, next: express.NextFunction): Promise<void> => {
    try {
      await fn(req, res);
    } catch (err) {
      if (err instanceof InputError) fail(res, err.status, err.reason, err.message);
      else if (err instanceof RangeError) fail(res, 400, 'bad_request', err.message);
      else next(err);
    }
  };

/** The admin router; every route needs an admin bearer token. */
export function slaAdminRouter(d: AdminRouterDeps): Router {
  const r = express.Router();
  r.use(requireAgent(d.tokens));
  r.use(express.json({ limit: '16kb' }));
  const actor = (res: Response): string => `admin:${res.locals.agentId as string}`;

  r.get(
    '/holidays',
    handle(async (req, res) => {
      const year = req.query.year === undefined ? undefined : Number(req.query.year);
      if (year !== undefined && !Number.isInteger(year)) return fail(res, 400, 'bad_year', 'year must be a number');
      res.json({ holidays: d.ctx.calendar.holidays(year), overrides: await d.holidays.overrides() });
    }),
  );

  r.post(
    '/holidays',
    handle(async (req, res) => {
      const body = holidayBody.safeParse(req.body);
      if (!body.success) return fail(res, 400, 'invalid_body', `${body.error.issues[0]!.path.join('.')}: ${body.error.issues[0]!.message}`);
      const change = await d.holidays.setHoliday(body.data, actor(res), d.clock.now());
      res.status(201).json({ change, holidays: d.ctx.calendar.holidays(Number(body.data.from.slice(0, 4))) });
    }),
  );

  r.delete(
    '/holidays/overrides/:id',
    handle(async (req, res) => {
      const change = await d.holidays.removeOverride(Number(req.params.id), actor(res), d.clock.now());
      if (!change) return fail(res, 404, 'unknown_override', 'no such override');
      res.json({ change });
    }),
  );

  r.get(
    '/calendar/changes',
    handle(async (_req, res) => {
      res.json({ changes: await d.holidays.changes() });
    }),
  );

  r.post(
    '/calendar/reload',
    handle(async (_req, res) => {
      if (!d.reloadConfig) return fail(res, 501, 'not_available', 'configuration reload is not wired in this process');
      const config = d.reloadConfig();
      d.ctx.setConfig(config);
      d.onConfig?.(config);
      const change = await d.holidays.setBase(config.calendar, actor(res), d.clock.now());
      res.json({ change });
    }),
  );

  r.post(
    '/sla/sweep',
    handle(async (_req, res) => {
      res.json({ report: await d.sweep(d.clock.now()) });
    }),
  );

  r.get(
    '/reports/sla',
    handle(async (req, res) => {
      const q = reportQuery.safeParse(req.query);
      if (!q.success) return fail(res, 400, 'invalid_query', `${q.error.issues[0]!.path.join('.')}: ${q.error.issues[0]!.message}`);
      if (q.data.to < q.data.from) return fail(res, 400, 'invalid_query', 'to is before from');
      const report = await buildSlaReport(
        d.figures,
        d.ctx.config,
        d.ctx.calendar,
        { from: q.data.from, to: q.data.to, ...(q.data.bucket ? { bucket: q.data.bucket } : {}) },
        d.clock.now(),
      );
      if (q.data.format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment(`sla-${q.data.from}-${q.data.to}.csv`).send(reportToCsv(report));
        return;
      }
      res.json(report);
    }),
  );

  r.get('/notifications', async (req, res) => {
    const status = req.query.status;
    if (status !== undefined && status !== 'pending' && status !== 'sent' && status !== 'failed')
      return fail(res, 400, 'bad_status', 'status must be pending, sent or failed');
    res.json({
      notifications: await d.outbox.list({
        ...(status ? { status } : {}),
        ...(typeof req.query.reference === 'string' ? { reference: req.query.reference } : {}),
        limit: Number(req.query.limit ?? 100) || 100,
      }),
      counts: await d.outbox.counts(),
    });
  });

  r.post('/notifications/:id/retry', async (req, res) => {
    if (!(await d.outbox.requeue(Number(req.params.id), d.clock.now()))) return fail(res, 404, 'not_failed', 'no failed notification with this id');
    res.json({ ok: true });
  });
  return r;
}
