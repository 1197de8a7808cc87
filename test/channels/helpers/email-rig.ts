/**
 * The e-mail adapter on a temp data directory with a real SMTP sink for its replies, and the
 * contract harnesses: inbound through the SMTP relay (mail sent with nodemailer over loopback) or
 * through IMAP (mail appended to a dovecot mailbox).
 */

import type { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { createEmailAdapter, type EmailAdapter, emailOptions } from '../../../channels/email/index.js';
import { ManualClock, tempDir } from '../../helpers/tmp.js';
import type { AdapterHarness } from '../adapter-contract.js';
import { type ChannelTestContext, channelContext } from './channel-context.js';
import { rawMail } from './mail-fixtures.js';
import { SmtpSink } from './smtp-sink.js';
import { drainWorker } from './worker-drain.js';

/** One adapter instance (restartable) on one data directory, with its SMTP sink. */
export class EmailRig {
  readonly clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
  readonly tmp = tempDir('tawasul-email-');
  readonly logs: string[] = [];
  adapter!: EmailAdapter;
  tctx!: ChannelTestContext;

  private constructor(
    readonly sink: SmtpSink,
    private readonly env: NodeJS.ProcessEnv,
    private readonly options: Record<string, unknown>,
    private readonly manual: boolean,
  ) {}

  /** Builds and starts the adapter; `manual`: sends happen only in `drain` (the worker's kick is disabled). */
  static async start(opts: { imapUrl?: string; options?: Record<string, unknown>; manual?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<EmailRig> {
    const sink = await SmtpSink.start();
    const env = { TAWASUL_SMTP_URL: sink.url, ...(opts.imapUrl ? { TAWASUL_IMAP_URL: opts.imapUrl } : {}), ...opts.env };
    const rig = new EmailRig(sink, env, opts.options ?? {}, opts.manual ?? false);
    await rig.boot();
    return rig;
  }

  private async boot(): Promise<void> {
    this.tctx = channelContext({ channelId: 'email', dataDir: this.tmp.dir, clock: this.clock, env: this.env, logs: this.logs });
    const base = { retry: { baseMs: 1000, maxMs: 60_000, maxAttempts: 5 }, workerPollMs: 60_000, imap: { enabled: false } };
    this.adapter = createEmailAdapter(this.tctx.ctx, emailOptions.parse({ ...this.tctx.ctx.channel.options, ...base, ...this.options }));
    if (this.manual) (this.adapter.worker as { kick(): void }).kick = () => undefined;
    await this.adapter.start!();
  }

  /** Sends everything due now; waits for the sink's captures. */
  async drain(): Promise<void> {
    await this.adapter.imap?.sync();
    await drainWorker(this.adapter.worker);
    await this.sink.settled();
  }

  async restart(): Promise<void> {
    await this.adapter.stop!();
    await this.tctx.close();
    await this.boot();
  }

  async close(): Promise<void> {
    await this.adapter.stop!().catch(() => undefined);
    await this.tctx.close().catch(() => undefined);
    await this.sink.stop();
    this.tmp.cleanup();
  }
}

/** Sends a raw message to the relay over SMTP; resolves with the relay's answer. */
export async function sendToRelay(port: number, raw: Buffer, opts: { to?: string; auth?: { user: string; pass: string } } = {}): Promise<string> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, ...(opts.auth ? { auth: opts.auth } : {}) });
  try {
    const info = await t.sendMail({ envelope: { from: 'resident@residents.example', to: [opts.to ?? 'helpdesk@bur.gov.om'] }, raw });
    return info.response;
  } finally {
    t.close();
  }
}

const LIMITS = { maxConcurrent: 1, minTimeMs: 0, reservoir: { amount: 10, refreshMs: 60_000 } };
const RIG_OPTIONS = { limits: { perMinute: 10, maxConcurrent: 1, minTimeMs: 0 } };

/** A contract harness over the SMTP relay (`relay`) or a dovecot mailbox (`imap`, with `admin` appending). */
export async function emailHarness(kind: 'relay' | 'imap', imap?: { url: string; admin: ImapFlow; mailbox: string }): Promise<AdapterHarness> {
  if (kind === 'imap') await imap!.admin.mailboxCreate(imap!.mailbox);
  const rig = await EmailRig.start({
    manual: true,
    ...(imap ? { imapUrl: imap.url } : {}),
    options: {
      ...RIG_OPTIONS,
      ...(kind === 'relay' ? { relay: { enabled: true, port: 0 } } : { imap: { enabled: true, mailbox: imap!.mailbox, syncSeconds: 3600, idleDelayMs: 50 } }),
    },
  });
  const deliver = async (raw: Buffer): Promise<object> => {
    if (kind === 'relay') await sendToRelay(rig.adapter.relayPort, raw);
    else await imap!.admin.append(imap!.mailbox, raw);
    return {};
  };
  const mail = (providerId: string, text: string, from: string, headers: Record<string, string> = {}): Buffer =>
    rawMail({ messageId: `${providerId}@residents.example`, from: `Resident ${from} <${from}@residents.example>`, subject: '', text, headers });
  return {
    channelId: 'email',
    clock: rig.clock,
    limits: LIMITS,
    get engine() {
      return rig.tctx.ctx.engine;
    },
    get outbox() {
      return rig.adapter.outbox;
    },
    get received() {
      return rig.tctx.received;
    },
    logs: rig.logs,
    deliverText: (providerId, text, from) => deliver(mail(providerId, text, from)),
    // Not a message at all: no header block, binary noise.
    deliverMalformed: () => deliver(Buffer.from('\u0000\u0001 not an e-mail \u00ff\r\n\r\n', 'latin1')),
    // An out-of-office auto-reply (RFC 3834): never answered.
    deliverUnsupported: (providerId, from) => deliver(mail(providerId, 'I am out of the office until Sunday.', from, { 'Auto-Submitted': 'auto-replied' })),
    drain: () => rig.drain(),
    sent: () => rig.sink.sent(),
    failNext: (n, mode) => rig.sink.failNext(n, mode),
    restart: () => rig.restart(),
    close: () => rig.close(),
  };
}
