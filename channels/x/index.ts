/**
 * X (formerly Twitter) for one account, through twitter-api-v2 with OAuth 1.0a user context:
 * credentials `X_<HANDLE>_APP_KEY`, `_APP_SECRET`, `_ACCESS_TOKEN`, `_ACCESS_SECRET` from the
 * environment. Mentions and DMs are polled (cursors in SQL), handed to the engine through
 * `receive` (claimed once by post / DM event id), and answered by DM or by public reply as the
 * account is configured, through the durable outbox and a bottleneck limiter sized to X's
 * per-window limits (a provider quota shared by the instances sending for the account); 429s and
 * spent windows pause sending until `x-rate-limit-reset`. The account is polled by one instance at
 * a time: the one holding the lease `x:<handle>` (bot/scale/leased-job.ts).
 */
import type { InboundMessage, OutboundReply } from '../../bot/core/types.js';
import type { OutboxWorker } from '../../bot/delivery/outbox-worker.js';
import type { OutboxStore } from '../../bot/delivery/types.js';
import { FencedOutError, jobFences } from '../../bot/scale/job-fence.js';
import { LeasedJob } from '../../bot/scale/leased-job.js';
import { type ChannelAdapter, type ChannelContext, defineChannel } from '../types.js';
import { credentialsFromEnv, XClient } from './client.js';
import { type XMeta, XPoller } from './inbound.js';
import { type XOptions, xOptions } from './options.js';
import { PostgresXCursors, PostgresXStore, xPostgresMigrations } from './postgres-store.js';
import { SqliteXCursors, SqliteXStore, type XCursors, type XStore, xMigrations } from './store.js';
import { xTransport } from './transport.js';

export { type XOptions, xOptions } from './options.js';

/** The running adapter, with what tests and the lead's wiring need. */
export interface XAdapter extends ChannelAdapter {
  readonly poller: XPoller;
  readonly worker: OutboxWorker;
  readonly outbox: OutboxStore;
  readonly store: XStore;
  /** The poller's cursors (on PostgreSQL when the instance runs on it). */
  readonly cursors: XCursors;
  /** The polling loop, run while this instance holds the account's lease. */
  readonly polling: LeasedJob;
  /** Queues the replies of messages accepted or claimed before a crash (called by `start`). */
  recover(): Promise<number>;
}

/** Builds the adapter of one account. */
export function createXAdapter(ctx: ChannelContext, options: XOptions): XAdapter {
  const id = ctx.channel.id;
  const handle = options.handle.replace(/^@/, '');
  const client = new XClient(credentialsFromEnv(ctx.env, handle), id, () => ctx.clock.now(), options.timeoutMs);
  const store: XStore = ctx.postgres ? new PostgresXStore(ctx.postgres, id) : new SqliteXStore(ctx.sql, id);
  const cursors: XCursors = ctx.postgres ? new PostgresXCursors(ctx.postgres, id) : new SqliteXCursors(ctx.sql, id);
  const perWindow = options.replyMode === 'dm' ? options.limits.dmPerWindow : options.limits.postPerWindow;

  /** Delivery meta of a message claimed outside `receive` (recovery): from its ids, as the poller made them. */
  const metaOf = async (msg: InboundMessage): Promise<XMeta> => {
    const username = (await store.conversation(msg.conversationId))?.username;
    const tweetId = msg.id.startsWith('tweet:') ? msg.id.slice('tweet:'.length) : undefined;
    const mode = tweetId ? options.replyMode : 'dm';
    return { mode, participantId: msg.from.id, ...(tweetId ? { tweetId } : {}), ...(username ? { username } : {}) };
  };

  const lane = ctx.delivery.lane(ctx, {
    retry: options.retry,
    pollMs: options.workerPollMs,
    limits: {
      maxConcurrent: options.limits.maxConcurrent,
      minTimeMs: options.limits.minTimeMs,
      reservoir: { amount: perWindow, refreshMs: options.limits.windowMinutes * 60_000 },
      account: handle.toLowerCase(),
    },
    recipientOf: (item) => (typeof item.meta.participantId === 'string' ? item.meta.participantId : item.conversationId),
    transport: xTransport({
      channel: id,
      client,
      store,
      clock: ctx.clock,
      logger: ctx.logger,
      pause: (until) => lane.pauseUntil(until),
      mentionAuthor: options.mentionAuthor,
    }),
    metaOf: async (msg) => ({ ...(await metaOf(msg)) }),
  });
  // Replies of one poll are queued first and sent after it, so a burst goes out by first-response deadline.
  const batch = lane.deferKicks();
  const poller = new XPoller(
    ctx,
    client,
    store,
    cursors,
    {
      replyMode: options.replyMode,
      mentions: options.mentions,
      dms: options.dms,
      pollIntervalMs: options.pollIntervalSeconds * 1000,
      backfillMinutes: options.backfillMinutes,
      maxPages: options.maxPagesPerPoll,
    },
    (msg, meta) => batch.receive(msg, { ...meta }),
    batch.flush,
  );

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  const loop = (): void => {
    if (stopped) return;
    running = poller
      .poll()
      .catch((err: unknown) => {
        // Another instance holds the account now: stop here (the lease reports the loss too).
        if (err instanceof FencedOutError) stopped = true;
        ctx.logger.warn({ channel: id, error: (err as Error)?.name, status: (err as { status?: number })?.status }, 'X poll failed');
      })
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(loop, Math.max(1000, poller.nextPollInMs()));
      });
  };

  // One instance at a time reads the account (its cursors); another takes over when it dies.
  const polling = new LeasedJob(
    ctx.scale,
    ctx.clock,
    `x:${handle.toLowerCase()}`,
    {
      start: (fence) => {
        poller.fence = fence;
        stopped = false;
        loop();
      },
      stop: async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await running;
      },
    },
    ctx.logger,
    id,
    jobFences(ctx),
  );
  const recover = (): Promise<number> => lane.recover();

  return {
    id,
    poller,
    worker: lane.worker,
    outbox: lane.outbox,
    store,
    cursors,
    polling,
    recover,
    async start() {
      await lane.start();
      await polling.start();
      ctx.logger.info({ channel: id, replyMode: options.replyMode }, 'X channel started');
    },
    async stop() {
      await polling.stop();
      await lane.stop();
    },
    async send(conversationId: string, replies: OutboundReply[]) {
      const conv = await store.conversation(conversationId);
      if (!conv) {
        ctx.logger.warn({ channel: id }, 'no X recipient known for the conversation; reply not queued');
        return;
      }
      const meta: XMeta =
        options.replyMode === 'public' && conv.lastTweetId
          ? { mode: 'public', participantId: conv.participantId, tweetId: conv.lastTweetId, ...(conv.username ? { username: conv.username } : {}) }
          : { mode: 'dm', participantId: conv.participantId };
      await lane.send(conversationId, replies, { ...meta });
    },
  };
}

/** The X channel definition (registry key `x`). */
export const x = defineChannel(xOptions, (ctx, options) => createXAdapter(ctx, options), [{ module: 'x', migrations: xMigrations }], xPostgresMigrations);
