/**
 * The portal's web chat: a JSON API (channels/webchat/openapi.yaml) and a Preact page
 * (`web/main.tsx`, bundled by `npm run build` into dist/web/webchat.js) served at `/`.
 * Every conversation has a secret, issued once at creation; reads and posts need it as a bearer token.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { isTimeOrderedId, timeOrderedId } from '../../bot/core/ids.js';
import { projectRoot } from '../../bot/core/paths.js';
import { conversationKey, type InboundMessage } from '../../bot/core/types.js';
import { isPlainJson, readJsonBody, sendJson } from '../../bot/http/plain-json.js';
import type { PlainRoute } from '../../bot/http/server.js';
import { fail } from '../../bot/http/validate.js';
import { conversationCreationLimit } from '../../bot/security/http-guard.js';
import { type ChannelContext, defineChannel } from '../types.js';
import { PostgresWebchatAccess, webchatPostgresMigrations } from './postgres-store.js';
import { bearer, SqliteWebchatAccess, VerifiedSecrets, type WebchatAccessStore, webchatMigrations } from './store.js';

/** The longest message text and client message id a body may carry (`messageBody` and `ordinaryMessage`). */
const TEXT_MAX = 100_000;
const CLIENT_ID_MAX = 100;

const messageBody = z
  .object({
    text: z.string().max(TEXT_MAX).optional(),
    /** Client-generated id; a retried POST with the same id gets no second reply. */
    clientMessageId: z.string().min(1).max(CLIENT_ID_MAX).optional(),
    location: z
      .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), label: z.string().max(200).optional() })
      .strict()
      .optional(),
  })
  .strict();

const conversationIdParam = z.string().uuid();
/** The pattern `z.string().uuid()` checks, tested alone on the plain route (the id is a string there). */
const UUID = z.regexes.uuid();

/**
 * The common message, `{ text }` with or without `clientMessageId` and within their limits, which
 * `messageBody` accepts as it is; anything else is parsed by `messageBody` (its refusals, its output).
 */
function ordinaryMessage(json: unknown): json is { text: string; clientMessageId?: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || Object.getPrototypeOf(json) !== Object.prototype) return false;
  let n = 0;
  for (const key in json) {
    if (key !== 'text' && key !== 'clientMessageId') return false;
    n++;
  }
  const { text, clientMessageId } = json as Record<string, unknown>;
  if (typeof text !== 'string' || text.length > TEXT_MAX) return false;
  return n === 1 || (typeof clientMessageId === 'string' && clientMessageId.length >= 1 && clientMessageId.length <= CLIENT_ID_MAX);
}

const afterParam = z.coerce.number().int().min(0).default(0);
/** A poll's query on the plain route: none, or `after` in digits alone (a safe integer). */
const PLAIN_QUERY = /^[^?]*(?:\?|\?after=(\d{1,15}))?$/;

/** The largest message body (express.json's limit on the Express chain; bodies declared larger take it). */
const BODY_LIMIT = 64 * 1024;
const NO_STORE = 'no-store';
const UNAUTHORIZED = { error: { reason: 'unauthorized', message: 'unknown conversation or wrong secret' } };
const UNAUTHORIZED_HEADERS = ['www-authenticate', 'Bearer realm="webchat", error="invalid_token"'];

/** The message route, as Express mounts it and as the direct route matches it (exact path, any conversation id of id characters). */
const MESSAGES_PATTERN = '/api/webchat/conversations/:cid/messages';
const MESSAGES_PATH = /^\/api\/webchat\/conversations\/([0-9A-Za-z-]{1,100})\/messages$/;

/** The page may load only its own script, style and API (no inline script, no third party). */
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/**
 * The ledger's id of a message the client numbered. Client ids are unique per conversation only, so
 * the conversation is part of it. A time-ordered client id (a UUID version 7, as the page mints) comes
 * first, so that the ledger's and the first-response index grow at their end as with the ids minted
 * here; any other client id comes after the conversation (its place in those indexes is then random).
 * The separators differ (`@`, `:`) after 36 characters either way, so the two layouts never meet.
 */
export function messageIdOf(cid: string, clientMessageId: string): string {
  return isTimeOrderedId(clientMessageId) ? `${clientMessageId}@${cid}` : `${cid}:${clientMessageId}`;
}

/** The web chat adapter. */
export const webchat = defineChannel(
  z.object({ pageTitle: z.string().default('Tawasul') }).strict(),
  (ctx: ChannelContext) => {
    const id = ctx.channel.id;
    const dir = join(projectRoot, 'channels/webchat');
    const page = readFileSync(join(dir, 'page.html'), 'utf8');
    const spec = readFileSync(join(dir, 'openapi.yaml'), 'utf8');
    const access: WebchatAccessStore = new VerifiedSecrets(ctx.postgres ? new PostgresWebchatAccess(ctx.postgres, id) : new SqliteWebchatAccess(ctx.sql, id));
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
        res.set(UNAUTHORIZED_HEADERS[0]!, UNAUTHORIZED_HEADERS[1]!);
        return void res.status(401).json(UNAUTHORIZED);
      }
      res.locals.cid = cid.data;
      next();
    };

    /** The answer to a message body as parsed: the turn's replies, or 400 when the body is not a message. */
    const answer = async (cid: string, json: unknown, address: string): Promise<{ status: number; body: unknown }> => {
      const body = ordinaryMessage(json) ? { success: true as const, data: json as z.infer<typeof messageBody> } : messageBody.safeParse(json);
      if (!body.success) {
        const issue = body.error.issues[0]!;
        return { status: 400, body: { error: { reason: 'invalid_body', message: `${issue.path.join('.') || 'body'}: ${issue.message}` } } };
      }
      const now = ctx.clock.now();
      const msg: InboundMessage = {
        channel: id,
        conversationId: cid,
        id: body.data.clientMessageId ? messageIdOf(cid, body.data.clientMessageId) : timeOrderedId(now.getTime()),
        from: { id: cid },
        text: body.data.text ?? '',
        receivedAt: now,
        ...(body.data.location ? { location: body.data.location } : {}),
        raw: null,
        client: { address },
      };
      const result = await ctx.engine.handle(msg, { fresh: body.data.clientMessageId === undefined });
      // A retried POST gets the replies of the first one again (idempotent), never a second turn.
      return { status: 200, body: { duplicate: result.duplicate, replies: result.duplicate ? (result.previous ?? []) : result.replies } };
    };

    /** A message: the secret is checked before the body is read. */
    const postMessage: RequestHandler[] = [
      authorize,
      express.json({ limit: BODY_LIMIT, strict: true }),
      async (req: Request, res: Response) => {
        // express.json parsed the body only for a JSON content type: no second check when it did.
        if (req.body === undefined && !req.is('application/json')) return fail(res, 415, 'unsupported_media_type', 'send application/json');
        const a = await answer(res.locals.cid as string, req.body, req.ip ?? req.socket.remoteAddress ?? 'unknown');
        res.status(a.status).json(a.body);
      },
    ];

    /**
     * The same route on node:http's objects, for the ordinary message (a UUID, a bearer secret, a plain
     * JSON body within the limit); anything else takes `postMessage`, whose answers these equal.
     */
    const plainMessage: PlainRoute = {
      accepts: (req, [cid]) => isPlainJson(req, BODY_LIMIT) && bearer(req.headers.authorization) !== undefined && UUID.test(cid!),
      serve: async (req, res, [cid], io) => {
        res.setHeader('cache-control', NO_STORE);
        if (!(await access.verify(cid!, bearer(req.headers.authorization)!))) return sendJson(res, 401, UNAUTHORIZED, UNAUTHORIZED_HEADERS);
        const a = await answer(cid!, await readJsonBody(req), io.address);
        sendJson(res, a.status, a.body);
      },
    };

    /** The transcript after `after`, as the page reads it. */
    const transcript = async (cid: string, after: number): Promise<{ messages: unknown[] }> => {
      const entries = await conversations.transcript(conversationKey(id, cid), after);
      return {
        messages: entries.map((e) => ({
          seq: e.seq,
          direction: e.direction,
          author: e.author.startsWith('agent:') ? 'agent' : e.author,
          text: e.text,
          at: e.at.toISOString(),
          ...(e.kind ? { kind: e.kind } : {}),
        })),
      };
    };

    /** The transcript the page polls (every 2 s while open). */
    const getTranscript: RequestHandler[] = [
      authorize,
      async (req, res) => {
        const after = afterParam.safeParse(req.query.after);
        if (!after.success) return fail(res, 400, 'bad_after', 'after must be a non-negative integer');
        res.json(await transcript(res.locals.cid as string, after.data));
      },
    ];

    /**
     * The same on node:http's objects, for the ordinary poll (a UUID, a bearer secret, no query or
     * `after=<digits>`, no conditional header: Express would answer those with a 304 check); anything else takes `getTranscript`.
     */
    const plainTranscript: PlainRoute = {
      accepts: (req, [cid]) =>
        UUID.test(cid!) &&
        bearer(req.headers.authorization) !== undefined &&
        req.headers['if-none-match'] === undefined &&
        req.headers['if-modified-since'] === undefined &&
        PLAIN_QUERY.test(req.url!),
      serve: async (req, res, [cid]) => {
        res.setHeader('cache-control', NO_STORE);
        if (!(await access.verify(cid!, bearer(req.headers.authorization)!))) return sendJson(res, 401, UNAUTHORIZED, UNAUTHORIZED_HEADERS);
        sendJson(res, 200, await transcript(cid!, Number(PLAIN_QUERY.exec(req.url!)![1] ?? 0)));
      },
    };

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
        const now = ctx.clock.now();
        // Time-ordered: the conversations being served are the recent ones, so their rows sit together at the end of every index keyed by conversation.
        const cid = timeOrderedId(now.getTime());
        const secret = await access.open(cid, now, () => conversations.touch(conversationKey(id, cid), id, cid, 'ar', now));
        res.set('cache-control', 'no-store').status(201).json({ conversationId: cid, secret });
      });

      router.get(MESSAGES_PATTERN, ...getTranscript);
    };

    return {
      id,
      routes,
      // Replies that were not answers (agent messages, the hand-back notice) are in the transcript the page polls.
      send: async () => undefined,
      // The routes every message and every poll take, served ahead of the router stack.
      directRoutes: [
        { method: 'POST', path: MESSAGES_PATH, params: ['cid'], pattern: MESSAGES_PATTERN, handlers: postMessage, plain: plainMessage },
        { method: 'GET', path: MESSAGES_PATH, params: ['cid'], pattern: MESSAGES_PATTERN, handlers: getTranscript, plain: plainTranscript },
      ],
    };
  },
  [{ module: 'webchat', migrations: webchatMigrations }],
  webchatPostgresMigrations,
);
