/** Notification e-mail through nodemailer (SMTP); server URL, error policy and HTML from `smtp.ts`. */
import nodemailer, { type Transporter } from 'nodemailer';
import type { SlaConfig } from '../../config/sla-schema.js';
import { classifySmtpError, parseSmtpUrl, renderEmailHtml, smtpTransportOptions } from './smtp.js';
import { DeliveryError, type EmailMessage, type EmailSender, fromEnv, type SendResult } from './types.js';

/** The one e-mail HTML renderer (`smtp.ts`), re-exported for callers of this module. */
export { renderEmailHtml };

/** SMTP settings after the environment was applied. */
export interface EmailSettings {
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  from: string;
  timeoutMs: number;
  user?: string;
  pass?: string;
}

/** The SMTP settings from config and environment; undefined when e-mail is disabled or has no host/sender. */
export function resolveEmailSettings(cfg: SlaConfig['notifications']['email'], env: NodeJS.ProcessEnv): EmailSettings | undefined {
  if (!cfg.enabled) return undefined;
  // The e-mail channel's TAWASUL_SMTP_URL (smtp[s]://user:pass@host:port) serves as the default server.
  const url = parseSmtpUrl(env.TAWASUL_SMTP_URL);
  const host = fromEnv(env, cfg.env.host) ?? (cfg.host || url?.host);
  const from = fromEnv(env, cfg.env.from) ?? cfg.from;
  const port = Number(fromEnv(env, cfg.env.port) ?? url?.port ?? cfg.port);
  if (!host || !from || !Number.isInteger(port) || port <= 0) return undefined;
  const user = fromEnv(env, cfg.env.user) ?? url?.user;
  const pass = fromEnv(env, cfg.env.pass) ?? url?.pass;
  const secure = url && !fromEnv(env, cfg.env.host) ? url.secure : cfg.secure;
  return { host, port, from, secure, requireTls: cfg.requireTls, timeoutMs: cfg.timeoutMs, ...(user ? { user } : {}), ...(pass ? { pass } : {}) };
}

/** Sends e-mail over SMTP with nodemailer (one pooled transport). */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: Transporter;

  constructor(private readonly settings: EmailSettings) {
    this.transport = nodemailer.createTransport(smtpTransportOptions(settings, settings.timeoutMs));
  }

  /** Sends one message; throws DeliveryError (retryable unless the server refused it for good). */
  async send(msg: EmailMessage): Promise<SendResult> {
    try {
      const info = (await this.transport.sendMail({
        from: this.settings.from,
        to: msg.to,
        subject: msg.subject,
        text: msg.text,
        html: renderEmailHtml(msg.text, msg.language, msg.subject),
        headers: { 'Content-Language': msg.language, ...(msg.tag ? { 'X-Tawasul-Notification': msg.tag } : {}) },
      })) as { messageId?: string; rejected?: unknown[] };
      if (Array.isArray(info.rejected) && info.rejected.length > 0) throw new DeliveryError('recipient rejected', false, 'rejected');
      return info.messageId ? { providerId: info.messageId } : {};
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      // No server text: it may quote the address, and notification errors are listed to admins.
      const f = classifySmtpError(err);
      throw new DeliveryError(`smtp: ${f.code ?? 'error'} ${typeof f.status === 'number' ? f.status : ''}`.trim(), f.retryable, f.status, {
        cause: err,
        credential: f.credential,
      });
    }
  }

  /** Closes the SMTP transport. */
  close(): void {
    this.transport.close();
  }
}
