/**
 * Inbound from the helpdesk mailbox over IMAP (imapflow): selects the mailbox, fetches every UID
 * above the stored one (UIDVALIDITY and the last UID processed are kept in SQL), ingests each mail
 * in UID order, flags it `\Seen` (or moves it) and only then advances the cursor. IDLE (imapflow's
 * `exists` event) triggers a fetch at once; a periodic sync covers missed notifications. When
 * UIDVALIDITY changes, the mailbox is re-read from its unseen mail; the inbox claim by Message-ID
 * keeps already answered mail from being answered again. Reconnects with back-off.
 */
import { ImapFlow } from 'imapflow';
import type { Logger } from '../../bot/core/logger.js';
import type { Clock } from '../../bot/engine/context.js';
import { type Fence, FencedOutError } from '../../bot/scale/job-fence.js';
import type { IngestResult } from './inbound.js';
import type { EmailCursors } from './store.js';

/** Where and how to reach the mailbox. */
export interface ImapConnection {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
}

/** Parses `imap://user:pass@host:143` or `imaps://user:pass@host:993` (user and password URL-encoded). */
export function imapFromUrl(url: string): ImapConnection {
  const u = new URL(url);
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:') throw new Error('TAWASUL_IMAP_URL must start with imap:// or imaps://');
  const secure = u.protocol === 'imaps:';
  return { host: u.hostname, port: Number(u.port || (secure ? 993 : 143)), secure, user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) };
}

/** Settings of the IMAP inbound. */
export interface ImapSettings {
  mailbox: string;
  /** Move processed mail here instead of only flagging it `\Seen`. */
  moveTo?: string;
  syncSeconds: number;
  idleDelayMs: number;
  maxMessageBytes: number;
}

/** The IMAP inbound of one channel. */
export class ImapInbound {
  private client: ImapFlow | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopping = false;
  private fence: Fence | undefined;

  constructor(
    private readonly channel: string,
    private readonly conn: ImapConnection,
    private readonly settings: ImapSettings,
    private readonly store: EmailCursors,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly ingest: (source: Buffer, opts: { truncated?: boolean }) => Promise<IngestResult>,
    /** Called after each sync that handed messages over (the adapter kicks its worker). */
    private readonly afterSync: () => void = () => undefined,
  ) {}

  /** Connects, syncs, and keeps watching (IDLE + periodic sync); `fence` guards the cursor writes (a LeasedJob's epoch). */
  async start(fence?: Fence): Promise<void> {
    this.fence = fence;
    this.stopping = false;
    await this.connect();
    this.timer = setInterval(() => void this.sync().catch(() => undefined), this.settings.syncSeconds * 1000);
    this.timer.unref();
  }

  /** Logs out and stops watching. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.chain.catch(() => undefined);
    const c = this.client;
    this.client = undefined;
    if (c?.usable) await c.logout().catch(() => c.close());
    else c?.close();
  }

  private async connect(): Promise<void> {
    const client = new ImapFlow({
      host: this.conn.host,
      port: this.conn.port,
      secure: this.conn.secure,
      auth: { user: this.conn.user, pass: this.conn.pass },
      logger: false,
      autoIdleDelay: this.settings.idleDelayMs,
      maxIdleTime: this.settings.syncSeconds * 1000,
      clientInfo: { name: 'Tawasul' },
    });
    client.on('error', (err: Error) =>
      this.logger.warn({ channel: this.channel, error: err?.name, code: (err as { code?: string })?.code }, 'IMAP connection error'),
    );
    client.on('exists', () => void this.sync().catch(() => undefined));
    client.on('close', () => {
      if (this.client === client) this.client = undefined;
      if (!this.stopping) this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.mailboxOpen(this.settings.mailbox);
      this.client = client;
      this.failures = 0;
      this.logger.info({ channel: this.channel, mailbox: this.settings.mailbox }, 'IMAP mailbox opened');
    } catch (err) {
      client.close();
      this.logger.warn({ channel: this.channel, error: (err as Error)?.name, code: (err as { code?: string })?.code }, 'IMAP connect failed');
      if (!this.stopping) this.scheduleReconnect();
      return;
    }
    // A failed sync is logged by the chain and retried on the next IDLE event or reconnect; it must not reject here.
    await this.sync().catch(() => undefined);
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.stopping) return;
    const delay = Math.min(60_000, 1000 * 2 ** this.failures++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  /** Fetches and ingests new mail (serialized); returns how many messages were handed over. */
  sync(): Promise<number> {
    const run = this.chain.then(() => this.syncOnce());
    this.chain = run.catch((err: unknown) => {
      // Another instance reads the mailbox now: stop syncing here (the lease reports the loss too).
      if (err instanceof FencedOutError) this.stopping = true;
      this.logger.warn({ channel: this.channel, error: (err as Error)?.name, code: (err as { code?: string })?.code }, 'IMAP sync failed');
    });
    return run;
  }

  private async syncOnce(): Promise<number> {
    const client = this.client;
    if (!client?.mailbox || this.stopping) return 0;
    const mailbox = this.settings.mailbox;
    // Mail appended by other sessions becomes visible (EXISTS) at a command boundary: NOOP first.
    await client.noop();
    const validity = String(client.mailbox.uidValidity);
    let cursor = await this.store.cursor(mailbox);
    let range: string | { seen: false; uid: string };
    if (!cursor || cursor.uidValidity !== validity) {
      if (cursor)
        this.logger.warn({ channel: this.channel, mailbox }, 'IMAP UIDVALIDITY changed: re-reading unseen mail (answered mail is recognized by Message-ID)');
      cursor = { uidValidity: validity, lastUid: 0 };
      await this.store.setCursor(mailbox, cursor, this.clock.now(), this.fence);
      range = { seen: false, uid: '1:*' };
    } else range = `${cursor.lastUid + 1}:*`;
    const found = await client.fetchAll(range, { uid: true, size: true }, { uid: true });
    const fresh = found.filter((m) => m.uid > cursor.lastUid).sort((a, b) => a.uid - b.uid);
    let handed = 0;
    for (const m of fresh) {
      if (this.stopping || this.client !== client) break;
      const truncated = (m.size ?? 0) > this.settings.maxMessageBytes;
      const one = await client.fetchOne(
        String(m.uid),
        { uid: true, source: truncated ? { start: 0, maxLength: this.settings.maxMessageBytes } : true },
        { uid: true },
      );
      const source = one ? one.source : undefined;
      const result = source ? await this.ingest(source, { truncated }) : 'unreadable';
      if (result === 'answered' || result === 'duplicate') handed++;
      if (this.settings.moveTo) await client.messageMove(String(m.uid), this.settings.moveTo, { uid: true });
      else await client.messageFlagsAdd(String(m.uid), ['\\Seen'], { uid: true });
      await this.store.setCursor(mailbox, { uidValidity: validity, lastUid: m.uid }, this.clock.now(), this.fence);
    }
    if (handed > 0) this.afterSync();
    return handed;
  }
}
