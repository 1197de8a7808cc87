/**
 * Bot Framework channels (Bot Framework Emulator, Azure Bot Service Web Chat / Direct Line, Teams)
 * through botbuilder's CloudAdapter on `POST /api/messages`.
 *
 * botbuilder 4 reached end of support on 2025-12-31 and is confined to this folder: its successor,
 * `@microsoft/agents-hosting` (Microsoft 365 Agents SDK), would replace only channels/botframework/.
 *
 * Inbound: the activity is authenticated by botbuilder (anonymous only without MICROSOFT_APP_ID),
 * its conversation reference stored in SQL, and the message handed to `receive` (claimed exactly
 * once by the engine, replies stored in the durable outbox). Outbound: the outbox worker posts each
 * reply with `continueConversationAsync` on the stored reference, so replies survive restarts.
 */

import { type Response as BfResponse, CloudAdapter, TurnContext } from 'botbuilder';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { organisationVars } from '../../bot/core/templates.js';
import type { Language, OutboundReply } from '../../bot/core/types.js';
import type { OutboxWorker } from '../../bot/delivery/outbox-worker.js';
import type { OutboxItem, OutboxStore } from '../../bot/delivery/types.js';
import { refusal } from '../../bot/security/http-guard.js';
import { type ChannelAdapter, type ChannelContext, defineChannel } from '../types.js';
import { botFrameworkCredentials } from './auth.js';
import { activityProblem, type Classified, classifyActivity } from './inbound.js';
import { type BotFrameworkOptions, botframeworkOptions } from './options.js';
import { botframeworkPostgresMigrations, PostgresReferenceStore } from './postgres-store.js';
import { botframeworkMigrations, type ReferenceStore, SqliteReferenceStore } from './store.js';
import { createBotFrameworkTransport } from './transport.js';

export { type BotFrameworkOptions, botframeworkOptions } from './options.js';

/** The running adapter, with what tests and the lead's wiring need. */
export interface BotFrameworkAdapter extends ChannelAdapter {
  readonly cloudAdapter: CloudAdapter;
  readonly outbox: OutboxStore;
  readonly worker: OutboxWorker;
  readonly references: ReferenceStore;
  /** True when no app id is configured (Emulator, local tests). */
  readonly anonymous: boolean;
}

/** Hooks the application wires (first-response SLA). */
export interface BotFrameworkHooks {
  /** Called after the connector accepted a reply. */
  onSent?: (item: OutboxItem, at: Date) => void;
}

/** Result of a turn that is not the default 200. */
interface Outcome {
  status?: number;
  reason?: string;
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return '';
  }
};

/** Builds the Bot Framework adapter of one channel instance (exported for wiring hooks; the registry uses `botframework`). */
export function createBotFrameworkAdapter(ctx: ChannelContext, options: BotFrameworkOptions, hooks: BotFrameworkHooks = {}): BotFrameworkAdapter {
  const id = ctx.channel.id;
  const { logger, clock, engine } = ctx;
  const creds = botFrameworkCredentials(ctx.env);
  const cloudAdapter = new CloudAdapter(creds.auth);
  const references: ReferenceStore = ctx.postgres ? new PostgresReferenceStore(ctx.postgres, id) : new SqliteReferenceStore(ctx.sql, id);
  const lane = ctx.delivery.lane(ctx, {
    transport: createBotFrameworkTransport({ adapter: cloudAdapter, appId: creds.appId, references, channel: id, timeoutMs: options.sendTimeoutMs }),
    pollMs: options.pollMs,
    retry: options.retry,
    limits: {
      maxConcurrent: options.limits.maxConcurrent,
      minTimeMs: options.limits.minTimeMs,
      perRecipientMinTimeMs: options.limits.perConversationMinTimeMs,
    },
    ...(hooks.onSent ? { onSent: hooks.onSent } : {}),
  });
  const allowedHosts = new Set(options.anonymousServiceHosts.map((h) => h.replace(/^\[|\]$/g, '').toLowerCase()));

  /** Queues one adapter-made reply (polite refusal, greeting) once per activity id. */
  const queueOwn = (c: Extract<Classified, { kind: 'unsupported' | 'join' }>, reply: OutboundReply): Promise<void> =>
    lane.replyOwn(`${c.kind}:${c.messageId}`, c.conversationId, c.messageId, reply);
  const render = (lang: Language, key: string): string => {
    const t = engine.deps.templates;
    return t.render(lang, key, { ...organisationVars(ctx.config.organisation, lang), menu: t.render(lang, 'menu') });
  };

  const onTurn = async (turn: TurnContext, outcome: Outcome): Promise<void> => {
    const activity = turn.activity;
    const c = classifyActivity(activity, id, clock.now());
    if (c.kind === 'invalid') {
      Object.assign(outcome, { status: 400, reason: c.reason });
      logger.warn({ channel: id, activityType: activity.type, reason: c.reason }, 'botframework activity refused');
      return;
    }
    if (c.kind === 'ignored' || (c.kind === 'join' && !options.greetOnJoin)) {
      logger.debug({ channel: id, activityType: activity.type }, 'botframework activity ignored');
      return;
    }
    if (creds.anonymous && !allowedHosts.has(hostOf(activity.serviceUrl))) {
      Object.assign(outcome, { status: 403, reason: 'serviceUrl host not allowed in anonymous mode' });
      logger.warn({ channel: id, activityType: activity.type }, 'botframework serviceUrl refused (anonymous mode)');
      return;
    }
    await references.save(TurnContext.getConversationReference(activity), clock.now());
    if (c.kind === 'message') {
      await lane.receive(c.msg);
    } else if (c.kind === 'unsupported') {
      await queueOwn(c, { text: render(c.language, 'unsupported'), language: c.language, kind: 'error' });
    } else {
      await queueOwn(c, { text: render(c.language, 'greeting_hello'), language: c.language, kind: 'greeting' });
    }
  };

  /** Refuses a request without a token before its body is read (the token itself is checked by botbuilder). */
  const requireToken = (req: Request, _res: Response, next: NextFunction): void => {
    next(!creds.anonymous && !req.headers.authorization ? refusal(401, 'unauthorized', 'a Bot Framework token is required') : undefined);
  };

  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    // Checked before botbuilder sees it: it fails with 500 on activities without routing fields.
    const problem = activityProblem(req.body);
    if (problem) return next(refusal(400, 'bad_activity', problem));
    const outcome: Outcome = {};
    // botbuilder ends the response itself (200, or 400/401/500); a refused or failed turn overrides it.
    const out: BfResponse = {
      socket: res.socket,
      status: (code: number) => res.status(outcome.status ?? code),
      header: (name: string, value: unknown) => res.header(name, String(value)),
      send: (body?: unknown) => (outcome.status ? res : res.send(body)),
      end: () => {
        if (res.headersSent || res.writableEnded) return res.end();
        return outcome.status
          ? res.json({ error: { reason: outcome.status === 500 ? 'internal_error' : 'bad_activity', message: outcome.reason ?? 'error' } })
          : res.end();
      },
    };
    await cloudAdapter.process(req, out, async (turn) => {
      try {
        await onTurn(turn, outcome);
      } catch (err) {
        // Accepted messages are recovered at the next start (`lane.recover`); tell the caller it failed.
        Object.assign(outcome, { status: 500, reason: 'internal error' });
        logger.error({ channel: id, error: (err as Error)?.name ?? 'Error' }, 'botframework turn failed');
      }
    });
  };

  return {
    id,
    cloudAdapter,
    outbox: lane.outbox,
    worker: lane.worker,
    references,
    anonymous: creds.anonymous,
    routes(router: Router) {
      router.post(options.path, requireToken, express.json({ limit: options.maxBodyBytes, type: ['application/json', 'application/*+json'] }), handle);
    },
    async start() {
      await lane.start();
      logger.info({ channel: id, anonymous: creds.anonymous, path: options.path }, 'botframework channel started');
    },
    stop: () => lane.stop(),
    async send(conversationId, replies) {
      await lane.send(conversationId, replies);
    },
  };
}

/** The `botframework` channel type of the registry. */
export const botframework = defineChannel(
  botframeworkOptions,
  (ctx, options) => createBotFrameworkAdapter(ctx, options),
  [{ module: 'botframework', migrations: botframeworkMigrations }],
  botframeworkPostgresMigrations,
);
