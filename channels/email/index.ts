/**
 * E-mail to helpdesk@bur.gov.om. Inbound over IMAP (imapflow, IDLE, UIDVALIDITY/UID cursor) or as
 * an SMTP relay target (smtp-server), or both; every message is claimed once by its Message-ID.
 * Replies go out with nodemailer over SMTP, in the resident's thread, through the durable outbox
 * and a bottleneck limiter sized to the SMTP server's limits. Credentials come from the
 * environment: `TAWASUL_IMAP_URL`, `TAWASUL_SMTP_URL`, and for the relay `TAWASUL_SMTP_RELAY_*`.
 * The mailbox is read by one instance at a time, the one holding the lease `imap:<user>@<host>/<mailbox>`;
 * the SMTP limit is a provider quota shared by the instances sending from the address.
 */
import nodemailer from 'nodemailer';
import type { InboundMessage, OutboundReply } from '../../bot/core/types.js';
import type { OutboxWorker } from '../../bot/delivery/outbox-worker.js';
import type { OutboxStore } from '../../bot/delivery/types.js';
import { parseSmtpUrl, smtpTransportOptions } from '../../bot/notify/smtp.js';
import { jobFences } from '../../bot/scale/job-fence.js';
import { LeasedJob } from '../../bot/scale/leased-job.js';
import { type ChannelAdapter, type ChannelContext, defineChannel } from '../types.js';
import { ImapInbound, imapFromUrl } from './imap.js';
import { type IngestResult, ingest } from './inbound.js';
import { type EmailOptions, emailOptions } from './options.js';
import { emailPostgresMigrations, PostgresEmailCursors, PostgresEmailStore } from './postgres-store.js';
import { SmtpRelay } from './relay.js';
import { type EmailCursors, type EmailStore, emailMigrations, SqliteEmailCursors, SqliteEmailStore } from './store.js';
import { type EmailMeta, emailTransport } from './transport.js';

export { type EmailOptions, emailOptions } from './options.js';

/** The running adapter, with what tests and the lead's wiring need. */
export interface EmailAdapter extends ChannelAdapter {
  readonly worker: OutboxWorker;
  readonly outbox: OutboxStore;
  readonly store: EmailStore;
  /** The IMAP positions (on PostgreSQL when the instance runs on it). */
  readonly cursors: EmailCursors;
  readonly imap: ImapInbound | undefined;
  /** The IMAP reader under the mailbox's lease (undefined when IMAP is off). */
  readonly reading: LeasedJob | undefined;
  /** The relay's bound port once started (0 when the relay is off). */
  readonly relayPort: number;
  /** Ingests one RFC 822 message (what IMAP and the relay call). */
  ingest(source: Buffer, opts?: { truncated?: boolean }): Promise<IngestResult>;
  /** Queues the replies of messages accepted or claimed before a crash (called by `start`). */
  recover(): Promise<number>;
}

/** nodemailer SMTP options from `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://...:465` (the one parser). */
export function smtpFromUrl(url: string, timeoutMs: number): nodemailer.TransportOptions {
  const server = parseSmtpUrl(url);
  if (!server) throw new Error('TAWASUL_SMTP_URL must start with smtp:// or smtps://');
  return smtpTransportOptions(server, timeoutMs);
}

/** Builds the e-mail adapter. */
export function createEmailAdapter(ctx: ChannelContext, options: EmailOptions): EmailAdapter {
  const id = ctx.channel.id;
  const missing = ['TAWASUL_SMTP_URL', ...(options.imap.enabled ? ['TAWASUL_IMAP_URL'] : [])].filter((n) => !ctx.env[n]);
  if (missing.length) throw new Error(`e-mail channel "${id}": missing environment variables ${missing.join(', ')}`);
  const own = new Set([options.address, ...options.aliases].map((a) => a.toLowerCase()));
  const store: EmailStore = ctx.postgres ? new PostgresEmailStore(ctx.postgres, id) : new SqliteEmailStore(ctx.sql, id);
  const cursors: EmailCursors = ctx.postgres ? new PostgresEmailCursors(ctx.postgres, id) : new SqliteEmailCursors(ctx.sql, id);
  const transporter = nodemailer.createTransport(smtpFromUrl(ctx.env.TAWASUL_SMTP_URL!, options.smtpTimeoutMs));

  /** Delivery meta of a message claimed outside `receive` (recovery), from what the store kept of it. */
  const metaOf = async (msg: InboundMessage): Promise<EmailMeta | Record<string, never>> => {
    const head = await store.latestInbound(msg.conversationId);
    const to = msg.from.email ?? head?.replyTo;
    if (!to) return {};
    const synthetic = msg.id.startsWith('sha256:');
    return { to, subject: head?.subject ?? '', references: head?.references ?? [], ...(synthetic ? {} : { inReplyTo: msg.id }) };
  };
  const lane = ctx.delivery.lane(ctx, {
    retry: options.retry,
    pollMs: options.workerPollMs,
    limits: {
      maxConcurrent: options.limits.maxConcurrent,
      minTimeMs: options.limits.minTimeMs,
      reservoir: { amount: options.limits.perMinute, refreshMs: 60_000 },
      account: options.address.toLowerCase(),
    },
    recipientOf: (item) => (typeof item.meta.to === 'string' ? item.meta.to : item.conversationId),
    transport: emailTransport({
      channel: id,
      transporter,
      from: { name: options.fromName, address: options.address },
      store,
      clock: ctx.clock,
      logger: ctx.logger,
      fallbackSubject: options.fallbackSubject,
    }),
    metaOf: async (msg) => ({ ...(await metaOf(msg)) }),
  });
  // Replies of one IMAP sync are queued first and sent after it, so a burst goes out by deadline.
  const batch = lane.deferKicks();
  const flush = batch.flush;
  const ingestOne = (source: Buffer, opts: { truncated?: boolean } = {}): Promise<IngestResult> =>
    ingest({ ctx, store, own, maxAttachmentBytes: options.maxAttachmentBytes, deliver: (msg, meta) => batch.receive(msg, { ...meta }) }, source, opts);

  const imapConnection = options.imap.enabled ? imapFromUrl(ctx.env.TAWASUL_IMAP_URL!) : undefined;
  const imap = imapConnection
    ? new ImapInbound(
        id,
        imapConnection,
        {
          mailbox: options.imap.mailbox,
          syncSeconds: options.imap.syncSeconds,
          idleDelayMs: options.imap.idleDelayMs,
          maxMessageBytes: options.imap.maxMessageBytes,
          ...(options.imap.moveTo ? { moveTo: options.imap.moveTo } : {}),
        },
        cursors,
        ctx.clock,
        ctx.logger,
        ingestOne,
        flush,
      )
    : undefined;
  // One instance at a time reads the mailbox; another takes over when it dies.
  const reading =
    imap && imapConnection
      ? new LeasedJob(
          ctx.scale,
          ctx.clock,
          `imap:${`${imapConnection.user}@${imapConnection.host}`.toLowerCase()}/${options.imap.mailbox}`,
          imap,
          ctx.logger,
          id,
          jobFences(ctx),
        )
      : undefined;
  const relay = options.relay.enabled
    ? new SmtpRelay(
        id,
        {
          host: options.relay.host,
          port: options.relay.port,
          maxMessageBytes: options.relay.maxMessageBytes,
          recipients: options.relay.recipients ?? [...own],
        },
        ctx.env,
        ctx.logger,
        async (source) => {
          const result = await ingestOne(source);
          flush();
          return result;
        },
      )
    : undefined;

  const recover = (): Promise<number> => lane.recover();
  let relayPort = 0;

  return {
    id,
    worker: lane.worker,
    outbox: lane.outbox,
    store,
    cursors,
    imap,
    reading,
    recover,
    ingest: ingestOne,
    get relayPort() {
      return relayPort;
    },
    async start() {
      await lane.start();
      if (relay) relayPort = await relay.start();
      await reading?.start();
      ctx.logger.info({ channel: id, imap: Boolean(imap), relay: Boolean(relay) }, 'e-mail channel started');
    },
    async stop() {
      await reading?.stop();
      await relay?.stop();
      await lane.stop();
      transporter.close();
    },
    async send(conversationId: string, replies: OutboundReply[]) {
      const head = await store.latestInbound(conversationId);
      if (!head) {
        ctx.logger.warn({ channel: id }, 'no e-mail thread known for the conversation; reply not queued');
        return;
      }
      const synthetic = head.messageId.startsWith('sha256:');
      const meta: EmailMeta = { to: head.replyTo, subject: head.subject, references: head.references, ...(synthetic ? {} : { inReplyTo: head.messageId }) };
      await lane.send(conversationId, replies, { ...meta });
    },
  };
}

/** The e-mail channel definition (registry key `email`). */
export const email = defineChannel(
  emailOptions,
  (ctx, options) => createEmailAdapter(ctx, options),
  [{ module: 'email', migrations: emailMigrations }],
  emailPostgresMigrations,
);
