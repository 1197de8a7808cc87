/**
 * Supervisor and admin APIs of the console: the SLA dashboard (the report of `tawasul sla-report`,
 * a CSV per chart, the live queue), system notifications, the holiday calendar (confirm or move a
 * holiday; open requests' due dates are recomputed), accounts and the audit trail.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { fail, parse } from '../http/validate.js';
import { holidayBody, isoDate } from '../sla/admin-router.js';
import { buildSlaReport, reportToCsv } from '../sla/reports.js';
import { ROLES } from './accounts.js';
import { allow, principal, publicAccount } from './auth.js';
import type { ConsoleDeps } from './deps.js';
import { maskConversationId } from './mask.js';

/** Chart id → the section and group of the report's CSV it draws. */
export const CHARTS = {
  'first-response-by-channel': ['first_response', 'channel'],
  'completion-by-service': ['requests', 'service'],
  'completion-by-department': ['requests', 'department'],
  'requests-over-time': ['requests', 'period'],
  'first-response-over-time': ['first_response', 'period'],
} as const;
const reportQuery = z
  .object({
    from: isoDate,
    to: isoDate,
    bucket: z.enum(['day', 'month']).default('day'),
    chart: z.enum(['escalations', ...Object.keys(CHARTS)] as [string, ...string[]]).optional(),
  })
  .strict()
  .refine((q) => q.to >= q.from, { message: 'to is before from', path: ['to'] });
const accountBody = z
  .object({
    username: z.string().min(1).max(40),
    displayName: z.string().trim().min(1).max(100).optional(),
    role: z.enum(ROLES),
    departments: z.array(z.string().max(60)).max(20).optional(),
    password: z.string().min(1).max(200),
  })
  .strict();
const passwordBody = z.object({ password: z.string().min(1).max(200) }).strict();
const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200), unread: z.enum(['true', 'false']).optional() }).strict();
const yearQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }).strict();

/** The supervisor/admin router (mounted under /api/console). */
export function adminRouter(d: ConsoleDeps): Router {
  const r = express.Router();
  const { conversations } = d.engine.deps;
  const json = express.json({ limit: '16kb' });
  const inputError = (err: unknown, res: express.Response): boolean => {
    if (!(err instanceof InputError)) return false;
    fail(res, err.status, err.reason, err.message, err.message.split(':')[0]);
    return true;
  };

  r.get('/sla/report', allow('supervisor', 'admin'), async (req, res) => {
    const q = parse(reportQuery, req.query, res, 'query');
    if (!q) return;
    const report = await buildSlaReport(d.sla.store.figures, d.sla.ctx.config, d.sla.ctx.calendar, { from: q.from, to: q.to, bucket: q.bucket }, d.clock.now());
    if (!q.chart) return void res.json(report);
    let csv: string;
    if (q.chart === 'escalations') {
      csv = `level,role,count\r\n${report.escalations.map((e) => `${e.level},${e.role},${e.count}`).join('\r\n')}\r\n`;
    } else {
      const [section, group] = CHARTS[q.chart as keyof typeof CHARTS];
      const [head, ...rows] = reportToCsv(report).trimEnd().split('\r\n');
      csv = `${[head, ...rows.filter((l) => l.startsWith(`${section},${group},`))].join('\r\n')}\r\n`;
    }
    res.type('text/csv; charset=utf-8').attachment(`sla-${q.chart}-${q.from}-${q.to}.csv`).send(csv);
  });

  r.get('/sla/live', allow('supervisor', 'admin'), async (req, res) => {
    const now = d.clock.now().getTime();
    const waiting = await conversations.waiting(10_000);
    const counts = await d.queries.openRequests(new Date(now));
    const live = {
      waiting: waiting.length,
      held: (await conversations.held()).length,
      oldestWaitingSeconds: waiting[0]?.queuedAt ? Math.round((now - waiting[0].queuedAt.getTime()) / 1000) : null,
      openRequests: counts.open,
      overdueRequests: counts.overdue,
      at: new Date(now).toISOString(),
    };
    if (req.query.format !== 'csv') return void res.json(live);
    res
      .type('text/csv; charset=utf-8')
      .attachment('sla-live-queue.csv')
      .send(
        `${Object.keys(live).join(',')}\r\n${Object.values(live)
          .map((v) => v ?? '')
          .join(',')}\r\n`,
      );
  });

  r.get('/notifications', allow('department', 'supervisor', 'admin'), async (req, res) => {
    const q = parse(limitQuery, req.query, res, 'query');
    if (!q) return;
    const p = principal(res);
    const visible = await d.sla.system.forDepartments({
      ...(p.role === 'department' ? { departments: p.departments } : {}),
      unread: q.unread === 'true',
      limit: q.limit,
    });
    res.json({
      notifications: visible.map((n) => ({
        id: n.id,
        role: n.role,
        kind: n.kind,
        level: n.level ?? null,
        reference: n.reference ?? null,
        title: n.title,
        body: n.body,
        department: n.department ?? null,
        createdAt: n.createdAt.toISOString(),
        readAt: n.readAt?.toISOString() ?? null,
      })),
      unread: visible.filter((n) => n.readAt === undefined).length,
    });
  });

  r.post('/notifications/:id/read', allow('department', 'supervisor', 'admin'), async (req, res) => {
    if (!(await d.sla.system.markRead(Number(req.params.id), principal(res).actor, d.clock.now())))
      return fail(res, 404, 'unknown_notification', 'no unread notification with this id', 'id');
    res.json({ ok: true });
  });

  r.get('/calendar/holidays', allow('admin', 'supervisor'), async (req, res) => {
    const q = parse(yearQuery, req.query, res, 'query');
    if (!q) return;
    res.json({ holidays: d.sla.ctx.calendar.holidays(q.year), overrides: await d.sla.holidays.overrides(), changes: await d.sla.holidays.changes() });
  });

  r.post('/calendar/holidays', allow('admin'), json, async (req, res) => {
    const body = parse(holidayBody, req.body, res);
    if (!body) return;
    try {
      const change = await d.sla.holidays.setHoliday(body, principal(res).actor, d.clock.now());
      res.status(201).json({ change, holidays: d.sla.ctx.calendar.holidays(Number(body.from.slice(0, 4))) });
    } catch (err) {
      if (!inputError(err, res)) throw err;
    }
  });

  r.get('/accounts', allow('admin'), async (_req, res) => {
    res.json({ accounts: (await d.accounts.list()).map(publicAccount) });
  });

  r.post('/accounts', allow('admin'), json, async (req, res) => {
    const body = parse(accountBody, req.body, res);
    if (!body) return;
    try {
      const a = await d.accounts.add(body);
      conversations.audit(principal(res).actor, 'account.add', a.username, d.clock.now());
      res.status(201).json({ account: publicAccount(a) });
    } catch (err) {
      if (!inputError(err, res)) throw err;
    }
  });

  r.post('/accounts/:username/:action', allow('admin'), json, async (req, res) => {
    const a = await d.accounts.byUsername(String(req.params.username));
    if (!a) return fail(res, 404, 'unknown_account', 'no such account', 'username');
    const action = String(req.params.action);
    if (action === 'disable' || action === 'enable') {
      if (action === 'disable' && a.id === principal(res).accountId) return fail(res, 400, 'self', 'you cannot disable your own account', 'username');
      await d.accounts.setDisabled(a.username, action === 'disable');
      if (action === 'disable') await d.sessions.destroyAll(a.id);
    } else if (action === 'reset-password') {
      const body = parse(passwordBody, req.body, res);
      if (!body) return;
      try {
        await d.accounts.resetPassword(a.username, body.password);
      } catch (err) {
        if (!inputError(err, res)) throw err;
        return;
      }
      await d.sessions.destroyAll(a.id);
    } else {
      return fail(res, 404, 'not_found', 'action must be disable, enable or reset-password', 'action');
    }
    conversations.audit(principal(res).actor, `account.${action}`, a.username, d.clock.now());
    res.json({ account: publicAccount((await d.accounts.get(a.id))!) });
  });

  r.get('/audit', allow('admin'), async (req, res) => {
    const q = parse(limitQuery, req.query, res, 'query');
    if (!q) return;
    // Conversation keys of phone-number channels (whatsapp:9689…) are masked like every list.
    const subject = (v: string): string => {
      const i = v.indexOf(':');
      return i > 0 ? `${v.slice(0, i + 1)}${maskConversationId(v.slice(i + 1))}` : v;
    };
    res.json({ audit: (await conversations.auditTrail(q.limit)).map((e) => ({ ...e, subject: subject(e.subject), at: e.at.toISOString() })) });
  });
  return r;
}
