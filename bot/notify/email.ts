/** E-mail through nodemailer (SMTP); Arabic mail is rendered right-to-left. */
import nodemailer, { type Transporter } from 'nodemailer';
import type { SlaConfig } from '../../config/sla-schema.js';
import type { Language } from '../core/types.js';
import { DeliveryError, type EmailMessage, type EmailSender, type SendResult } from './types.js';
import { fromEnv } from './types.js';

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
  const url = smtpUrl(env.TAWASUL_SMTP_URL);
  const host = fromEnv(env, cfg.env.host) ?? (cfg.host || url?.hostname);
  const from = fromEnv(env, cfg.env.from) ?? cfg.from;
  const port = Number(fromEnv(env, cfg.env.port) ?? (url?.port || (url ? (url.protocol === 'smtps:' ? 465 : 587) : cfg.port)));
  if (!host || !from || !Number.isInteger(port) || port <= 0) return undefined;
  const user = fromEnv(env, cfg.env.user) ?? (url?.username ? decodeURIComponent(url.username) : undefined);
  const pass = fromEnv(env, cfg.env.pass) ?? (url?.password ? decodeURIComponent(url.password) : undefined);
  const secure = url && !fromEnv(env, cfg.env.host) ? url.protocol === 'smtps:' : cfg.secure;
  return { host, port, from, secure, requireTls: cfg.requireTls, timeoutMs: cfg.timeoutMs, ...(user ? { user } : {}), ...(pass ? { pass } : {}) };
}

function smtpUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const u = new URL(value);
    return u.protocol === 'smtp:' || u.protocol === 'smtps:' ? u : undefined;
  } catch {
    return undefined;
  }
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The HTML part of a notification: paragraphs of `text`, links made clickable, `dir="rtl"` for Arabic. */
export function renderEmailHtml(subject: string, text: string, language: Language): string {
  const dir = language === 'ar' ? 'rtl' : 'ltr';
  const align = dir === 'rtl' ? 'right' : 'left';
  const paragraphs = text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => escapeHtml(p.trim()).replace(/https?:\/\/[^\s<&]+/g, (u) => `<a href="${u}" dir="ltr">${u}</a>`).replace(/\n/g, '<br>'))
    .map((p) => `<p style="margin:0 0 1em 0">${p}</p>`)
    .join('\n');
  return [
    '<!doctype html>',
    `<html lang="${language}" dir="${dir}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    `<body dir="${dir}" style="direction:${dir};text-align:${align};font-family:Tahoma,Arial,sans-serif;font-size:15px;line-height:1.7">`,
    paragraphs,
    '</body>',
    '</html>',
  ].join('\n');
}

interface SmtpError { code?: string; responseCode?: number; message?: string }

/** True when trying again later may succeed (connection trouble, 4xx), false for a refused recipient or message (5xx). */
function retryable(e: SmtpError): boolean {
  if (typeof e.responseCode === 'number') return e.responseCode < 500;
  return e.code !== 'EENVELOPE' && e.code !== 'EMESSAGE';
}

/** Sends e-mail over SMTP with nodemailer (one pooled transport). */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: Transporter;

  constructor(private readonly settings: EmailSettings) {
    this.transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireTls,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      ...(settings.user ? { auth: { user: settings.user, pass: settings.pass ?? '' } } : {}),
    });
  }

  /** Sends one message; throws DeliveryError (retryable unless the server refused it for good). */
  async send(msg: EmailMessage): Promise<SendResult> {
    try {
      const info = (await this.transport.sendMail({
        from: this.settings.from,
        to: msg.to,
        subject: msg.subject,
        text: msg.text,
        html: renderEmailHtml(msg.subject, msg.text, msg.language),
        headers: { 'Content-Language': msg.language, ...(msg.tag ? { 'X-Tawasul-Notification': msg.tag } : {}) },
      })) as { messageId?: string; rejected?: unknown[] };
      if (Array.isArray(info.rejected) && info.rejected.length > 0) throw new DeliveryError('recipient rejected', false, 'rejected');
      return info.messageId ? { providerId: info.messageId } : {};
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const e = err as SmtpError;
      throw new DeliveryError(`smtp: ${e.code ?? 'error'} ${e.responseCode ?? ''}`.trim(), retryable(e), e.responseCode ?? e.code, { cause: err });
    }
  }

  /** Closes the SMTP transport. */
  close(): void {
    this.transport.close();
  }
}
