/**
 * The requests API: department heads' queue (only their departments; 403 otherwise), filters and
 * search by reference, the full record (audited), actions that notify the resident through the SLA
 * engine as the agent API does, and filing a request for a caller on the phone through the intake
 * dialogue's own validators.
 */
import { randomUUID } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { type FieldId, fieldIdSchema } from '../../config/schema.js';
import { addDays, instantAt } from '../calendar/dates.js';
import { StoreError } from '../core/errors.js';
import { FIELD_VALIDATORS } from '../handlers/intake-fields.js';
import { fail, parse } from '../http/validate.js';
import { findReference } from '../nlu/entities.js';
import { resolutionDue } from '../sla/policy.js';
import { timerJson } from '../sla/timers.js';
import { REQUEST_STATUSES, type RequestRecord, type RequestStatus } from '../store/types.js';
import { allow, type Principal, principal } from './auth.js';
import { type ConsoleDeps, requestSummary } from './deps.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const listQuery = z
  .object({
    service: z.string().max(60).optional(),
    status: z
      .string()
      .max(100)
      .transform((s) => s.split(','))
      .pipe(z.array(z.enum(REQUEST_STATUSES)))
      .optional(),
    overdue: flag.optional(),
    escalated: flag.optional(),
    channel: z.string().max(60).optional(),
    department: z.string().max(60).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    q: z.string().trim().max(40).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

const actionBody = z
  .object({
    action: z.enum(['accept', 'reject', 'in_progress', 'on_hold', 'done', 'note', 'assign']),
    reason: z.string().trim().min(3).max(500).optional(),
    note: z.string().trim().min(1).max(2000).optional(),
    assignee: z.string().trim().min(1).max(100).optional(),
    residentMessage: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .refine((b) => b.action !== 'reject' || b.reason !== undefined, { message: 'a rejection needs a reason (right no. 5)', path: ['reason'] })
  .refine((b) => b.action !== 'note' || b.note !== undefined, { message: 'give the note', path: ['note'] })
  .refine((b) => b.action !== 'assign' || b.assignee !== undefined, { message: 'give the assignee', path: ['assignee'] });

const STATUS_OF: Partial<Record<z.infer<typeof actionBody>['action'], RequestStatus>> = {
  accept: 'in_progress',
  in_progress: 'in_progress',
  on_hold: 'on_hold',
  done: 'closed',
  reject: 'rejected',
};

const fileBody = z
  .object({
    serviceId: z.string().min(1).max(60),
    language: z.enum(['ar', 'en']).default('ar'),
    /** The console id of the chat the caller is in, if any. */
    conversationId: z.number().int().positive().optional(),
    fields: z.partialRecord(fieldIdSchema, z.string().max(2000)),
  })
  .strict();

/** True when the principal may see requests of this department. */
export const inScope = (p: Principal, department: string): boolean => p.role !== 'department' || p.departments.includes(department);

/** The requests router (mounted under /api/console). */
export function requestsRouter(d: ConsoleDeps): Router {
  const r = express.Router();
  const { requests, conversations, calendar } = d.engine.deps;
  const tz = d.config.calendar.timeZone;
  const escalationLevel = (id: number): Promise<number> => d.queries.escalationLevel(id);

  /** The request of `:reference` if the caller may see it; otherwise answers 404 or 403. */
  const load = async (ref: string | undefined, res: Response): Promise<RequestRecord | undefined> => {
    // The one reference pattern (bot/nlu/entities.ts), and only when the whole path segment is a reference.
    const canonical = ref && ref.length <= 40 ? findReference(ref) : undefined;
    const rec = canonical && canonical === ref!.toUpperCase() ? await requests.get(canonical) : undefined;
    if (!rec) return void fail(res, 404, 'unknown_request', 'no such request', 'reference');
    if (!inScope(principal(res), rec.department)) {
      await conversations.audit(principal(res).actor, 'request.read.denied', rec.reference, d.clock.now());
      return void fail(res, 403, 'other_department', 'this request belongs to a department you are not assigned to');
    }
    return rec;
  };

  r.get('/services', (_req, res) => {
    res.json({
      services: d.config.services.map((s) => ({
        id: s.id,
        name: s.name,
        department: s.department,
        fields: s.fields.map((f) => ({ id: f.id, required: f.required !== false })),
      })),
      departments: d.config.departments,
      roles: d.config.roles.map((r) => ({ id: r.id, name: r.name })),
      channels: d.config.channels.map((c) => c.id),
    });
  });

  r.get('/requests', allow('agent', 'department', 'supervisor'), async (req, res) => {
    const q = parse(listQuery, req.query, res, 'query');
    if (!q) return;
    const p = principal(res);
    const now = d.clock.now();
    const { total, references } = await d.queries.requests(
      {
        ...(p.role === 'department' ? { departments: p.departments } : {}),
        ...(q.department ? { department: q.department } : {}),
        ...(q.service ? { serviceId: q.service } : {}),
        ...(q.status ? { statuses: q.status } : {}),
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.from ? { filedFrom: instantAt(q.from, 0, tz) } : {}),
        ...(q.to ? { filedBefore: instantAt(addDays(q.to, 1), 0, tz) } : {}),
        ...(q.q ? { reference: q.q } : {}),
        ...(q.overdue !== undefined ? { overdue: q.overdue } : {}),
        ...(q.escalated !== undefined ? { escalated: q.escalated } : {}),
      },
      now,
      { limit: q.limit, offset: q.offset },
    );
    const recs = (await Promise.all(references.map((ref) => requests.get(ref)))).filter((x) => x !== undefined);
    const levels = await Promise.all(recs.map((x) => escalationLevel(x.id)));
    res.json({ total, requests: recs.map((x, i) => requestSummary(x, { now, escalationLevel: levels[i]! })) });
  });

  r.get('/requests/:reference', allow('agent', 'department', 'supervisor'), async (req, res) => {
    const rec = await load(String(req.params.reference), res);
    if (!rec) return;
    await conversations.audit(principal(res).actor, 'request.read', rec.reference, d.clock.now());
    const timers = (await d.sla.engine.timers.rows(rec.id)).map(timerJson);
    const convId = (await conversations.get(rec.conversationKey)) ? await d.store.idOf(rec.conversationKey) : null;
    res.json({
      request: {
        ...rec,
        filedAt: rec.filedAt.toISOString(),
        dueAt: rec.dueAt.toISOString(),
        lastActionAt: rec.lastActionAt.toISOString(),
        updatedAt: rec.updatedAt.toISOString(),
        history: rec.history.map((h) => ({ ...h, at: h.at.toISOString() })),
        conversationId: convId,
      },
      sla: {
        dueAt: rec.dueAt.toISOString(),
        workingDaysLeft: workingDaysLeft(rec),
        overdue: requestSummary(rec, { now: d.clock.now() }).overdue,
        escalationLevel: await escalationLevel(rec.id),
        timers,
      },
      notifications: await d.sla.system.list({ reference: rec.reference, limit: 50 }),
    });
  });

  const workingDaysLeft = (rec: RequestRecord): number => {
    const now = d.clock.now();
    if (rec.dueAt <= now) return 0;
    let n = 0;
    for (let t = now; n < 400 && calendar.addWorkingDays(t, 1) <= rec.dueAt; t = calendar.addWorkingDays(t, 1)) n++;
    return n;
  };

  r.post('/requests/:reference/actions', allow('department', 'supervisor'), express.json({ limit: '16kb' }), async (req, res, next) => {
    const rec = await load(String(req.params.reference), res);
    const body = rec && parse(actionBody, req.body, res);
    if (!rec || !body) return;
    const status = STATUS_OF[body.action];
    const note =
      body.action === 'accept' ? ['accepted', body.note].filter(Boolean).join(': ') : body.action === 'reject' ? `rejected: ${body.reason}` : body.note;
    try {
      const updated = await d.sla.engine.recordAction(rec.reference, {
        actor: principal(res).actor,
        at: d.clock.now(),
        ...(status ? { status } : {}),
        ...(note ? { note } : {}),
        ...(body.assignee ? { assignee: body.assignee } : {}),
        ...((body.residentMessage ?? body.reason) ? { residentMessage: (body.residentMessage ?? body.reason)! } : {}),
      });
      d.hub.requestChanged(updated, body.action);
      res.status(201).json({ request: requestSummary(updated, { now: d.clock.now(), escalationLevel: await escalationLevel(updated.id) }) });
    } catch (err) {
      if (err instanceof StoreError) return fail(res, 404, 'unknown_request', 'no such request');
      next(err);
    }
  });

  r.post('/requests', allow('agent', 'supervisor'), express.json({ limit: '32kb' }), async (req, res) => {
    const body = parse(fileBody, req.body, res);
    if (!body) return;
    const service = d.engine.deps.services.get(body.serviceId);
    if (!service) return fail(res, 400, 'invalid_body', 'serviceId: unknown service', 'serviceId');
    const values: Partial<Record<FieldId, string>> = {};
    for (const f of service.fields) {
      const raw = body.fields[f.id]?.trim();
      if (!raw) {
        if (f.required !== false) return fail(res, 400, 'invalid_body', `fields.${f.id}: required for this service`, `fields.${f.id}`);
        continue;
      }
      const v = FIELD_VALIDATORS[f.id](raw);
      if (v === undefined) return fail(res, 400, 'invalid_body', `fields.${f.id}: not valid (the intake dialogue's rule)`, `fields.${f.id}`);
      values[f.id] = v;
    }
    const extra = Object.keys(body.fields).find((k) => !service.fields.some((f) => f.id === k));
    if (extra) return fail(res, 400, 'invalid_body', `fields.${extra}: not asked by this service`, `fields.${extra}`);
    const key = body.conversationId !== undefined ? await d.store.keyOf(body.conversationId) : `phone:${randomUUID()}`;
    if (!key) return fail(res, 400, 'invalid_body', 'conversationId: unknown conversation', 'conversationId');
    const now = d.clock.now();
    const rec = await requests.create({
      serviceId: service.id,
      department: service.department,
      applicant: {
        name: values.name ?? '',
        civilId: values.civilId ?? '',
        phone: values.phone ?? '',
        ...(values.email ? { email: values.email } : {}),
        ...(values.address ? { address: values.address } : {}),
      },
      description: values.description ?? '',
      ...(values.party ? { party: values.party } : {}),
      ...(values.preferredDate ? { preferredDate: values.preferredDate } : {}),
      attachments: [],
      language: body.language,
      channel: key.split(':')[0]!,
      conversationKey: key,
      filedAt: now,
      dueAt: resolutionDue(calendar, service, d.config, now),
    });
    await conversations.audit(principal(res).actor, 'request.file', rec.reference, now);
    d.engine.events.emit('request.filed', rec);
    res.status(201).json({ request: requestSummary(rec, { now }) });
  });
  return r;
}
