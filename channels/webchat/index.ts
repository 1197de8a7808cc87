/** The portal's web chat: a JSON API (channels/webchat/openapi.yaml) and a small page served at `/`. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { projectRoot } from '../../bot/core/paths.js';
import { conversationKey, type InboundMessage } from '../../bot/core/types.js';
import { conversationCreationLimit } from '../../bot/security/http-guard.js';
import { defineChannel, type ChannelContext } from '../types.js';

const messageBody = z
  .object({
    text: z.string().max(100_000).optional(),
    /** Client-generated id; a retried POST with the same id gets no second reply. */
    clientMessageId: z.string().min(1).max(100).optional(),
    location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), label: z.string().max(200).optional() }).strict().optional(),
  })
  .strict();

const conversationIdParam = z.string().uuid();

function fail(res: Response, status: number, reason: string, message: string): void {
  res.status(status).json({ error: { reason, message } });
}

/** The web chat adapter. */
export const webchat = defineChannel(
  z.object({ pageTitle: z.string().default('Tawasul') }).strict(),
  (ctx: ChannelContext) => {
    const id = ctx.channel.id;
    const page = readFileSync(join(projectRoot, 'channels/webchat/page.html'), 'utf8');
    const spec = readFileSync(join(projectRoot, 'channels/webchat/openapi.yaml'), 'utf8');
    const conversations = ctx.engine.deps.conversations;
    const known = (cid: string): boolean => conversations.get(conversationKey(id, cid)) !== undefined;

    const routes = (router: Router): void => {
      router.get('/', (_req, res) => { res.type('html').send(page); });
      router.get('/api/webchat/openapi.yaml', (_req, res) => { res.type('application/yaml').send(spec); });

      router.post('/api/webchat/conversations', conversationCreationLimit(ctx.env), (_req, res) => {
        const cid = randomUUID();
        conversations.touch(conversationKey(id, cid), id, cid, 'ar', ctx.clock.now());
        res.status(201).json({ conversationId: cid });
      });

      router.post('/api/webchat/conversations/:cid/messages', express.json({ limit: '64kb', strict: true }), async (req: Request, res: Response) => {
        const cid = conversationIdParam.safeParse(req.params.cid);
        if (!cid.success) return fail(res, 400, 'bad_conversation_id', 'conversation id must be a UUID');
        if (!known(cid.data)) return fail(res, 404, 'unknown_conversation', 'start a conversation first: POST /api/webchat/conversations');
        if (!req.is('application/json')) return fail(res, 415, 'unsupported_media_type', 'send application/json');
        const body = messageBody.safeParse(req.body);
        if (!body.success) {
          const issue = body.error.issues[0]!;
          return fail(res, 400, 'invalid_body', `${issue.path.join('.') || 'body'}: ${issue.message}`);
        }
        const now = ctx.clock.now();
        const msg: InboundMessage = {
          channel: id,
          conversationId: cid.data,
          // Client ids are unique per conversation only.
          id: body.data.clientMessageId ? `${cid.data}:${body.data.clientMessageId}` : randomUUID(),
          from: { id: cid.data },
          text: body.data.text ?? '',
          receivedAt: now,
          ...(body.data.location ? { location: body.data.location } : {}),
          raw: null,
          client: { address: req.ip ?? req.socket.remoteAddress ?? 'unknown' },
        };
        const result = await ctx.engine.handle(msg);
        // A retried POST gets the replies of the first one again (idempotent), never a second turn.
        res.json({ duplicate: result.duplicate, replies: result.duplicate ? result.previous ?? [] : result.replies });
      });

      router.get('/api/webchat/conversations/:cid/messages', (req, res) => {
        const cid = conversationIdParam.safeParse(req.params.cid);
        if (!cid.success) return fail(res, 400, 'bad_conversation_id', 'conversation id must be a UUID');
        if (!known(cid.data)) return fail(res, 404, 'unknown_conversation', 'no such conversation');
        const after = z.coerce.number().int().min(0).default(0).safeParse(req.query.after);
        if (!after.success) return fail(res, 400, 'bad_after', 'after must be a non-negative integer');
        const entries = conversations.transcript(conversationKey(id, cid.data), after.data);
        res.json({
          messages: entries.map((e) => ({ seq: e.seq, direction: e.direction, author: e.author.startsWith('agent:') ? 'agent' : e.author, text: e.text, at: e.at.toISOString() })),
        });
      });
    };

    return {
      id,
      routes,
      // Replies that were not answers (agent messages) are in the transcript the page polls.
      send: async () => undefined,
    };
  },
);
