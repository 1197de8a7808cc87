/**
 * The outbox transport of the Bot Framework channel: a stored reply is posted with
 * `CloudAdapter.continueConversationAsync` on the conversation's stored reference, as a reply to
 * the inbound activity (`POST {serviceUrl}/v3/conversations/{id}/activities/{replyToId}`) or, for
 * agent messages, as a new activity (`POST .../v3/conversations/{id}/activities`). Retrying is the
 * outbox's job, so the SDK's own retry policy is removed from the connector's pipeline, and its
 * errors are mapped to ChannelApiError / NetworkError.
 */
import { type Activity, type CloudAdapter, type ConversationReference, MessageFactory, type TurnContext } from 'botbuilder';
import { ChannelApiError, NetworkError } from '../../bot/core/errors.js';
import type { OutboundReply } from '../../bot/core/types.js';
import type { OutboxItem, Transport } from '../../bot/delivery/types.js';
import type { ReferenceStore } from './store.js';

/** What the transport needs. */
export interface BotFrameworkTransportOptions {
  adapter: CloudAdapter;
  /** The bot's app id, or '' in anonymous mode (the connector then sends no token). */
  appId: string;
  references: ReferenceStore;
  /** Channel instance id (for errors). */
  channel: string;
  /** Gives up on a provider call after this long (network error, retried by the outbox). */
  timeoutMs: number;
}

/** Status codes worth retrying: throttling, timeouts, Teams' 412, and server errors other than 501/505. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 412 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'REQUEST_SEND_ERROR',
]);

function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function providerCode(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } })?.error?.code;
    return typeof code === 'string' ? code.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

/** Maps an error of botbuilder's connector (a core-rest-pipeline RestError, an MSAL error...) to Tawasul's. */
export function toDeliveryError(err: unknown, channel: string): Error {
  if (err instanceof ChannelApiError || err instanceof NetworkError) return err;
  const e = (err ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
    errorCode?: unknown;
    name?: unknown;
    response?: { headers?: { get?(name: string): string | null | undefined }; bodyAsText?: unknown };
  };
  if (typeof e.statusCode === 'number') {
    const status = e.statusCode;
    const code = providerCode(e.response?.bodyAsText) ?? (typeof e.code === 'string' ? e.code : undefined);
    const after = retryAfterSeconds(e.response?.headers?.get?.('retry-after'));
    // The message names status and code only: the provider's message may echo the activity. A 401: the
    // connector refused the bot's token (an expired app password): the queue pauses, the replies wait.
    const credential = status === 401;
    return new ChannelApiError(
      `botframework send failed: HTTP ${status}${code ? ` ${code}` : ''}`,
      channel,
      status,
      code,
      isRetryableStatus(status) || credential,
      after,
      { credential },
    );
  }
  const code = typeof e.code === 'string' ? e.code : typeof e.errorCode === 'string' ? e.errorCode : undefined;
  // MSAL: the token endpoint refused the app id or password.
  if (code === 'invalid_client' || code === 'unauthorized_client') {
    return new ChannelApiError(`botframework send failed: ${code}`, channel, undefined, code, true, undefined, { credential: true });
  }
  if ((code && (NETWORK_CODES.has(code) || /network|timed?_?out/i.test(code))) || e.name === 'AbortError' || e.name === 'TimeoutError') {
    return new NetworkError(`botframework send failed: ${code ?? String(e.name)}`, channel);
  }
  if (e.name === 'RestError') return new NetworkError(`botframework send failed: ${code ?? 'no response'}`, channel);
  // Unknown (token endpoint refusing, SDK failure): retried a bounded number of times, then recorded.
  return new ChannelApiError(`botframework send failed: ${code ?? (typeof e.name === 'string' ? e.name : 'error')}`, channel, undefined, code, true);
}

/** Renders a reply as a message activity: plain text, the reply's locale, suggested actions for quick replies. */
export function toActivity(reply: OutboundReply): Partial<Activity> {
  const base = reply.quickReplies?.length ? MessageFactory.suggestedActions(reply.quickReplies.slice(0, 10), reply.text) : MessageFactory.text(reply.text);
  return { ...base, textFormat: 'plain', locale: reply.language === 'ar' ? 'ar-OM' : 'en-US' };
}

/** Removes the SDK's internal retries from this turn's connector (the durable outbox retries instead). */
function disableSdkRetries(turn: TurnContext, adapter: CloudAdapter): void {
  const connector = turn.turnState.get(adapter.ConnectorClientKey) as { client?: { pipeline?: { removePolicy(p: { name: string }): unknown } } } | undefined;
  connector?.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
}

class SendTimeout extends Error {
  override name = 'TimeoutError';
}

/** Builds the outbox transport. */
export function createBotFrameworkTransport(opts: BotFrameworkTransportOptions): Transport {
  const { adapter, appId, references, channel, timeoutMs } = opts;
  return async (item: OutboxItem) => {
    const ref = await references.get(item.conversationId);
    if (!ref) throw new ChannelApiError('botframework send failed: no conversation reference', channel, undefined, 'no_reference', false);
    let providerMessageId: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    const send = adapter.continueConversationAsync(appId, ref as Partial<ConversationReference>, async (turn) => {
      disableSdkRetries(turn, adapter);
      turn.onSendActivities(async (_t, activities, next) => {
        for (const a of activities) {
          if (item.inReplyTo) a.replyToId = item.inReplyTo;
          else delete a.replyToId;
        }
        return next();
      });
      const res = await turn.sendActivity(toActivity(item.reply));
      providerMessageId = res?.id || undefined;
    });
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new SendTimeout('send timed out')), timeoutMs);
    });
    try {
      await Promise.race([send, timeout]);
    } catch (err) {
      throw toDeliveryError(err, channel);
    } finally {
      clearTimeout(timer);
      send.catch(() => undefined);
    }
    return providerMessageId ? { providerMessageId } : {};
  };
}
