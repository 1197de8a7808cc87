/**
 * The slice of Meta's Graph API the WhatsApp Cloud adapter uses: send a message
 * (`POST /{version}/{phone-number-id}/messages`), look a media id up (`GET /{version}/{media-id}`)
 * and download it with the bearer token. Graph error codes become retryable or permanent
 * ChannelApiErrors; a failed connection becomes a NetworkError.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ChannelApiError, NetworkError } from '../../bot/core/errors.js';

/** Where and how to reach the Graph API. */
export interface GraphOptions {
  baseUrl: string;
  apiVersion: string;
  token: string;
  phoneNumberId: string;
  channel: string;
  timeoutMs?: number;
}

/** Graph's error body: `{ error: { message, type, code, error_data: { details }, fbtrace_id } }`. */
interface GraphErrorBody {
  error?: { message?: string; type?: string; code?: number; error_subcode?: number; error_data?: { details?: string } };
}

/** Error codes worth retrying, with the wait Meta's documentation suggests (seconds). */
const RETRYABLE: Record<number, number> = {
  1: 30, // API unknown (often transient)
  2: 30, // API service temporarily unavailable
  4: 60, // app-level rate limit
  80007: 60, // WhatsApp Business Account rate limit
  130429: 2, // throughput (messages per second) reached for the phone number
  131000: 30, // something went wrong
  131016: 30, // service overloaded
  131048: 60, // spam rate limit
  131056: 6, // pair rate limit: too many messages to the same user
  131047: 0, // re-engagement: the 24-hour window is closed (the next attempt sends the template)
  133004: 30, // server temporarily unavailable
  190: 300, // access token expired or invalid: retried slowly while an operator rotates it
};

/** Account-wide throttling codes: the whole channel pauses. */
export const ACCOUNT_THROTTLE = new Set([4, 80007, 130429, 131048]);
/** The 24-hour customer-service window was closed when we sent free text. */
export const WINDOW_CLOSED = 131047;

/** Maps a Graph error response to a ChannelApiError (stable code; details kept short, no payload echo). */
export function graphError(channel: string, status: number, body: unknown): ChannelApiError {
  const e = (body as GraphErrorBody | undefined)?.error;
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const wait = code !== undefined ? RETRYABLE[code] : undefined;
  const retryable = wait !== undefined || status === 429 || status === 401 || status >= 500;
  const message = `Graph API ${status}${code !== undefined ? ` (#${code})` : ''}: ${(e?.message ?? 'no error body').slice(0, 120)}`;
  return new ChannelApiError(message, channel, status, code ?? status, retryable, wait ?? (status === 429 ? 60 : undefined), {
    credential: code === 190 || status === 401,
  });
}

/** A text, interactive-buttons or template message body for the messages endpoint. */
export type GraphMessage =
  | { type: 'text'; text: { body: string; preview_url?: boolean } }
  | {
      type: 'interactive';
      interactive: { type: 'button'; body: { text: string }; action: { buttons: Array<{ type: 'reply'; reply: { id: string; title: string } }> } };
    }
  | {
      type: 'template';
      template: { name: string; language: { code: string }; components?: Array<{ type: 'body'; parameters: Array<{ type: 'text'; text: string }> }> };
    };

/** Media metadata from `GET /{media-id}`. */
export interface MediaInfo {
  url: string;
  mime_type?: string;
  file_size?: number | string;
  sha256?: string;
  id?: string;
}

/** A small Graph client (fetch-based, so tests can stand in with msw or a loopback server). */
export class GraphClient {
  constructor(private readonly o: GraphOptions) {}

  private url(path: string): string {
    return `${this.o.baseUrl.replace(/\/$/, '')}/${this.o.apiVersion}/${path}`;
  }

  private async call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        headers: { authorization: `Bearer ${this.o.token}`, ...(init.headers as Record<string, string> | undefined) },
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new NetworkError(`Graph API unreachable: ${(err as Error).name}`, this.o.channel, { cause: err });
    }
  }

  private async json(res: Response): Promise<unknown> {
    try {
      return await res.json();
    } catch {
      return undefined;
    }
  }

  /**
   * Sends one message to a WhatsApp user id; returns the `wamid` Meta assigned. `callbackData`
   * (`biz_opaque_callback_data`) comes back in the message's status webhooks.
   */
  async send(to: string, message: GraphMessage, callbackData?: string): Promise<string | undefined> {
    const res = await this.call(this.url(`${this.o.phoneNumberId}/messages`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to,
        ...message,
        ...(callbackData ? { biz_opaque_callback_data: callbackData } : {}),
      }),
    });
    const body = await this.json(res);
    if (!res.ok) throw graphError(this.o.channel, res.status, body);
    return (body as { messages?: Array<{ id?: string }> } | undefined)?.messages?.[0]?.id;
  }

  /** Looks a media id up (URL valid for a few minutes, mime type, size). */
  async media(mediaId: string): Promise<MediaInfo> {
    const res = await this.call(this.url(encodeURIComponent(mediaId)), { method: 'GET' });
    const body = await this.json(res);
    if (!res.ok) throw graphError(this.o.channel, res.status, body);
    const info = body as MediaInfo | undefined;
    if (!info || typeof info.url !== 'string') throw new ChannelApiError('Graph API media lookup without url', this.o.channel, res.status, 'no_url', false);
    return info;
  }

  /**
   * Downloads a media URL to `file` (written to a temporary name, then renamed), refusing more than
   * `maxBytes`; returns the size. Throws RangeError when the file is too large.
   */
  async download(url: string, file: string, maxBytes: number): Promise<number> {
    const res = await this.call(url, { method: 'GET' });
    if (!res.ok || !res.body) throw graphError(this.o.channel, res.status, await this.json(res));
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body.cancel();
      throw new RangeError('media larger than allowed');
    }
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.part`;
    const out = createWriteStream(tmp, { mode: 0o600 });
    let size = 0;
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel();
          throw new RangeError('media larger than allowed');
        }
        if (!out.write(value)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      await rename(tmp, file);
      return size;
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
