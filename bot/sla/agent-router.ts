/**
 * SLA routes for staff (mounted under /api/agent, agent bearer tokens): record an action on a request
 * (status change, note, assignment — it stops the escalation clock and tells the resident), see a
 * request's SLA schedule, and read the system notifications of the console.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { StoreError } from '../core/errors.js';
import type { Clock } from '../engine/context.js';
import { requireAgent } from '../http/agent-auth.js';
import { fail } from '../http/validate.js';
import type { SystemNotifications } from '../notify/system.js';
import { REQUEST_STATUSES } from '../store/types.js';
import type { SlaEngine } from './sla-engine.js';
import { timerJson } from './timers.js';

/** What the agent router needs. */
export interface AgentRouterDeps {
  engine: SlaEngine;
  system: SystemNotifications;
  clock: Clock;
  tokens: Map<string, string>;
}

const actionBody = z
  .object({
    status: z.enum(REQUEST_STATUSES).optional(),
    note: z.string().trim().min(1).max(2000).optional(),
    assignee: z.string().trim().min(1).max(100).optional(),
    /** Sent to the resident with the status-change notice (and used as the reason if the deadline is missed). */
    residentMessage: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .refine((b) => b.status !== undefined || b.note !== undefined || b.assignee !== undefined, { message: 'give a status, a note or an assignee' });

/** The staff router for SLA actions and system notifications. */
export function slaAgentRouter(d: AgentRouterDeps): Router {
  const r = express.Router();
  r.use('/requests/:reference/actions', requireAgent(d.tokens));
  r.use('/requests/:reference/sla', requireAgent(d.tokens));
  r.use('/notifications', requireAgent(d.tokens));
  r.use(express.json({ limit: '16kb' }));

  r.post('/requests/:reference/actions', async (req, res, next) => {
    const body = actionBody.safeParse(req.body);
    if (!body.success) return fail(res, 400, 'invalid_body', body.error.issues[0]!.message);
    try {
      const { residentMessage, ...rest } = body.data;
      const rec = await d.engine.recordAction(req.params.reference!, {
        actor: `agent:${res.locals.agentId as string}`,
        at: d.clock.now(),
        ...rest,
        ...(residentMessage ? { residentMessage } : {}),
      });
      const next = (await d.engine.timers.rows(rec.id)).find((t) => t.kind === 'escalation' && t.firedAt === null);
      res.status(201).json({
        request: {
          reference: rec.reference,
          status: rec.status,
          dueAt: rec.dueAt.toISOString(),
          lastActionAt: rec.lastActionAt.toISOString(),
          assignee: rec.assignee ?? null,
        },
        nextEscalation: next
          ? { level: next.level, role: next.role, dueAt: new Date(next.dueAt).toISOString(), fireAt: new Date(next.fireAt).toISOString() }
          : null,
      });
    } catch (err) {
      if (err instanceof StoreError) return fail(res, 404, 'unknown_request', 'no such request');
      next(err);
    }
  });

  r.get('/requests/:reference/sla', async (req, res, next) => {
    try {
      const f = await d.engine.timers.factsByReference(req.params.reference!);
      if (!f) return fail(res, 404, 'unknown_request', 'no such request');
      const timers = await d.engine.timers.rows(f.id);
      res.json({
        reference: f.reference,
        status: f.status,
        dueAt: new Date(f.dueAt).toISOString(),
        lastActionAt: new Date(f.lastActionAt).toISOString(),
        timers: timers.map(timerJson),
      });
    } catch (err) {
      next(err);
    }
  });

  r.get('/notifications', async (req, res) => {
    const role = typeof req.query.role === 'string' ? req.query.role : undefined;
    const list = await d.system.list({
      ...(role ? { role } : {}),
      unread: req.query.unread === 'true' || req.query.unread === '1',
      limit: Number(req.query.limit ?? 100) || 100,
    });
    res.json({ notifications: list });
  });

  r.post('/notifications/:id/read', async (req, res) => {
    if (!(await d.system.markRead(Number(req.params.id), `agent:${res.locals.agentId as string}`, d.clock.now())))
      return fail(res, 404, 'unknown_notification', 'no unread notification with this id');
    res.json({ ok: true });
  });
  return r;
}
