/**
 * The alternative inbound: an SMTP relay target (smtp-server). The Governorate's MTA forwards
 * helpdesk mail to it; a message is answered `250` only after it was ingested (claimed and its
 * replies queued), so an MTA retry after a crash is deduplicated by Message-ID. Oversized mail gets
 * `552`, unknown recipients `550`, failures `451` (the MTA retries). Authentication (AUTH PLAIN/LOGIN)
 * is required when `TAWASUL_SMTP_RELAY_USER` / `TAWASUL_SMTP_RELAY_PASSWORD` are set; STARTTLS is
 * offered when `TAWASUL_SMTP_RELAY_TLS_KEY_FILE` / `_CERT_FILE` name a key and certificate.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { Logger } from '../../bot/core/logger.js';
import { AddressLimiter } from '../../bot/security/address-limiter.js';
import { securitySettings } from '../../bot/security/settings.js';
import type { IngestResult } from './inbound.js';

/** Settings of the relay. */
export interface RelaySettings {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Recipients accepted (lower case); others get 550. */
  recipients: string[];
}

const same = (a: string, b: string): boolean => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** An SMTP error with its reply code. */
function smtpReply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** The SMTP relay inbound of one channel. */
export class SmtpRelay {
  private server: SMTPServer | undefined;

  constructor(
    private readonly channel: string,
    private readonly settings: RelaySettings,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
    private readonly ingest: (source: Buffer) => Promise<IngestResult>,
  ) {}

  /** Listens; returns the bound port. */
  async start(): Promise<number> {
    const user = this.env.TAWASUL_SMTP_RELAY_USER;
    const password = this.env.TAWASUL_SMTP_RELAY_PASSWORD ?? '';
    const keyFile = this.env.TAWASUL_SMTP_RELAY_TLS_KEY_FILE;
    const certFile = this.env.TAWASUL_SMTP_RELAY_TLS_CERT_FILE;
    const tls = keyFile && certFile ? { key: readFileSync(keyFile), cert: readFileSync(certFile) } : undefined;
    const recipients = new Set(this.settings.recipients.map((r) => r.toLowerCase()));
    // Hostile clients: connections per address are rate-limited, idle sessions dropped after 30 s.
    const perAddress = new AddressLimiter(securitySettings(this.env).perAddress);
    const options: SMTPServerOptions = {
      banner: 'Tawasul helpdesk relay',
      closeTimeout: 2000,
      maxClients: 100,
      socketTimeout: 30_000,
      onConnect: (session, cb) => {
        if (perAddress.hit(session.remoteAddress ?? 'unknown') === 0) return cb();
        return cb(smtpReply(421, 'Too many connections from this address, try again later'));
      },
      // The MTA is known; a reverse DNS lookup per connection only adds latency.
      disableReverseLookup: true,
      size: this.settings.maxMessageBytes,
      logger: false,
      disabledCommands: [...(user ? [] : ['AUTH']), ...(tls ? [] : ['STARTTLS'])],
      authOptional: !user,
      authMethods: ['PLAIN', 'LOGIN'],
      // Without TLS the relay belongs on loopback or the MTA's private network (documented).
      allowInsecureAuth: !tls,
      ...(tls ?? {}),
      onAuth: (auth, _session, cb) => {
        if (user && same(auth.username ?? '', user) && same(auth.password ?? '', password)) return cb(null, { user: 'mta' });
        this.logger.warn({ channel: this.channel }, 'SMTP relay: authentication refused');
        return cb(smtpReply(535, 'Authentication failed'));
      },
      onRcptTo: (address, _session, cb) => {
        if (recipients.size === 0 || recipients.has(address.address.toLowerCase())) return cb();
        return cb(smtpReply(550, 'No such recipient here'));
      },
      onData: (stream, _session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (err) => cb(err));
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            this.logger.info({ channel: this.channel }, 'SMTP relay: message over the size limit refused');
            return cb(smtpReply(552, `Message exceeds the fixed maximum message size (${this.settings.maxMessageBytes} bytes)`));
          }
          this.ingest(Buffer.concat(chunks)).then(
            (result) => cb(null, `Accepted (${result})`),
            (err: unknown) => {
              this.logger.error({ channel: this.channel, error: (err as Error)?.name }, 'SMTP relay: ingestion failed');
              cb(smtpReply(451, 'Temporary failure, try again later'));
            },
          );
        });
      },
    };
    const server = new SMTPServer(options);
    server.on('error', (err: Error) => this.logger.warn({ channel: this.channel, error: err?.name }, 'SMTP relay error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.settings.port, this.settings.host, () => resolve());
    });
    this.server = server;
    const port = (server.server.address() as AddressInfo).port;
    this.logger.info({ channel: this.channel, port, auth: Boolean(user), tls: Boolean(tls) }, 'SMTP relay listening');
    return port;
  }

  /** Stops accepting and closes open sessions. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
