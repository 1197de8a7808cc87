/**
 * WhatsApp through Meta's official Cloud API (the production path). Webhook verification and
 * signed POSTs in, replies through the Graph API out, via the durable outbox and a rate-limited
 * worker (messages per second per number, about one message per six seconds to one user). Outside
 * the 24-hour customer-service window only the approved template is sent.
 * Credentials from the environment: WHATSAPP_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN,
 * WHATSAPP_PHONE_NUMBER_ID.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { extname, join } from 'node:path';
import type { NextFunction, Request, Response, Router } from 'express';
import { ChannelApiError, ConfigError } from '../../bot/core/errors.js';
import type { Attachment, InboundMessage, OutboundReply } from '../../bot/core/types.js';
import type { OutboxWorker } from '../../bot/delivery/outbox-worker.js';
import type { OutboxItem, OutboxStore } from '../../bot/delivery/types.js';
import { refusal, signedBody } from '../../bot/security/http-guard.js';
import { type ChannelAdapter, type ChannelContext, defineChannel } from '../types.js';
import { ACCOUNT_THROTTLE, GraphClient, type GraphMessage, WINDOW_CLOSED } from './client.js';
import { hubSignature, type MediaRef, parseWebhook, webhookSchema } from './inbound.js';
import { type WhatsAppCloudOptions, whatsappCloudOptions } from './options.js';
import { PostgresServiceWindow, whatsappCloudPostgresMigrations } from './postgres-store.js';
import { type ServiceWindow, SqliteServiceWindow, whatsappCloudMigrations } from './store.js';

export { type WhatsAppCloudOptions, whatsappCloudOptions } from './options.js';

/** The adapter, with what tests and the lead's wiring reach. */
export interface WhatsAppCloudAdapter extends ChannelAdapter {
  readonly outbox: OutboxStore;
  readonly worker: OutboxWorker;
  /** Resolves when every webhook message taken so far went through the engine. */
  idle(): Promise<void>;
}

/** Hooks the application wires (first-response SLA). */
export interface WhatsAppCloudHooks {
  /** Overrides the worker's default (records the first-response time). */
  onSent?: (item: OutboxItem, at: Date) => void;
}

/** Prefix of the `biz_opaque_callback_data` of our sends (then the outbox id). */
const CALLBACK = 'tawasul-outbox:';

const EXT: Record<string, string> = { 'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp', 'application/pdf': '.pdf', 'text/plain': '.txt' };

function credential(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new ConfigError(`whatsapp-cloud: environment variable ${name} is not set`, 'environment', name);
  return v;
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Renders a reply: up to three short quick replies become reply buttons, otherwise plain text. */
export function renderReply(reply: OutboundReply): GraphMessage {
  const qr = reply.quickReplies ?? [];
  if (qr.length > 0 && qr.length <= 3 && qr.every((q) => q.length <= 20) && reply.text.length <= 1024) {
    return {
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: reply.text },
        action: { buttons: qr.map((title, i) => ({ type: 'reply', reply: { id: `qr-${i}`, title } })) },
      },
    };
  }
  return { type: 'text', text: { body: reply.text.length > 4096 ? `${reply.text.slice(0, 4095)}…` : reply.text, preview_url: false } };
}

/** Builds the adapter (exported for wiring hooks; the registry uses `whatsappCloud`). */
export function createWhatsAppCloud(ctx: ChannelContext, options: WhatsAppCloudOptions, hooks: WhatsAppCloudHooks = {}): WhatsAppCloudAdapter {
  const id = ctx.channel.id;
  const token = credential(ctx.env, 'WHATSAPP_TOKEN');
  const appSecret = credential(ctx.env, 'WHATSAPP_APP_SECRET');
  const verifyToken = credential(ctx.env, 'WHATSAPP_VERIFY_TOKEN');
  const phoneNumberId = credential(ctx.env, 'WHATSAPP_PHONE_NUMBER_ID');
  const path = options.webhookPath ?? `/webhooks/${id}`;
  const { logger, clock } = ctx;
  const window: ServiceWindow = ctx.postgres
    ? new PostgresServiceWindow(ctx.postgres, id, options.windowHours)
    : new SqliteServiceWindow(ctx.sql, id, options.windowHours);
  const graph = new GraphClient({ baseUrl: options.graphBaseUrl, apiVersion: options.apiVersion, token, phoneNumberId, channel: id });
  const pending = new Set<Promise<void>>();

  /** Forgets the user's window; a store failure is left for the next send to meet 131047 again. */
  const closeWindow = async (waId: string): Promise<void> => {
    try {
      await window.close(waId);
    } catch (err) {
      logger.warn({ channel: id, error: (err as Error)?.name }, 'WhatsApp window not closed');
    }
  };

  const transport = async (item: OutboxItem): Promise<{ providerMessageId?: string }> => {
    const to = item.conversationId;
    let message: GraphMessage;
    if (await window.isOpen(to, clock.now())) {
      message = renderReply(item.reply);
    } else {
      const t = options.template;
      if (!t) throw new ChannelApiError('24-hour window closed and no approved template configured', id, undefined, 'window_closed', false);
      const param = item.reply.text.replace(/\s+/g, ' ').trim().slice(0, 1000);
      message = {
        type: 'template',
        template: {
          name: t.name,
          language: { code: t.language },
          ...(t.bodyParameter ? { components: [{ type: 'body', parameters: [{ type: 'text', text: param }] }] } : {}),
        },
      };
    }
    try {
      // Named in the status webhooks, so that a send cut off by a crash can be recognised as made.
      const wamid = await graph.send(to, message, `${CALLBACK}${item.id}`);
      return wamid ? { providerMessageId: wamid } : {};
    } catch (err) {
      if (err instanceof ChannelApiError) {
        if (err.code === WINDOW_CLOSED) await closeWindow(to);
        if (typeof err.code === 'number' && ACCOUNT_THROTTLE.has(err.code))
          lane.pauseUntil(new Date(clock.now().getTime() + (err.retryAfterSeconds ?? 1) * 1000));
      }
      throw err;
    }
  };

  const lane = ctx.delivery.lane(ctx, {
    transport,
    limits: {
      maxConcurrent: options.maxConcurrent,
      minTimeMs: Math.ceil(1000 / options.messagesPerSecond),
      perRecipientMinTimeMs: options.perRecipientMinTimeMs,
      // Meta's throughput limit is per business phone number: a window quota every instance shares (Redis).
      reservoir:
        options.messagesPerSecond >= 1
          ? { amount: Math.floor(options.messagesPerSecond), refreshMs: 1000 }
          : { amount: 1, refreshMs: Math.ceil(1000 / options.messagesPerSecond) },
      account: phoneNumberId,
    },
    retry: options.retry,
    holdInDoubtMs: options.inDoubtHoldMs,
    // First-response SLA: the instant the provider accepted the reply (a no-op until the SLA engine is attached).
    ...(hooks.onSent ? { onSent: hooks.onSent } : {}),
  });

  /** Downloads a media item under dataDir/attachments/<channel>/; keeps the provider media id as ref when that fails. */
  const fetchMedia = async (m: MediaRef): Promise<Attachment | 'too-large'> => {
    const provisional: Attachment = {
      kind: m.kind,
      ref: `whatsapp-media:${m.mediaId}`,
      ...(m.mimeType ? { mimeType: m.mimeType } : {}),
      ...(m.fileName ? { fileName: m.fileName } : {}),
    };
    try {
      const info = await graph.media(m.mediaId);
      if (Number(info.file_size ?? 0) > options.maxMediaBytes) return 'too-large';
      const mime = info.mime_type ?? m.mimeType;
      const fromName = m.fileName
        ? extname(m.fileName)
            .toLowerCase()
            .replace(/[^.a-z0-9]/g, '')
            .slice(0, 8)
        : '';
      const ext = (mime && EXT[mime.split(';')[0]!.trim()]) || fromName || '.bin';
      const rel = join('attachments', id, `${m.mediaId.replace(/[^\w-]/g, '_').slice(0, 100)}${ext}`);
      const size = await graph.download(info.url, join(ctx.dataDir, rel), options.maxMediaBytes);
      return { ...provisional, ref: rel, sizeBytes: size, ...(mime ? { mimeType: mime } : {}) };
    } catch (err) {
      if (err instanceof RangeError) return 'too-large';
      logger.warn({ channel: id, error: (err as Error).name, code: (err as ChannelApiError).code }, 'media download failed; keeping the media id');
      return provisional;
    }
  };

  const handleInbound = async (msg: InboundMessage, media: MediaRef | undefined): Promise<void> => {
    try {
      if (media) {
        const a = await fetchMedia(media);
        if (a === 'too-large') {
          logger.info({ channel: id, type: media.kind }, 'attachment larger than allowed');
          await lane.replyNotice(msg, 'unsupported');
          return;
        }
        msg = { ...msg, attachments: [a] };
      }
      await lane.receive(msg);
    } catch (err) {
      // The message stays accepted: `lane.recover` answers it on the next start.
      logger.error({ channel: id, error: (err as Error).name }, 'inbound message processing failed');
    }
  };

  const track = (p: Promise<void>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const verify = (req: Request, res: Response, next: NextFunction): void => {
    const q = req.query as Record<string, unknown>;
    const challenge = q['hub.challenge'];
    if (q['hub.mode'] !== 'subscribe' || typeof q['hub.verify_token'] !== 'string' || !sameSecret(q['hub.verify_token'], verifyToken)) {
      return next(refusal(403, 'verification_failed', 'hub.mode or hub.verify_token is wrong'));
    }
    if (typeof challenge !== 'string' || !/^[\w-]{1,256}$/.test(challenge)) {
      res.status(400).json({ error: { reason: 'bad_challenge', message: 'hub.challenge is missing or malformed' } });
      return;
    }
    res.type('text/plain').send(challenge);
  };

  // Reached only with a body whose X-Hub-Signature-256 matched (signedBody); refusals are counted and logged by the error mapping.
  const webhook = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      json = undefined;
    }
    const env = webhookSchema.safeParse(json);
    if (!env.success) return next(refusal(400, 'malformed_payload', 'not a whatsapp_business_account webhook'));
    const parsed = parseWebhook(env.data, phoneNumberId);
    for (const c of parsed.callbacks) {
      const outboxId = c.data.startsWith(CALLBACK) ? Number(c.data.slice(CALLBACK.length)) : NaN;
      if (Number.isSafeInteger(outboxId)) await lane.confirmDelivered(outboxId, c.wamid);
    }
    const now = clock.now();
    const types: string[] = [];
    for (const item of parsed.items) {
      await window.touch(item.waId, now);
      types.push(item.type);
      const msg: InboundMessage = {
        channel: id,
        conversationId: item.waId,
        id: item.id,
        receivedAt: now,
        raw: null,
        from: { id: item.waId, phone: `+${item.waId}`, ...(item.name ? { name: item.name } : {}) },
        text: item.kind === 'message' ? item.text : '',
        ...(item.kind === 'message' && item.location ? { location: item.location } : {}),
      };
      if (item.kind === 'unsupported') {
        await lane.replyNotice(msg, 'unsupported');
        continue;
      }
      const media = item.media;
      const stored = media ? { ...msg, attachments: [{ kind: media.kind, ref: `whatsapp-media:${media.mediaId}` } satisfies Attachment] } : msg;
      // Durable before the 200: a crash after it is finished by `lane.recover`, a redelivery is skipped.
      if (!(await lane.accept(stored))) continue;
      track(handleInbound(msg, media));
    }
    logger.info(
      { channel: id, messages: parsed.items.length, types, statuses: parsed.statuses, otherNumber: parsed.otherNumber, malformed: parsed.malformed },
      'webhook received',
    );
    res.sendStatus(200);
  };

  const idle = async (): Promise<void> => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  return {
    id,
    outbox: lane.outbox,
    worker: lane.worker,
    idle,
    routes(router: Router) {
      router.get(path, verify);
      router.post(path, signedBody(hubSignature(appSecret, options.maxBodyBytes)), webhook);
    },
    start: () => lane.start(),
    async stop() {
      await idle();
      await lane.stop();
    },
    async send(conversationId, replies) {
      await lane.send(conversationId, replies);
    },
  };
}

/** The `whatsapp-cloud` channel type. */
export const whatsappCloud = defineChannel(
  whatsappCloudOptions,
  (ctx, options) => createWhatsAppCloud(ctx, options),
  [{ module: 'whatsapp-cloud', migrations: whatsappCloudMigrations }],
  whatsappCloudPostgresMigrations,
);
