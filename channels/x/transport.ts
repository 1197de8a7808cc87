/**
 * Sends one outbox item to X: a direct message, or a public reply (split into a thread when longer
 * than 280 weighted characters; the parts already posted are recorded so a retry resumes, never
 * reposts). Throttling (429, or a response whose window is spent) pauses the channel's worker
 * until X's `x-rate-limit-reset`.
 */
import type { TwitterRateLimit } from 'twitter-api-v2';
import { ChannelApiError } from '../../bot/core/errors.js';
import type { Logger } from '../../bot/core/logger.js';
import type { OutboxItem, Transport } from '../../bot/delivery/types.js';
import type { Clock } from '../../bot/engine/context.js';
import { resetOf, type XClient } from './client.js';
import type { XMeta } from './inbound.js';
import type { XStore } from './store.js';
import { MAX_POST_LENGTH, splitForThread } from './text.js';

/** What the transport needs. */
export interface XTransportDeps {
  channel: string;
  client: XClient;
  store: XStore;
  clock: Clock;
  logger: Logger;
  /** Pauses the channel's sending until the given instant (the worker's `pauseUntil`). */
  pause(until: Date): void;
  /** Prefix public replies with `@username` (keeps identical replies to different people distinct for X). */
  mentionAuthor: boolean;
}

/** Reads an item's delivery meta; throws a permanent error when it cannot be delivered. */
export function metaOf(item: OutboxItem, channel: string): XMeta {
  const m = item.meta as Partial<XMeta>;
  if ((m.mode === 'dm' && typeof m.participantId === 'string') || (m.mode === 'public' && typeof m.tweetId === 'string')) return m as XMeta;
  throw new ChannelApiError('outbox item has no X recipient', channel, undefined, 'no-recipient', false);
}

/** True when X refused a DM for a reason a public reply avoids (the person does not accept DMs from us). */
function dmRefused(err: unknown): boolean {
  return err instanceof ChannelApiError && err.status === 403 && err.code !== 'duplicate-content';
}

/** The X transport of one account. */
export function xTransport(deps: XTransportDeps): Transport {
  const { client, store } = deps;

  const watch = (rl: TwitterRateLimit | undefined): void => {
    if (rl && (rl.remaining <= 0 || rl.day?.remaining === 0 || rl.userDay?.remaining === 0)) {
      const until = resetOf(rl);
      if (until) deps.pause(until);
    }
  };
  const throttled = (err: unknown): never => {
    if (err instanceof ChannelApiError && err.status === 429) {
      deps.pause(new Date(deps.clock.now().getTime() + (err.retryAfterSeconds ?? 900) * 1000));
    }
    throw err;
  };

  const publicReply = async (item: OutboxItem, tweetId: string, username: string | undefined): Promise<{ providerMessageId?: string }> => {
    const prefix = deps.mentionAuthor && username ? `@${username} ` : '';
    const parts = splitForThread(item.reply.text, MAX_POST_LENGTH - prefix.length);
    const done = await store.threadParts(item.id);
    let parent = tweetId;
    let first: string | undefined = done.get(0);
    for (const [i, part] of parts.entries()) {
      const posted = done.get(i);
      if (posted) {
        parent = posted;
        continue;
      }
      const r = await client.reply(prefix + part, parent).catch(throttled);
      await store.recordPart(item.id, i, r.id);
      watch(r.rateLimit);
      parent = r.id;
      first ??= r.id;
    }
    if (parts.length > 1) deps.logger.info({ channel: deps.channel, outboxId: item.id, parts: parts.length }, 'reply posted as a thread');
    return first ? { providerMessageId: first } : {};
  };

  return async (item) => {
    const meta = metaOf(item, deps.channel);
    if (meta.mode === 'public') return publicReply(item, meta.tweetId!, meta.username);
    try {
      const r = await client.sendDm(meta.participantId, item.reply.text).catch(throttled);
      watch(r.rateLimit);
      return { providerMessageId: r.id };
    } catch (err) {
      if (meta.tweetId && dmRefused(err)) {
        deps.logger.info({ channel: deps.channel, outboxId: item.id }, 'DM refused; answering the mention publicly');
        return publicReply(item, meta.tweetId, meta.username);
      }
      throw err;
    }
  };
}
