/** The call-centre agent API: waiting chats, take over, speak, hand back; every read is audited. */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import { requireAgent } from './agent-auth.js';
import { fail } from './validate.js';

const sayBody = z.object({ text: z.string().trim().min(1).max(4000) }).strict();

/** Mounts the agent API under /api/agent. */
export function agentApi(engine: Engine, tokens: Map<string, string>): Router {
  const r = express.Router();
  const { conversations } = engine.deps;
  const now = (): Date => engine.deps.clock.now();
  r.use(requireAgent(tokens));
  r.use(express.json({ limit: '16kb' }));

  r.get('/conversations', async (req, res) => {
    const view = req.query.view ?? 'waiting';
    const agentId = res.locals.agentId as string;
    const list = await (view === 'waiting'
      ? conversations.waiting()
      : view === 'mine'
        ? conversations.held(agentId)
        : view === 'held'
          ? conversations.held()
          : undefined);
    if (!list) return fail(res, 400, 'bad_view', 'view must be waiting, mine or held');
    res.json({
      conversations: list.map((c) => ({
        ...c,
        queuedAt: c.queuedAt?.toISOString(),
        takenAt: c.takenAt?.toISOString(),
        lastMessageAt: c.lastMessageAt.toISOString(),
      })),
    });
  });

  r.get('/conversations/:key/messages', async (req, res) => {
    const key = req.params.key!;
    if (!(await conversations.get(key))) return fail(res, 404, 'unknown_conversation', 'no such conversation');
    await conversations.audit(`agent:${res.locals.agentId as string}`, 'conversation.read', key, now());
    const after = Number(req.query.after ?? 0);
    res.json({ messages: (await conversations.transcript(key, Number.isFinite(after) ? after : 0)).map((e) => ({ ...e, at: e.at.toISOString() })) });
  });

  r.post('/conversations/:key/take', async (req, res) => {
    const key = req.params.key!;
    if (!(await conversations.get(key))) return fail(res, 404, 'unknown_conversation', 'no such conversation');
    if (!(await engine.takeOver(key, res.locals.agentId as string))) return fail(res, 409, 'held_by_other', 'another agent holds this conversation');
    res.json({ ok: true, conversation: await conversations.get(key) });
  });

  r.post('/conversations/:key/messages', async (req, res) => {
    const body = sayBody.safeParse(req.body);
    if (!body.success) return fail(res, 400, 'invalid_body', body.error.issues[0]!.message);
    // Writing into a chat the bot or the queue holds takes it over: the bot never talks over an agent.
    if (!(await conversations.get(req.params.key!))) return fail(res, 404, 'unknown_conversation', 'no such conversation');
    if (!(await engine.agentSay(req.params.key!, res.locals.agentId as string, body.data.text, { takeOver: true }))) {
      return fail(res, 409, 'held_by_other', 'another agent holds this conversation');
    }
    res.status(201).json({ ok: true });
  });

  r.post('/conversations/:key/release', async (req, res) => {
    if (!(await engine.handBack(req.params.key!, res.locals.agentId as string))) return fail(res, 409, 'not_held', 'you do not hold this conversation');
    res.json({ ok: true });
  });

  r.get('/requests/:reference', async (req, res) => {
    const rec = await engine.deps.requests.get(req.params.reference!);
    if (!rec) return fail(res, 404, 'unknown_request', 'no such request');
    await conversations.audit(`agent:${res.locals.agentId as string}`, 'request.read', rec.reference, now());
    res.json({ request: rec });
  });
  return r;
}
