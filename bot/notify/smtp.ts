/**
 * The one SMTP module of Tawasul: the `TAWASUL_SMTP_URL` parser, the SMTP error policy and the
 * e-mail HTML renderer, used by the notification e-mail (`email.ts`) and the e-mail channel
 * (`channels/email/transport.ts`) alike.
 */
import type nodemailer from 'nodemailer';
import type { Language } from '../core/types.js';

/** An SMTP server named by a URL: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
export interface SmtpServer {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
}

/** Parses `smtp[s]://user:pass@host[:port]`; undefined for anything else (including a malformed URL). */
export function parseSmtpUrl(value: string | undefined): SmtpServer | undefined {
  if (!value) return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') return undefined;
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: Number(u.port || (secure ? 465 : 587)),
    secure,
    ...(u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : {}),
  };
}

/** nodemailer options for a server, every timeout set to `timeoutMs`. */
export function smtpTransportOptions(s: SmtpServer & { requireTls?: boolean }, timeoutMs: number): nodemailer.TransportOptions {
  return {
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.requireTls ? { requireTLS: true } : {}),
    ...(s.user ? { auth: { user: s.user, pass: s.pass ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as nodemailer.TransportOptions;
}

/** What the SMTP error policy says about a failed send. */
export interface SmtpFailure {
  /** Trying later may succeed. */
  retryable: boolean;
  /** The server never answered (connection, DNS, TLS, timeout). */
  network: boolean;
  /** The SMTP reply code, else nodemailer's error code. */
  status?: number | string;
  /** nodemailer's error code (`EAUTH`, `EENVELOPE`…). */
  code?: string;
  /** The server refused our credentials (535, EAUTH). */
  credential: boolean;
  /** First line of the error, at most 200 characters (may quote an address: scrub before storing). */
  text: string;
}

/**
 * The SMTP error policy: 4xx and network failures are retryable, 5xx refusals of a recipient or
 * message permanent. Authentication failures (535, EAUTH) are retryable: they say nothing about the
 * message, an operator fixes them by rotating the credentials, and parking every reply and
 * notification as failed during that window would lose them; the retry policy's attempt limit still
 * ends the retries.
 */
export function classifySmtpError(err: unknown): SmtpFailure {
  const e = (err ?? {}) as { responseCode?: number; code?: string; message?: string };
  const status = e.responseCode ?? e.code;
  const text = `SMTP ${status ?? 'error'}: ${(e.message ?? String(err)).split('\n')[0]!.slice(0, 200)}`;
  const credential = e.responseCode === 535 || e.code === 'EAUTH';
  const base = { text, credential, ...(status !== undefined ? { status } : {}), ...(e.code ? { code: e.code } : {}) };
  if (typeof e.responseCode === 'number') return { ...base, network: false, retryable: e.responseCode < 500 || e.responseCode === 535 };
  if (e.code === 'EAUTH') return { ...base, network: false, retryable: true };
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return { ...base, network: false, retryable: false };
  // Connection, socket, DNS, TLS and timeout failures (and anything unknown): the server never answered.
  return { ...base, network: true, retryable: true };
}

const ARABIC = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/;

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const linkify = (escaped: string): string => escaped.replace(/https?:\/\/[^\s<]+[^\s<.,:;!?)\]'"،]/g, (url) => `<a href="${url}" dir="ltr">${url}</a>`);

/**
 * An e-mail's HTML part: escaped paragraphs with clickable links, each paragraph right-to-left
 * (Arabic) or left-to-right, the document in `language` (`dir="rtl"` for Arabic); `title` from the subject.
 */
export function renderEmailHtml(text: string, language: Language, title?: string): string {
  const dir = language === 'ar' ? 'rtl' : 'ltr';
  const paragraphs = text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => {
      const ar = ARABIC.test(p);
      const body = linkify(escapeHtml(p.trim())).replace(/\n/g, '<br>\n');
      return `<p dir="${ar ? 'rtl' : 'ltr'}" lang="${ar ? 'ar' : 'en'}" style="text-align:${ar ? 'right' : 'left'};margin:0 0 1em 0">${body}</p>`;
    });
  return [
    '<!DOCTYPE html>',
    `<html lang="${language}" dir="${dir}">`,
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">${title !== undefined ? `<title>${escapeHtml(title)}</title>` : ''}</head>`,
    `<body dir="${dir}" style="direction:${dir};text-align:${dir === 'rtl' ? 'right' : 'left'};font-family:Tahoma,Arial,sans-serif;font-size:15px;line-height:1.6">`,
    `<div dir="${dir}" lang="${language}">`,
    ...paragraphs,
    '</div>',
    '</body>',
    '</html>',
  ].join('\n');
}
