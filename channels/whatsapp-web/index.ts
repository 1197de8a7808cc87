/**
 * WhatsApp through whatsapp-web.js, for a pilot on a phone (the Cloud API adapter is the production
 * path; this one automates WhatsApp Web and risks the number being banned, see
 * docs/channels-whatsapp.md). LocalAuth session under `<dataDir>/wwebjs`, QR code in the terminal,
 * Debian's chromium, `message` events only (never `message_create`, so the bot never answers
 * itself), reconnect with back-off on `disconnected`, replies through the durable outbox.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import qrcode from 'qrcode-terminal';
import { ChannelApiError, NetworkError } from '../../bot/core/errors.js';
import type { Attachment, InboundMessage } from '../../bot/core/types.js';
import type { OutboxWorker } from '../../bot/delivery/outbox-worker.js';
import type { OutboxItem, OutboxStore } from '../../bot/delivery/types.js';
import { type ChannelAdapter, type ChannelContext, defineChannel } from '../types.js';
import { realClient, SYSTEM_TYPES, sessionDir, TEXT_TYPES, type WwebClient, type WwebClientOptions, type WwebMessage } from './client.js';
import { type WhatsAppWebOptions, whatsappWebOptions } from './options.js';

export { type WhatsAppWebOptions, whatsappWebOptions } from './options.js';

/** Injectable parts (tests, the lead's SLA wiring). */
export interface WhatsAppWebHooks {
  clientFactory?: (o: WwebClientOptions) => WwebClient | Promise<WwebClient>;
  /** Overrides the worker's default (records the first-response time). */
  onSent?: (item: OutboxItem, at: Date) => void;
  /** Where the QR code is drawn (default: the terminal). */
  terminal?: (text: string) => void;
}

/** The adapter, with what tests reach. */
export interface WhatsAppWebAdapter extends ChannelAdapter {
  readonly outbox: OutboxStore;
  readonly worker: OutboxWorker;
  /** `connecting`, `qr` (waiting for a scan), `ready`, `disconnected`, `stopped`. */
  readonly state: string;
  idle(): Promise<void>;
}

const EXT: Record<string, string> = { 'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp', 'application/pdf': '.pdf' };

/** Maps a sendMessage failure: invalid chat ids are permanent, rate limits wait, the rest is transient. */
export function sendError(channel: string, err: unknown): Error {
  const text = err instanceof Error ? err.message : String(err);
  if (/invalid wid|wid error|not a valid|no lid for user/i.test(text))
    return new ChannelApiError('whatsapp-web: recipient is not a WhatsApp user', channel, undefined, 'invalid_wid', false);
  if (/rate-?overlimit|429|too many/i.test(text)) return new ChannelApiError('whatsapp-web: rate limited', channel, 429, 'rate_overlimit', true, 60);
  return new NetworkError('whatsapp-web: client failed to send', channel, { cause: err });
}

/** Builds the adapter. */
export function createWhatsAppWeb(ctx: ChannelContext, options: WhatsAppWebOptions, hooks: WhatsAppWebHooks = {}): WhatsAppWebAdapter {
  const id = ctx.channel.id;
  const { logger, clock } = ctx;
  const pending = new Set<Promise<void>>();
  const factory = hooks.clientFactory ?? realClient;
  const terminal = hooks.terminal ?? ((s: string) => process.stdout.write(`${s}\n`));
  let client: WwebClient | undefined;
  let state = 'stopped';
  let attempts = 0;
  let timer: NodeJS.Timeout | undefined;

  const transport = async (item: OutboxItem): Promise<{ providerMessageId?: string }> => {
    const c = client;
    if (!c || state !== 'ready') throw new NetworkError('whatsapp-web: client not connected', id);
    const noAnswer = new NetworkError(`whatsapp-web: no answer to a send within ${options.sendTimeoutMs} ms`, id);
    let timeout: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(noAnswer), options.sendTimeoutMs);
    });
    try {
      const sent = await Promise.race([c.sendMessage(item.conversationId, item.reply.text), hung]);
      return sent?.id?._serialized ? { providerMessageId: sent.id._serialized } : {};
    } catch (err) {
      if (err === noAnswer) {
        // A browser that does not answer holds the channel: it is replaced, and the send is retried
        // on the new one (it may have gone out late: a possible duplicate, as after a crash).
        logger.error({ channel: id, outboxId: item.id }, 'whatsapp-web: a send got no answer; restarting the client (the retry may duplicate it)');
        restart(c, 'send timeout');
        throw err;
      }
      throw sendError(id, err);
    } finally {
      clearTimeout(timeout);
    }
  };
  const lane = ctx.delivery.lane(ctx, {
    transport,
    limits: { maxConcurrent: 1, minTimeMs: options.minTimeMs, perRecipientMinTimeMs: options.perRecipientMinTimeMs },
    retry: options.retry,
    // First-response SLA: the instant the provider accepted the reply (a no-op until the SLA engine is attached).
    ...(hooks.onSent ? { onSent: hooks.onSent } : {}),
  });
  const worker = lane.worker;
  // Nothing is sent until the client is ready.
  void worker.stop();

  const saveMedia = async (msg: WwebMessage): Promise<Attachment | 'too-large' | undefined> => {
    const media = await msg.downloadMedia?.();
    if (!media) return undefined;
    const bytes = Buffer.from(media.data, 'base64');
    if (bytes.length > options.maxMediaBytes) return 'too-large';
    const ext = EXT[media.mimetype.split(';')[0]!.trim()] ?? '.bin';
    const rel = join('attachments', id, `${msg.id._serialized.replace(/[^\w-]/g, '_').slice(0, 120)}${ext}`);
    await mkdir(join(ctx.dataDir, 'attachments', id), { recursive: true });
    await writeFile(join(ctx.dataDir, rel), bytes);
    return {
      kind: msg.type === 'image' ? 'image' : 'document',
      ref: rel,
      mimeType: media.mimetype,
      sizeBytes: bytes.length,
      ...(media.filename ? { fileName: media.filename } : {}),
    };
  };

  const handleInbound = async (msg: InboundMessage, wmsg: WwebMessage): Promise<void> => {
    try {
      if (wmsg.hasMedia && (wmsg.type === 'image' || wmsg.type === 'document')) {
        const a = await saveMedia(wmsg).catch((err: unknown) => {
          logger.warn({ channel: id, error: (err as Error).name }, 'media download failed');
          return undefined;
        });
        if (a === 'too-large') {
          await lane.replyNotice(msg, 'unsupported');
          return;
        }
        if (a) msg = { ...msg, attachments: [a] };
      }
      await lane.receive(msg);
    } catch (err) {
      logger.error({ channel: id, error: (err as Error).name }, 'inbound message processing failed');
    }
  };

  /** The `message` listener: residents' direct messages only. */
  const onMessage = (m: WwebMessage): void => {
    try {
      if (!m || typeof m.from !== 'string' || typeof m.id?._serialized !== 'string' || typeof m.type !== 'string') {
        logger.warn({ channel: id }, 'malformed message event ignored');
        return;
      }
      if (m.fromMe || m.id.fromMe) return; // never answer ourselves
      if (m.isStatus || m.broadcast || m.from === 'status@broadcast' || m.from.endsWith('@broadcast')) return;
      if (m.from.endsWith('@g.us') || m.from.endsWith('@newsletter')) return; // groups and channels: not a service channel
      if (SYSTEM_TYPES.has(m.type)) return;
      const user = m.from.endsWith('@c.us') ? m.from.slice(0, -'@c.us'.length) : undefined;
      const base: InboundMessage = {
        channel: id,
        conversationId: m.from,
        id: m.id._serialized,
        receivedAt: clock.now(),
        raw: null,
        text: '',
        from: { id: m.from, ...(user && /^\d{5,20}$/.test(user) ? { phone: `+${user}` } : {}) },
      };
      if (m.type === 'location' && m.location) {
        const lat = Number(m.location.latitude);
        const lng = Number(m.location.longitude);
        const label = m.location.name ?? m.location.address ?? m.location.description;
        if (Number.isFinite(lat) && Number.isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) {
          base.location = { latitude: lat, longitude: lng, ...(label ? { label: label.split('\n')[0]! } : {}) };
        }
      }
      const supported = TEXT_TYPES.has(m.type) || (m.type === 'location' && base.location) || m.type === 'image' || m.type === 'document';
      if (!supported) {
        logger.info({ channel: id, type: m.type }, 'unsupported message type');
        void lane.replyNotice(base, 'unsupported').catch((err: unknown) => {
          logger.error({ channel: id, error: (err as Error).name }, 'message event failed');
        });
        return;
      }
      const msg: InboundMessage = { ...base, text: typeof m.body === 'string' && m.type !== 'location' ? m.body : '' };
      // Accepted first (synchronously on SQLite), then handled; tracked from now on.
      const p = (async () => {
        if (await lane.accept(msg)) await handleInbound(msg, m);
      })();
      pending.add(p);
      void p.finally(() => pending.delete(p));
    } catch (err) {
      logger.error({ channel: id, error: (err as Error).name }, 'message event failed');
    }
  };

  const connect = async (): Promise<void> => {
    if (state === 'stopped') return;
    state = 'connecting';
    const c = await factory({ dataPath: sessionDir(ctx.dataDir), clientId: options.sessionId, executablePath: ctx.env.CHROMIUM_PATH ?? options.chromiumPath });
    client = c;
    c.on('qr', (qr) => {
      state = 'qr';
      qrcode.generate(qr, { small: true }, (art) => terminal(art));
      logger.warn({ channel: id }, 'whatsapp-web: scan the QR code shown in the terminal with the pilot phone (Linked devices)');
    });
    c.on('ready', () => {
      state = 'ready';
      attempts = 0;
      logger.info({ channel: id }, 'whatsapp-web: connected');
      worker.start();
    });
    c.on('auth_failure', () => {
      logger.error({ channel: id }, 'whatsapp-web: authentication failed; the session will be re-linked by QR code');
    });
    c.on('disconnected', (reason) => restart(c, String(reason)));
    c.on('message', onMessage);
    await c.initialize();
  };
  /** Replaces client `c` (disconnected, or hung on a send) by a new one after the back-off; the queue waits meanwhile. */
  const restart = (c: WwebClient, reason: string): void => {
    if (client !== c || state === 'stopped' || state === 'disconnected') return;
    state = 'disconnected';
    void worker.stop();
    const delay = Math.min(options.reconnect.maxMs, options.reconnect.baseMs * 2 ** attempts++);
    logger.warn({ channel: id, reason: reason.slice(0, 40), reconnectInMs: delay }, 'whatsapp-web: disconnected');
    timer = setTimeout(() => {
      void c
        .destroy()
        .catch(() => undefined)
        .then(() => reconnect());
    }, delay);
  };
  const reconnect = async (): Promise<void> => {
    try {
      await connect();
    } catch (err) {
      logger.error({ channel: id, error: (err as Error).name }, 'whatsapp-web: connection failed');
      if (state === 'stopped') return;
      const delay = Math.min(options.reconnect.maxMs, options.reconnect.baseMs * 2 ** attempts++);
      timer = setTimeout(() => void reconnect(), delay);
    }
  };

  const idle = async (): Promise<void> => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  return {
    id,
    outbox: lane.outbox,
    worker,
    idle,
    get state() {
      return state;
    },
    async start() {
      state = 'connecting';
      await lane.recover();
      void reconnect();
    },
    async stop() {
      state = 'stopped';
      if (timer) clearTimeout(timer);
      await idle();
      await worker.stop();
      await client?.destroy().catch(() => undefined);
      client = undefined;
    },
    async send(conversationId, replies) {
      await lane.send(conversationId, replies);
    },
  };
}

/** The `whatsapp-web` channel type (pilot). */
export const whatsappWeb = defineChannel(whatsappWebOptions, (ctx, options) => createWhatsAppWeb(ctx, options));
