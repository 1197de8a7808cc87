/**
 * One inbound e-mail, whichever way it came (IMAP or the SMTP relay): parsed, filtered (RFC 3834),
 * threaded into a conversation, its attachments kept under the data directory, and handed to
 * delivery with the reply data (recipient, subject, thread ids) as the outbox meta.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Attachment as MailAttachment } from 'mailparser';
import type { Attachment, InboundMessage } from '../../bot/core/types.js';
import type { HandleResult } from '../../bot/engine/engine.js';
import type { ChannelContext } from '../types.js';
import { isReplySubject, parseMail } from './parse.js';
import type { EmailStore } from './store.js';
import type { EmailMeta } from './transport.js';

/** What happened to a message. */
export type IngestResult = 'answered' | 'duplicate' | 'skipped' | 'unreadable';

/** What ingestion needs. */
export interface IngestDeps {
  ctx: ChannelContext;
  store: EmailStore;
  /** The helpdesk's own addresses, lower case (never answered). */
  own: Set<string>;
  maxAttachmentBytes: number;
  deliver(msg: InboundMessage, meta: EmailMeta): Promise<HandleResult>;
}

function kindOf(contentType: string): Attachment['kind'] {
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('audio/')) return 'audio';
  if (contentType.startsWith('video/')) return 'video';
  if (/^(application\/(pdf|msword|vnd\.|rtf)|text\/)/.test(contentType)) return 'document';
  return 'other';
}

/** Stores attachments under `<dataDir>/attachments/<channel>/` by content hash; returns references to the kept ones. */
function keep(deps: IngestDeps, list: MailAttachment[]): { kept: Attachment[]; dropped: number } {
  const kept: Attachment[] = [];
  let dropped = 0;
  const dir = join(deps.ctx.dataDir, 'attachments', deps.ctx.channel.id);
  for (const a of list) {
    if (a.size > deps.maxAttachmentBytes || !a.content) {
      dropped++;
      continue;
    }
    const ext = extname(a.filename ?? '')
      .replace(/[^.\w]/g, '')
      .slice(0, 10);
    const name = `${createHash('sha256').update(a.content).digest('hex')}${ext}`;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, name), a.content, { mode: 0o600 });
    kept.push({
      kind: kindOf(a.contentType),
      mimeType: a.contentType,
      sizeBytes: a.size,
      ref: `attachments/${deps.ctx.channel.id}/${name}`,
      ...(a.filename ? { fileName: a.filename } : {}),
    });
  }
  return { kept, dropped };
}

/** Cuts text to `max` characters at a word boundary. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const at = head.lastIndexOf(' ');
  return (at > max * 0.8 ? head.slice(0, at) : head).trimEnd();
}

/** Ingests one RFC 822 message; `truncated` when only its first bytes were read (oversized mail: text only). */
export async function ingest(deps: IngestDeps, source: Buffer, opts: { truncated?: boolean } = {}): Promise<IngestResult> {
  const { ctx, store } = deps;
  const log = { channel: ctx.channel.id };
  let mail: Awaited<ReturnType<typeof parseMail>>;
  try {
    mail = await parseMail(source, deps.own);
  } catch (err) {
    ctx.logger.warn({ ...log, error: (err as Error)?.name }, 'unreadable e-mail skipped');
    return 'unreadable';
  }
  if (mail.automated || !mail.replyTo) {
    ctx.logger.info({ ...log, reason: mail.automated ?? 'no-sender' }, 'e-mail not answered (RFC 3834)');
    return 'skipped';
  }
  const now = ctx.clock.now();
  const thread = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()];
  // A new conversation is the sender's own: the same thread root from another sender is another chat.
  const root = mail.references[0] ?? mail.inReplyTo ?? mail.messageId;
  const conversationId =
    (await store.conversationOf(thread, mail.replyTo)) ??
    `m-${createHash('sha256').update(`${mail.replyTo.toLowerCase()}|${root}`).digest('hex').slice(0, 32)}`;
  const body = mail.subject && !isReplySubject(mail.subject) ? `${mail.subject}\n\n${mail.text}`.trim() : mail.text;
  const max = ctx.config.defaults.maxMessageChars;
  const { kept, dropped } = opts.truncated ? { kept: [], dropped: mail.attachments.length } : keep(deps, mail.attachments);
  if (dropped > 0 || opts.truncated || body.length > max) {
    ctx.logger.info({ ...log, droppedAttachments: dropped, truncated: Boolean(opts.truncated) || body.length > max }, 'e-mail reduced to what Tawasul keeps');
  }
  const msg: InboundMessage = {
    channel: ctx.channel.id,
    conversationId,
    id: mail.messageId,
    from: { id: mail.replyTo, email: mail.replyTo, ...(mail.fromName ? { name: mail.fromName } : {}) },
    text: cut(body, max),
    receivedAt: now,
    raw: null,
    ...(kept.length ? { attachments: kept } : {}),
  };
  const synthetic = mail.messageId.startsWith('sha256:');
  const meta: EmailMeta = {
    to: mail.replyTo,
    subject: mail.subject,
    references: [...mail.references, ...(synthetic ? [] : [mail.messageId])],
    ...(synthetic ? {} : { inReplyTo: mail.messageId }),
  };
  await store.remember(mail.messageId, conversationId, 'in', now, { replyTo: mail.replyTo, subject: mail.subject, references: meta.references });
  const result = await deps.deliver(msg, meta);
  return result.duplicate ? 'duplicate' : 'answered';
}
