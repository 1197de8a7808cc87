/**
 * WhatsApp Cloud API webhooks: the `X-Hub-Signature-256` check (HMAC-SHA256 of the raw body with
 * the app secret, compared in constant time) and the parse of the documented payload
 * (`entry[].changes[].value.messages[]`, `contacts[]`, `metadata`; `statuses[]` ignored) into
 * channel-neutral items.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { GeoPoint } from '../../bot/core/types.js';
import type { BodySignature } from '../../bot/security/http-guard.js';

/** True when `header` is `sha256=<hex>` of `raw` under `secret` (constant-time compare). */
export function validSignature(raw: Buffer, header: string | undefined, secret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** How Meta signs deliveries, for `signedBody` (verified while the body streams in, capped at `maxBytes`). */
export function hubSignature(secret: string, maxBytes: number): BodySignature {
  return {
    header: 'x-hub-signature-256',
    parse: (value) => (/^sha256=[0-9a-f]{64}$/i.test(value) ? Buffer.from(value.slice(7), 'hex') : undefined),
    hmac: () => createHmac('sha256', secret),
    maxBytes,
  };
}

/** The signature Meta would send for `raw` (tests, fake providers). */
export function sign(raw: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

const media = z.object({ id: z.string().min(1), mime_type: z.string().optional(), caption: z.string().optional(), filename: z.string().optional() }).loose();

const message = z
  .object({
    from: z.string().regex(/^\d{5,20}$/),
    id: z.string().min(1).max(256),
    timestamp: z.string().optional(),
    type: z.string().min(1),
    text: z.object({ body: z.string() }).loose().optional(),
    location: z
      .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), name: z.string().optional(), address: z.string().optional() })
      .loose()
      .optional(),
    image: media.optional(),
    document: media.optional(),
    interactive: z
      .object({
        type: z.string(),
        button_reply: z.object({ id: z.string(), title: z.string() }).loose().optional(),
        list_reply: z.object({ id: z.string(), title: z.string() }).loose().optional(),
      })
      .loose()
      .optional(),
    button: z.object({ text: z.string(), payload: z.string().optional() }).loose().optional(),
  })
  .loose();

const value = z
  .object({
    messaging_product: z.literal('whatsapp').optional(),
    metadata: z.object({ phone_number_id: z.string(), display_phone_number: z.string().optional() }).loose(),
    contacts: z.array(z.object({ wa_id: z.string(), profile: z.object({ name: z.string().optional() }).loose().optional() }).loose()).optional(),
    messages: z.array(z.unknown()).optional(),
    statuses: z.array(z.unknown()).optional(),
  })
  .loose();

/** The webhook envelope. */
export const webhookSchema = z
  .object({
    object: z.literal('whatsapp_business_account'),
    entry: z.array(z.object({ id: z.string(), changes: z.array(z.object({ field: z.string(), value: z.unknown() }).loose()) }).loose()),
  })
  .loose();

/** A media item to fetch before the message reaches the engine. */
export interface MediaRef {
  kind: 'image' | 'document';
  mediaId: string;
  mimeType?: string;
  fileName?: string;
}

/** One resident message found in a webhook. */
export type ParsedItem =
  | { kind: 'message'; id: string; waId: string; name?: string; type: string; text: string; location?: GeoPoint; media?: MediaRef }
  | { kind: 'unsupported'; id: string; waId: string; name?: string; type: string };

/** What a webhook contained: messages for this phone number, and counts of what was skipped. */
export interface ParsedWebhook {
  items: ParsedItem[];
  statuses: number;
  /** Status reports of our sends that carry our `biz_opaque_callback_data` (the provider got them). */
  callbacks: Array<{ wamid: string; data: string }>;
  otherNumber: number;
  malformed: number;
}

const SUPPORTED = new Set(['text', 'location', 'image', 'document', 'interactive', 'button']);

/** Parses a validated envelope; messages for another phone number id are counted, not returned. */
export function parseWebhook(body: z.infer<typeof webhookSchema>, phoneNumberId: string): ParsedWebhook {
  const out: ParsedWebhook = { items: [], statuses: 0, callbacks: [], otherNumber: 0, malformed: 0 };
  for (const entry of body.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const v = value.safeParse(change.value);
      if (!v.success) {
        out.malformed++;
        continue;
      }
      out.statuses += v.data.statuses?.length ?? 0;
      if (v.data.metadata.phone_number_id !== phoneNumberId) {
        out.otherNumber += v.data.messages?.length ?? 0;
        continue;
      }
      for (const st of v.data.statuses ?? []) {
        const c = st as { id?: unknown; status?: unknown; biz_opaque_callback_data?: unknown };
        if (typeof c.id === 'string' && typeof c.biz_opaque_callback_data === 'string' && c.status !== 'failed')
          out.callbacks.push({ wamid: c.id, data: c.biz_opaque_callback_data });
      }
      const names = new Map((v.data.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
      for (const raw of v.data.messages ?? []) {
        const m = message.safeParse(raw);
        if (!m.success) {
          out.malformed++;
          continue;
        }
        out.items.push(toItem(m.data, names.get(m.data.from)));
      }
    }
  }
  return out;
}

function toItem(m: z.infer<typeof message>, name: string | undefined): ParsedItem {
  const base = { id: m.id, waId: m.from, ...(name ? { name } : {}), type: m.type };
  if (!SUPPORTED.has(m.type)) return { kind: 'unsupported', ...base };
  switch (m.type) {
    case 'text':
      return m.text ? { kind: 'message', ...base, text: m.text.body } : { kind: 'unsupported', ...base };
    case 'location': {
      if (!m.location) return { kind: 'unsupported', ...base };
      const label = m.location.name ?? m.location.address;
      return { kind: 'message', ...base, text: '', location: { latitude: m.location.latitude, longitude: m.location.longitude, ...(label ? { label } : {}) } };
    }
    case 'image':
    case 'document': {
      const md = m.type === 'image' ? m.image : m.document;
      if (!md) return { kind: 'unsupported', ...base };
      const ref: MediaRef = {
        kind: m.type,
        mediaId: md.id,
        ...(md.mime_type ? { mimeType: md.mime_type } : {}),
        ...(md.filename ? { fileName: md.filename } : {}),
      };
      return { kind: 'message', ...base, text: md.caption ?? '', media: ref };
    }
    case 'interactive': {
      const title = m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title;
      return title !== undefined ? { kind: 'message', ...base, text: title } : { kind: 'unsupported', ...base };
    }
    default:
      return m.button ? { kind: 'message', ...base, text: m.button.text } : { kind: 'unsupported', ...base };
  }
}
