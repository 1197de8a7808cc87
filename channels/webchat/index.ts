/**
 * The portal's web chat: a JSON API (channels/webchat/openapi.yaml) and a Preact page
 * (`web/main.tsx`, bundled by `npm run build` into dist/web/webchat.js) served at `/`.
 * Every conversation has a secret, issued once at creation; reads and posts need it as a bearer token.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { timeOrderedId } from '../../bot/core/ids.js';
import { projectRoot } from '../../bot/core/paths.js';
import { conversationKey, type InboundMessage } from '../../bot/core/types.js';
import { fail } from '../../bot/http/validate.js';
import { conversationCreationLimit } from '../../bot/security/http-guard.js';
import { type ChannelContext, defineChannel } from '../types.js';
import { PostgresWebchatAccess, webchatPostgresMigrations } from './postgres-store.js';
import { bearer, SqliteWebchatAccess, type WebchatAccessStore, webchatMigrations } from './store.js';

const messageBody = z
  .object({
    text: z.string().max(100_000).optional(),
    /** Client-generated id; a retried POST with the same id gets no second reply. */
    clientMessageId: z.string().min(1).max(100).optional(),
    location: z
      .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), label: z.string().max(200).optional() })
      .strict()
      .optional(),
  })
  .strict();

const conversationIdParam = z.string().uuid();

/** The message route, as Express mounts it and as the direct route matches it (exact path, any conversation id of id characters). */
const MESSAGES_PATTERN = '/api/webchat/conversations/:cid/messages';
const MESSAGES_PATH = /^\/api\/webchat\/conversations\/([0-9A-Za-z-]{1,100})\/messages$/;

/** The page may load only its own script, style and API (no inline script, no third party). */
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/** The web chat adapter. */
export const webchat = defineChannel(
  z.object({ pageTitle: z.string().default('Tawasul') }).strict(),
  (ctx: ChannelContext) => {
    const id = ctx.channel.id;
    const dir = join(projectRoot, 'channels/webchat');
    const page = readFileSync(join(dir, 'page.html'), 'utf8');
    const spec = readFileSync(join(dir, 'openapi.yaml'), 'utf8');
    const access: WebchatAccessStore = ctx.postgres ? new PostgresWebchatAccess(ctx.postgres, id) : new SqliteWebchatAccess(ctx.sql, id);
    const conversations = ctx.engine.deps.conversations;

    /** Checks the conversation id and its secret; the two refusals look alike (no probing for ids). */
    const authorize = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const cid = conversationIdParam.safeParse(req.params.cid);
      if (!cid.success) return fail(res, 400, 'bad_conversation_id', 'conversation id must be a UUID');
      const secret = bearer(req.get('authorization'));
      res.set('cache-control', 'no-store');
      if (!secret) {
        res.set('www-authenticate', 'Bearer realm="webchat"');
        return fail(res, 401, 'missing_secret', 'send the conversation secret: Authorization: Bearer <secret>');
      }
      // A secret is stored only with or after its conversation (WebchatAccessStore.open): its row proves the conversation.
      if (!(await access.verify(cid.data, secret))) {
        res.set('www-authenticate', 'Bearer realm="webchat", error="invalid_token"');
        return fail(res, 401, 'unauthorized', 'unknown conversation or wrong secret');
      }
      res.locals.cid = cid.data;
      next();
    };

    /** A message: the secret is checked before the body is read. */
    const postMessage: RequestHandler[] = [
      authorize,
      express.json({ limit: '64kb', strict: true }),
      async (req: Request, res: Response) => {
        const cid = res.locals.cid as string;
        // express.json parsed the body only for a JSON content type: no second check when it did.
        if (req.body === undefined && !req.is('application/json')) return fail(res, 415, 'unsupported_media_type', 'send application/json');
        const body = messageBody.safeParse(req.body);
        if (!body.success) {
          const issue = body.error.issues[0]!;
          return fail(res, 400, 'invalid_body', `${issue.path.join('.') || 'body'}: ${issue.message}`);
        }
        const now = ctx.clock.now();
        const msg: InboundMessage = {
          channel: id,
          conversationId: cid,
          // Client ids are unique per conversation only; ours are time-ordered (the ledger's index grows at its end).
          id: body.data.clientMessageId ? `${cid}:${body.data.clientMessageId}` : timeOrderedId(now.getTime()),
          from: { id: cid },
          text: body.data.text ?? '',
          receivedAt: now,
          ...(body.data.location ? { location: body.data.location } : {}),
          raw: null,
          client: { address: req.ip ?? req.socket.remoteAddress ?? 'unknown' },
        };
        const result = await ctx.engine.handle(msg, { fresh: body.data.clientMessageId === undefined });
        // A retried POST gets the replies of the first one again (idempotent), never a second turn.
        res.json({ duplicate: result.duplicate, replies: result.duplicate ? (result.previous ?? []) : result.replies });
      },
    ];

    const routes = (router: Router): void => {
      // First in the router (near misses of the direct route below, e.g. a trailing slash, come here).
      router.post(MESSAGES_PATTERN, ...postMessage);

      router.get('/', (_req, res) => {
        res.set('content-security-policy', PAGE_CSP).type('html').send(page);
      });
      router.get(['/favicon.ico', '/favicon.svg'], (_req, res) => {
        res.set('cache-control', 'public, max-age=86400').type('image/svg+xml').sendFile(join(dir, 'favicon.svg'));
      });
      router.get(['/assets/webchat.js', '/assets/webchat.js.map', '/assets/webchat.css'], (req, res) => {
        const file = req.path.endsWith('.css') ? join(dir, 'web/page.css') : join(projectRoot, 'dist/web', req.path.slice('/assets/'.length));
        res.set('cache-control', 'no-cache').sendFile(file, (err) => {
          if (err && !res.headersSent) fail(res, 503, 'not_built', 'the page is not built: run npm run build');
        });
      });
      router.get('/api/webchat/openapi.yaml', (_req, res) => {
        res.type('application/yaml').send(spec);
      });

      router.post('/api/webchat/conversations', conversationCreationLimit(ctx.env), async (_req, res) => {
        const cid = randomUUID();
        const now = ctx.clock.now();
        const secret = await access.open(cid, now, () => conversations.touch(conversationKey(id, cid), id, cid, 'ar', now));
        res.set('cache-control', 'no-store').status(201).json({ conversationId: cid, secret });
      });

      router.get('/api/webchat/conversations/:cid/messages', authorize, async (req, res) => {
        const after = z.coerce.number().int().min(0).default(0).safeParse(req.query.after);
        if (!after.success) return fail(res, 400, 'bad_after', 'after must be a non-negative integer');
        const entries = await conversations.transcript(conversationKey(id, res.locals.cid as string), after.data);
        res.json({
          messages: entries.map((e) => ({
            seq: e.seq,
            direction: e.direction,
            author: e.author.startsWith('agent:') ? 'agent' : e.author,
            text: e.text,
            at: e.at.toISOString(),
            ...(e.kind ? { kind: e.kind } : {}),
          })),
        });
      });
    };

    return {
      id,
      routes,
      // Replies that were not answers (agent messages, the hand-back notice) are in the transcript the page polls.
      send: async () => undefined,
      // The route every message takes, served ahead of the router stack.
      directRoutes: [{ method: 'POST', path: MESSAGES_PATH, params: ['cid'], pattern: MESSAGES_PATTERN, handlers: postMessage }],
    };
  },
  [{ module: 'webchat', migrations: webchatMigrations }],
  webchatPostgresMigrations,
);
