/**
 * The channel-neutral message shapes. Every adapter converts its provider's payload into an
 * InboundMessage at the edge, and every reply leaves the core as an OutboundReply; nothing in
 * `bot/` knows which provider a message came from.
 */

/** Languages Tawasul answers in. */
export type Language = 'ar' | 'en';

/** Intents the classifier recognises. */
export const INTENTS = ['greeting', 'thanks', 'inquiry', 'status', 'complaint', 'suggestion', 'report', 'procedural_request', 'agent', 'unknown'] as const;
/** One of INTENTS. */
export type Intent = (typeof INTENTS)[number];

/** A location pin sent by a resident (WhatsApp location, web chat geolocation). */
export interface GeoPoint {
  latitude: number;
  longitude: number;
  label?: string;
}

/** A file a resident sent; the bytes stay with the adapter's storage, the core keeps a reference. */
export interface Attachment {
  kind: 'image' | 'document' | 'audio' | 'video' | 'other';
  mimeType?: string;
  fileName?: string;
  sizeBytes?: number;
  /** Where the adapter stored it (path under the data directory or provider media id). */
  ref: string;
}

/** The sender as the channel knows them. Personal data: never log it. */
export interface Sender {
  id: string;
  name?: string;
  phone?: string;
  email?: string;
}

/** One message from a resident, normalized by a channel adapter. */
export interface InboundMessage {
  /** Channel instance id from config (e.g. `webchat`, `x-alburaimigov`). */
  channel: string;
  /** Stable id of the conversation inside the channel. */
  conversationId: string;
  /** Provider's message id; the dedupe key together with `channel`. */
  id: string;
  from: Sender;
  text: string;
  receivedAt: Date;
  location?: GeoPoint;
  attachments?: Attachment[];
  /** The provider payload, for audit; never logged. */
  raw: unknown;
  /** Where the message came from on the network, when the adapter knows (web chat: the HTTP client address). Personal data. */
  client?: { address?: string };
}

/** Why a reply was sent; reports and templates use it. */
export type ReplyKind = 'greeting' | 'thanks' | 'answer' | 'tajawob' | 'intake' | 'filed' | 'status' | 'handoff' | 'agent' | 'error' | 'notice';

/** One reply, channel-neutral; adapters render it for their provider. */
export interface OutboundReply {
  text: string;
  language: Language;
  kind: ReplyKind;
  /** Short suggested answers (buttons where the channel has them, otherwise ignored). */
  quickReplies?: string[];
}

/** Key of a conversation across channels. */
export function conversationKey(channel: string, conversationId: string): string {
  return `${channel}:${conversationId}`;
}
