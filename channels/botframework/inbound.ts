/**
 * Bot Framework activities → what Tawasul does with them. A `message` becomes an InboundMessage;
 * a message carrying only what the bot cannot read (cards, card submits) gets the polite "text
 * only" reply; a member joining may be greeted; everything else (typing, reactions, updates,
 * deletes, events, invokes) is acknowledged and ignored. Nothing here logs or keeps display names.
 */
import { createHash } from 'node:crypto';
import { type Activity, type Attachment as BfAttachment, type Entity, TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Attachment, GeoPoint, InboundMessage, Language } from '../../bot/core/types.js';

/** What to do with one activity. */
export type Classified =
  | { kind: 'message'; msg: InboundMessage }
  | { kind: 'unsupported'; messageId: string; conversationId: string; language: Language }
  | { kind: 'join'; messageId: string; conversationId: string; language: Language }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

const MAX_ID = 1000;
const account = z.object({ id: z.string().min(1).max(MAX_ID) }).loose();
/** The fields Tawasul relies on; botbuilder has already checked that `type` is a string. */
const activityShape = z
  .object({
    type: z.string(),
    id: z.string().min(1).max(MAX_ID).optional(),
    channelId: z.string().min(1).max(100),
    serviceUrl: z
      .string()
      .max(2000)
      .regex(/^https?:\/\/[^\s]+$/i, 'expected an http(s) URL'),
    conversation: account,
    from: account,
    recipient: account,
    text: z.string().optional(),
    locale: z.string().max(40).optional(),
    attachments: z
      .array(z.object({ contentType: z.string().max(200) }).loose())
      .max(50)
      .optional(),
    entities: z
      .array(z.object({ type: z.string() }).loose())
      .max(50)
      .optional(),
  })
  .loose();

/** Card and rich-content types the bot neither reads nor needs (Teams adds a text/html copy of every message). */
const IGNORED_ATTACHMENT = /^(text\/html$|application\/vnd\.microsoft\.(card\.|teams\.card\.))/i;
const TEAMS_FILE = 'application/vnd.microsoft.teams.file.download.info';
const DOCUMENT = /^(application\/(pdf|msword|rtf|zip|vnd\.(openxmlformats|ms-|oasis))|text\/(plain|csv))/i;

function attachmentKind(contentType: string): Attachment['kind'] | undefined {
  const t = contentType.toLowerCase();
  if (IGNORED_ATTACHMENT.test(t)) return undefined;
  if (t === TEAMS_FILE || DOCUMENT.test(t)) return 'document';
  if (t.startsWith('image/')) return 'image';
  if (t.startsWith('audio/')) return 'audio';
  if (t.startsWith('video/')) return 'video';
  return undefined;
}

/** Files as references (the provider's URL); inline `data:` content is not kept (its size is bounded by the body limit). */
export function toAttachments(list: BfAttachment[] | undefined): Attachment[] {
  const out: Attachment[] = [];
  for (const a of list ?? []) {
    const kind = attachmentKind(a.contentType);
    if (!kind) continue;
    const teams = a.contentType === TEAMS_FILE ? (a.content as { downloadUrl?: unknown; fileType?: unknown } | undefined) : undefined;
    const url = typeof teams?.downloadUrl === 'string' ? teams.downloadUrl : a.contentUrl;
    out.push({
      kind,
      ...(teams ? {} : { mimeType: a.contentType }),
      ...(typeof a.name === 'string' ? { fileName: a.name.slice(0, 255) } : {}),
      ref: url && !url.startsWith('data:') ? url : 'botframework:inline',
    });
  }
  return out;
}

const latLon = z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).loose();

/** A location from schema.org `GeoCoordinates` or `Place` entities, as Web Chat and Teams send them. */
export function toLocation(entities: Entity[] | undefined): GeoPoint | undefined {
  for (const e of entities ?? []) {
    const candidate = e.type === 'GeoCoordinates' ? e : e.type === 'Place' ? (e.geo as unknown) : undefined;
    const p = latLon.safeParse(candidate);
    if (p.success) {
      const name: unknown = e.name;
      const label = typeof name === 'string' ? { label: name.slice(0, 200) } : {};
      return { latitude: p.data.latitude, longitude: p.data.longitude, ...label };
    }
  }
  return undefined;
}

/** The reply language a locale suggests (Arabic unless the client says English). */
export function localeLanguage(locale: string | undefined): Language {
  return locale?.toLowerCase().startsWith('en') ? 'en' : 'ar';
}

/** The activity id, or a stable digest of its content when a channel omitted it (so retries still dedupe). */
export function activityId(a: Partial<Activity>): string {
  if (a.id) return a.id;
  const ts = a.timestamp instanceof Date ? a.timestamp.toISOString() : String((a as { rawTimestamp?: unknown }).rawTimestamp ?? '');
  const digest = createHash('sha256')
    .update(JSON.stringify([a.type, a.conversation?.id, a.from?.id, ts, a.text ?? '', a.value ?? null]))
    .digest('base64url');
  return `sha256:${digest}`;
}

/** Why a request body is not an activity Tawasul can route (type, ids, serviceUrl), or undefined when it is. */
export function activityProblem(body: unknown): string | undefined {
  const shape = activityShape.safeParse(body);
  if (shape.success) return undefined;
  const issue = shape.error.issues[0]!;
  return `${issue.path.join('.') || 'activity'}: ${issue.message}`;
}

/** Classifies one (authenticated) activity for the channel instance `channel`. */
export function classifyActivity(activity: Activity, channel: string, receivedAt: Date): Classified {
  const problem = activityProblem(activity);
  if (problem) return { kind: 'invalid', reason: problem };
  const conversationId = activity.conversation.id;
  const language = localeLanguage(activity.locale);
  switch (activity.type) {
    case 'message': {
      const text = (activity.text ? (TurnContext.removeRecipientMention({ ...activity }) ?? activity.text) : '').trim();
      const attachments = toAttachments(activity.attachments);
      const location = toLocation(activity.entities);
      const id = activityId(activity);
      if (!text && attachments.length === 0 && !location && (activity.attachments?.length || activity.value !== undefined)) {
        return { kind: 'unsupported', messageId: id, conversationId, language };
      }
      const msg: InboundMessage = {
        channel,
        conversationId,
        id,
        from: { id: activity.from.id, ...(activity.from.name ? { name: activity.from.name } : {}) },
        text,
        receivedAt,
        ...(location ? { location } : {}),
        ...(attachments.length ? { attachments } : {}),
        raw: activity,
      };
      return { kind: 'message', msg };
    }
    case 'conversationUpdate': {
      const joined = (activity.membersAdded ?? []).some((m) => m?.id && m.id !== activity.recipient.id);
      return joined ? { kind: 'join', messageId: activityId(activity), conversationId, language } : { kind: 'ignored', reason: 'conversationUpdate' };
    }
    default:
      return { kind: 'ignored', reason: activity.type };
  }
}
