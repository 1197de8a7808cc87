/**
 * The agent inbox API (agents and supervisors): waiting chats oldest first, mine, held; a chat with
 * its transcript, private notes and the resident's other requests and conversations; take over,
 * reply (writing into a bot-held chat takes it over), note, hand back; canned replies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Response, type Router } from 'express';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { projectRoot } from '../core/paths.js';
import { fail, parse } from '../http/validate.js';
import type { ConversationRecord } from '../store/conversation-store.js';
import { phoneKey } from '../store/sqlite-request-store.js';
import { allow, principal } from './auth.js';
import { type ConsoleDeps, chatSummary, requestSummary, residentLeft } from './deps.js';

const textBody = z.object({ text: z.string().trim().min(1).max(4000) }).strict();
const listQuery = z.object({ view: z.enum(['waiting', 'mine', 'held']).default('waiting') }).strict();
const afterQuery = z.object({ after: z.coerce.number().int().min(0).default(0) }).strict();

/** A canned reply; the approved Tajawob reply comes verbatim from templates/. */
export interface CannedReply {
  id: string;
  title: { ar: string; en: string };
  text: { ar: string; en: string };
}

/** Loads the canned replies: the approved reply from templates/tajawob-reply.*.txt, then templates/console-canned.yaml. */
export function loadCannedReplies(root = projectRoot): CannedReply[] {
  const read = (f: string): string => readFileSync(join(root, 'templates', f), 'utf8').replace(/\s+$/, '');
  const more = parseYaml(read('console-canned.yaml')) as { replies: CannedReply[] };
  return [
    {
      id: 'tajawob',
      title: { ar: 'الرد المعتمد (تجاوب)', en: 'Approved reply (Tajawob)' },
      text: { ar: read('tajawob-reply.ar.txt'), en: read('tajawob-reply.en.txt') },
    },
    ...more.replies,
  ];
}

/** The chats router (mounted under /api/console). */
export function chatsRouter(d: ConsoleDeps): Router {
  const r = express.Router();
  const { conversations } = d.engine.deps;
  const canned = loadCannedReplies();
  r.use('/conversations', allow('agent', 'supervisor'));
  r.use('/canned-replies', allow('agent', 'supervisor'));

  /** The conversation of `:id`, or a 404 answer. */
  const find = async (id: string | undefined, res: Response): Promise<ConversationRecord | undefined> => {
    const key = /^\d{1,12}$/.test(id ?? '') ? await d.store.keyOf(Number(id)) : undefined;
    const c = key ? await conversations.get(key) : undefined;
    if (!c) fail(res, 404, 'unknown_conversation', 'no such conversation', 'id');
    return c;
  };
  const transcript = async (key: string, after: number) =>
    (await conversations.transcript(key, after, 500)).map((e) => ({
      seq: e.seq,
      direction: e.direction,
      author: e.author,
      kind: e.kind ?? null,
      text: e.text,
      at: e.at.toISOString(),
    }));
  const heldBy = (c: ConversationRecord): string => `${c.agentId} holds this chat since ${c.takenAt?.toISOString() ?? '?'}`;
  const holder = (c: ConversationRecord) => ({ holder: c.agentId ?? null, since: c.takenAt?.toISOString() ?? null });
  const summaries = (list: ConversationRecord[]) => Promise.all(list.map((c) => chatSummary(d, c)));

  r.get('/canned-replies', (_req, res) => {
    res.json({ replies: canned });
  });

  r.get('/conversations', async (req, res) => {
    const q = parse(listQuery, req.query, res, 'query');
    if (!q) return;
    const list = await (q.view === 'waiting'
      ? conversations.waiting()
      : q.view === 'mine'
        ? conversations.held(principal(res).username)
        : conversations.held());
    res.json({ now: d.clock.now().toISOString(), conversations: await summaries(list) });
  });

  r.get('/conversations/:id', async (req, res) => {
    const c = await find(req.params.id, res);
    if (!c) return;
    await conversations.audit(principal(res).actor, 'conversation.read', c.key, d.clock.now());
    // The resident's other requests: those filed from this chat, and any filed with the same phone.
    const own = await d.queries.conversationRequests(c.key, 50);
    const phones = [...new Set(own.map((o) => phoneKey(o.phone)))];
    const refs = new Set(own.map((o) => o.reference));
    for (const p of phones) for (const ref of await d.queries.referencesByPhone(p, 50)) refs.add(ref);
    const now = d.clock.now();
    const requests = (await Promise.all([...refs].map((ref) => d.engine.deps.requests.get(ref)))).filter((x) => x !== undefined);
    const otherKeys = new Set(requests.map((x) => x.conversationKey).filter((k) => k !== c.key));
    res.json({
      conversation: { ...(await chatSummary(d, c)), conversationId: c.conversationId },
      messages: await transcript(c.key, 0),
      notes: (await d.store.notes(c.key)).map((n) => ({ ...n, at: n.at.toISOString() })),
      related: {
        requests: requests.map((x) => requestSummary(x, { now })),
        conversations: await summaries((await Promise.all([...otherKeys].map((k) => conversations.get(k)))).filter((x) => x !== undefined)),
      },
    });
  });

  r.get('/conversations/:id/messages', async (req, res) => {
    const c = await find(req.params.id, res);
    const q = c && parse(afterQuery, req.query, res, 'query');
    if (!c || !q) return;
    res.json({ messages: await transcript(c.key, q.after) });
  });

  r.post('/conversations/:id/take', async (req, res) => {
    const c = await find(req.params.id, res);
    if (!c) return;
    const me = principal(res).username;
    if (!(await d.engine.takeOver(c.key, me))) {
      const now = (await conversations.get(c.key))!;
      return fail(res, 409, 'held_by_other', `${heldBy(now)}; ask them or a supervisor to hand it over`, undefined, holder(now));
    }
    res.json({ conversation: await chatSummary(d, (await conversations.get(c.key))!) });
  });

  r.post('/conversations/:id/messages', express.json({ limit: '16kb' }), async (req, res) => {
    const c = await find(req.params.id, res);
    const body = c && parse(textBody, req.body, res);
    if (!c || !body) return;
    if (residentLeft(d, c)) {
      return fail(
        res,
        410,
        'resident_left',
        `the resident left this chat (last message ${c.lastMessageAt.toISOString()}); nothing was sent — call them back or file a request for them`,
        undefined,
        { lastMessageAt: c.lastMessageAt.toISOString() },
      );
    }
    const me = principal(res).username;
    if (!(await d.engine.agentSay(c.key, me, body.text, { takeOver: true }))) {
      const now = (await conversations.get(c.key))!;
      return fail(res, 409, 'held_by_other', `${heldBy(now)}; your message was not sent`, undefined, holder(now));
    }
    res.status(201).json({ conversation: await chatSummary(d, (await conversations.get(c.key))!) });
  });

  r.post('/conversations/:id/notes', express.json({ limit: '16kb' }), async (req, res) => {
    const c = await find(req.params.id, res);
    const body = c && parse(textBody, req.body, res);
    if (!c || !body) return;
    const note = await d.store.addNote(c.key, principal(res).username, body.text, d.clock.now());
    res.status(201).json({ note: { ...note, at: note.at.toISOString() } });
  });

  r.post('/conversations/:id/release', async (req, res) => {
    const c = await find(req.params.id, res);
    if (!c) return;
    if (!(await d.engine.handBack(c.key, principal(res).username))) {
      return fail(res, 409, 'not_held', c.owner === 'agent' ? `${heldBy(c)}; only they can hand it back` : 'you do not hold this chat');
    }
    res.json({ conversation: await chatSummary(d, (await conversations.get(c.key))!) });
  });
  return r;
}
