/**
 * Outbound e-mail with nodemailer over SMTP: a reply in the resident's thread (`In-Reply-To`,
 * `References`, `Re:` subject), marked `Auto-Submitted: auto-replied` (RFC 3834 §5), as
 * right-to-left HTML for Arabic with a plain-text alternative, from the helpdesk address. SMTP
 * failures map to retryable (4xx, network) or permanent (5xx) outbox errors.
 */
import type { Transporter } from 'nodemailer';
import { ChannelApiError, NetworkError } from '../../bot/core/errors.js';
import type { Logger } from '../../bot/core/logger.js';
import type { OutboundReply } from '../../bot/core/types.js';
import type { OutboxItem, Transport } from '../../bot/delivery/types.js';
import type { Clock } from '../../bot/engine/context.js';
import { classifySmtpError, renderEmailHtml } from '../../bot/notify/smtp.js';
import { isReplySubject } from './parse.js';
import type { EmailStore } from './store.js';

/** Delivery data of a reply, stored with the inbound message. */
export interface EmailMeta {
  /** Recipient address (Reply-To, else From). */
  to: string;
  subject: string;
  /** Message-ID answered (without angle brackets). */
  inReplyTo?: string;
  /** The thread's References, oldest first (without angle brackets). */
  references: string[];
}

/** The reply as HTML (the one e-mail renderer): each paragraph right-to-left (Arabic) or left-to-right. */
export function renderHtml(reply: OutboundReply): string {
  return renderEmailHtml(reply.text, reply.language);
}

/** The subject of a reply: `Re: <original>` (unchanged when it already marks a reply). */
export function replySubject(subject: string, fallback: string): string {
  const s = subject.trim();
  if (!s) return `Re: ${fallback}`;
  return isReplySubject(s) ? s : `Re: ${s}`;
}

/** Maps a nodemailer failure through the one SMTP error policy (`bot/notify/smtp.ts`: 4xx, 535 and network retryable, other 5xx permanent). */
export function smtpError(err: unknown, channel: string): ChannelApiError | NetworkError {
  const f = classifySmtpError(err);
  if (f.network) return new NetworkError(f.text, channel, { cause: err });
  return new ChannelApiError(f.text, channel, typeof f.status === 'number' ? f.status : undefined, f.code, f.retryable, undefined, {
    cause: err,
    credential: f.credential,
  });
}

/** Reads an item's delivery meta; a permanent error when it has no recipient. */
export function emailMetaOf(item: OutboxItem, channel: string): EmailMeta {
  const m = item.meta as Partial<EmailMeta>;
  if (typeof m.to !== 'string' || !m.to.includes('@'))
    throw new ChannelApiError('outbox item has no e-mail recipient', channel, undefined, 'no-recipient', false);
  return {
    to: m.to,
    subject: typeof m.subject === 'string' ? m.subject : '',
    references: Array.isArray(m.references) ? m.references.filter((r) => typeof r === 'string') : [],
    ...(typeof m.inReplyTo === 'string' ? { inReplyTo: m.inReplyTo } : {}),
  };
}

/** What the transport needs. */
export interface EmailTransportDeps {
  channel: string;
  transporter: Transporter;
  from: { name: string; address: string };
  store: EmailStore;
  clock: Clock;
  /** Told when a sent message's Message-ID could not be remembered. */
  logger?: Pick<Logger, 'warn'>;
  /** Subject used when the resident's message had none. */
  fallbackSubject: string;
}

/** The e-mail transport: one outbox item, one message; its Message-ID is derived from the item, so a retry reuses it. */
export function emailTransport(deps: EmailTransportDeps): Transport {
  const domain = deps.from.address.split('@')[1] ?? 'localhost';
  return async (item) => {
    const meta = emailMetaOf(item, deps.channel);
    const messageId = `tawasul.${item.id}.${deps.channel}@${domain}`;
    const references = [...new Set([...meta.references, ...(meta.inReplyTo ? [meta.inReplyTo] : [])])].slice(-20);
    try {
      await deps.transporter.sendMail({
        from: deps.from,
        to: meta.to,
        subject: replySubject(meta.subject, deps.fallbackSubject),
        text: item.reply.text,
        html: renderHtml(item.reply),
        messageId: `<${messageId}>`,
        ...(meta.inReplyTo ? { inReplyTo: `<${meta.inReplyTo}>` } : {}),
        ...(references.length ? { references: references.map((r) => `<${r}>`) } : {}),
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', 'Content-Language': item.reply.language },
      });
    } catch (err) {
      throw smtpError(err, deps.channel);
    }
    // The message is sent: failing now would send it again on retry. Unremembered, it only threads less well.
    try {
      await deps.store.remember(messageId, item.conversationId, 'out', deps.clock.now());
    } catch (err) {
      deps.logger?.warn({ channel: deps.channel, outboxId: item.id, error: (err as Error)?.name }, 'sent e-mail not remembered for threading');
    }
    return { providerMessageId: messageId };
  };
}
