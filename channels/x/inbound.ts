/**
 * Polls one X account (the Account Activity API is gone for most tiers): the mentions timeline with
 * `since_id`, and DM events paged newest-first down to the last event already claimed. Items are
 * handed over oldest first and the stored cursor moves only after an item was claimed (or skipped),
 * so a crash re-reads at most what the inbox claim then deduplicates. Polls are spaced by the
 * configured interval and by the `x-rate-limit-*` headers of each endpoint.
 */
import type { TwitterRateLimit } from 'twitter-api-v2';
import { ChannelApiError } from '../../bot/core/errors.js';
import type { Attachment, GeoPoint, InboundMessage } from '../../bot/core/types.js';
import type { Fence } from '../../bot/scale/job-fence.js';
import type { ChannelContext } from '../types.js';
import { resetOf, type XClient, type XDmEvent, type XPage, type XPost, type XUser } from './client.js';
import type { XCursors, XStore, XStream } from './store.js';

/** DM events held in memory while walking back to the cursor; past it, the oldest are skipped (with a warning). */
const MAX_WALK_EVENTS = 10_000;

/** Delivery data of a reply, stored with the inbound message (replayable after a crash). */
export interface XMeta {
  /** `dm`: a direct message to `participantId`; `public`: a reply to the post `tweetId`. */
  mode: 'dm' | 'public';
  participantId: string;
  /** The post answered (public replies; the fallback of a DM answer to a mention). */
  tweetId?: string;
  username?: string;
}

/** What the poller needs from the adapter's options. */
export interface PollerSettings {
  replyMode: 'dm' | 'public';
  mentions: boolean;
  dms: boolean;
  pollIntervalMs: number;
  backfillMinutes: number;
  maxPages: number;
}

/** Counts of one poll. */
export interface PollResult {
  mentions: number;
  dms: number;
  skipped: number;
}

interface Pages<T> {
  items: T[];
  users: Map<string, XUser>;
  newest?: string;
  rl?: TwitterRateLimit;
  /** `stop` matched (the cursor was reached). */
  stopped: boolean;
  /** Nothing left unread (stopped, or the last page). */
  complete: boolean;
  /** The token of the next page, when not complete. */
  next?: string;
}

/** Hands one message to delivery (`receive`). */
export type Deliver = (msg: InboundMessage, meta: XMeta) => Promise<unknown>;

/** A one-to-one DM conversation id: both user ids, smaller first (X's own form). */
export function dmConversationId(a: string, b: string): string {
  const [lo, hi] = a.length !== b.length ? (a.length < b.length ? [a, b] : [b, a]) : a < b ? [a, b] : [b, a];
  return `${lo}-${hi}`;
}

/** A post's text as the resident wrote it: the leading reply @handles dropped, X's HTML entities decoded. */
export function cleanText(text: string): string {
  return text
    .replace(/^(\s*@\w{1,15})+\s*/u, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function mediaOf(keys: string[] | undefined): Attachment[] {
  return (keys ?? []).map((k) => ({ kind: 'other' as const, ref: `x-media:${k}` }));
}

function placeOf(post: XPost): GeoPoint | undefined {
  const c = post.geo?.coordinates?.coordinates;
  if (!Array.isArray(c) || c.length !== 2 || !c.every(Number.isFinite)) return undefined;
  return { longitude: c[0], latitude: c[1] };
}

function arrivedAt(createdAt: string | undefined, now: Date): Date {
  const t = createdAt ? Date.parse(createdAt) : NaN;
  return Number.isFinite(t) && t <= now.getTime() ? new Date(t) : now;
}

/** The poller of one account. */
export class XPoller {
  private me: XUser | undefined;
  private readonly notBefore: Record<XStream, number> = { mentions: 0, dms: 0 };
  private chain: Promise<unknown> = Promise.resolve();
  /** The epoch of this instance's hold on the account (set when its lease starts the poller); fences cursor writes. */
  fence: Fence | undefined;

  constructor(
    private readonly ctx: ChannelContext,
    private readonly client: XClient,
    private readonly store: XStore,
    private readonly cursors: XCursors,
    private readonly settings: PollerSettings,
    private readonly deliver: Deliver,
    /** Called after each poll (the adapter kicks its worker once per batch, so a burst is sent by deadline). */
    private readonly afterPoll: () => void = () => undefined,
  ) {}

  /** The account's own user (`GET /2/users/me`, once). */
  async account(): Promise<XUser> {
    this.me ??= await this.client.me();
    return this.me;
  }

  /** One poll of both streams (serialized); `force` ignores the spacing (tests, admin "poll now"). */
  poll(opts: { force?: boolean } = {}): Promise<PollResult> {
    const run = this.chain.then(() => this.pollBoth(opts.force ?? false)).finally(() => this.afterPoll());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Milliseconds until a stream may be polled again. */
  nextPollInMs(): number {
    const now = this.ctx.clock.now().getTime();
    const streams: XStream[] = [...(this.settings.mentions ? ['mentions' as const] : []), ...(this.settings.dms ? ['dms' as const] : [])];
    return streams.length ? Math.max(0, Math.min(...streams.map((s) => this.notBefore[s] - now))) : this.settings.pollIntervalMs;
  }

  private async pollBoth(force: boolean): Promise<PollResult> {
    const result: PollResult = { mentions: 0, dms: 0, skipped: 0 };
    let me: XUser;
    try {
      me = await this.account();
    } catch (err) {
      // Bad credentials or throttling on users/me: both streams wait, so the loop does not hammer X.
      this.backOff('mentions', err);
      this.backOff('dms', err);
      throw err;
    }
    for (const stream of ['mentions', 'dms'] as const) {
      if (!this.settings[stream]) continue;
      if (!force && this.ctx.clock.now().getTime() < this.notBefore[stream]) continue;
      try {
        const r = stream === 'mentions' ? await this.pollMentions(me) : await this.pollDms(me);
        result[stream] += r.handled;
        result.skipped += r.skipped;
      } catch (err) {
        this.backOff(stream, err);
      }
    }
    return result;
  }

  private backOff(stream: XStream, err: unknown): void {
    const now = this.ctx.clock.now().getTime();
    const wait = err instanceof ChannelApiError && err.retryAfterSeconds ? err.retryAfterSeconds * 1000 : this.settings.pollIntervalMs;
    this.notBefore[stream] = now + wait;
    const e = err as { name?: string; status?: number; code?: unknown };
    this.ctx.logger.warn({ channel: this.ctx.channel.id, stream, error: e?.name, status: e?.status, code: e?.code, retryInMs: wait }, 'X poll failed');
  }

  /** Spaces the next poll of a stream: the interval, or the window's remaining calls spread until its reset. */
  private space(stream: XStream, rl: TwitterRateLimit | undefined): void {
    const now = this.ctx.clock.now().getTime();
    let next = now + this.settings.pollIntervalMs;
    const reset = resetOf(rl)?.getTime();
    if (rl && reset !== undefined) next = Math.max(next, rl.remaining <= 0 ? reset : now + Math.max(0, reset - now) / rl.remaining);
    this.notBefore[stream] = next;
  }

  /** While walking back through more mentions than one poll reads: the oldest one read so far (in memory; a restart walks again). */
  private mentionsUntil: string | undefined;
  /** While walking back through more DM events than one poll reads: the events read so far and the next older page (in memory). */
  private dmsWalk: { next: string; items: XDmEvent[]; users: Map<string, XUser> } | undefined;

  /** Reads pages newest-first (from `start`, a page token) until `stop` matches an item (not kept), the last page, or `maxPages`. */
  private async pages<T>(fetch: (token?: string) => Promise<XPage<T>>, stop: (item: T) => boolean, start?: string): Promise<Pages<T>> {
    const got: Pages<T> = { items: [], users: new Map(), stopped: false, complete: false };
    let token = start;
    for (let i = 0; i < this.settings.maxPages; i++) {
      const page = await fetch(token);
      if (i === 0 && page.newestId) got.newest = page.newestId;
      if (page.rateLimit) got.rl = page.rateLimit;
      for (const [id, u] of page.users) got.users.set(id, u);
      for (const item of page.data) {
        if (stop(item)) {
          got.stopped = got.complete = true;
          return got;
        }
        got.items.push(item);
      }
      token = page.nextToken;
      if (!token) {
        got.complete = true;
        return got;
      }
    }
    got.next = token;
    return got;
  }

  private async pollMentions(me: XUser): Promise<{ handled: number; skipped: number }> {
    const now = this.ctx.clock.now();
    const since = await this.cursors.cursor('mentions');
    const startTime = new Date(now.getTime() - this.settings.backfillMinutes * 60_000);
    const until = this.mentionsUntil;
    const got = await this.pages<XPost>(
      (token) =>
        this.client.mentions(me.id, {
          ...(since ? { sinceId: since } : { startTime }),
          ...(until ? { untilId: until } : {}),
          ...(token ? { paginationToken: token } : {}),
        }),
      () => false,
    );
    if (!got.complete && got.items.length > 0) {
      // More mentions since the cursor than one poll reads (a long outage): walk back with until_id, a
      // poll at a time, to the oldest before answering any; the cursor moves only over answered ones,
      // so none is skipped and they are answered in the order they came.
      this.mentionsUntil = got.items.at(-1)!.id;
      this.ctx.logger.warn(
        { channel: this.ctx.channel.id, stream: 'mentions', pages: this.settings.maxPages },
        'more mentions than one poll reads: reading further back first',
      );
      this.space('mentions', got.rl);
      return { handled: 0, skipped: 0 };
    }
    this.mentionsUntil = undefined;
    let handled = 0;
    let skipped = 0;
    for (const post of got.items.reverse()) {
      const reason = this.skipPost(post, me);
      if (reason) {
        skipped++;
        this.ctx.logger.debug({ channel: this.ctx.channel.id, stream: 'mentions', reason }, 'X post skipped');
      } else {
        const author = got.users.get(post.author_id!);
        const conversationId = dmConversationId(me.id, post.author_id!);
        const msg: InboundMessage = {
          channel: this.ctx.channel.id,
          conversationId,
          id: `tweet:${post.id}`,
          from: { id: post.author_id!, ...(author?.name ? { name: author.name } : {}) },
          text: cleanText(post.text),
          receivedAt: arrivedAt(post.created_at, now),
          raw: post,
          ...(placeOf(post) ? { location: placeOf(post)! } : {}),
          ...(post.attachments?.media_keys?.length ? { attachments: mediaOf(post.attachments.media_keys) } : {}),
        };
        const meta: XMeta = {
          mode: this.settings.replyMode,
          participantId: post.author_id!,
          tweetId: post.id,
          ...(author?.username ? { username: author.username } : {}),
        };
        await this.store.touch(
          conversationId,
          { participantId: post.author_id!, lastTweetId: post.id, ...(author?.username ? { username: author.username } : {}) },
          now,
        );
        await this.deliver(msg, meta);
        handled++;
      }
      await this.cursors.advance('mentions', post.id, this.ctx.clock.now(), this.fence);
    }
    if (got.newest) await this.cursors.advance('mentions', got.newest, this.ctx.clock.now(), this.fence);
    this.space('mentions', got.rl);
    return { handled, skipped };
  }

  private skipPost(post: XPost, me: XUser): string | undefined {
    if (typeof post?.id !== 'string' || typeof post.text !== 'string' || typeof post.author_id !== 'string') return 'malformed';
    if (post.author_id === me.id) return 'own-post';
    if (post.referenced_tweets?.some((r) => r.type === 'retweeted')) return 'repost';
    return undefined;
  }

  private async pollDms(me: XUser): Promise<{ handled: number; skipped: number }> {
    const now = this.ctx.clock.now();
    const cursor = await this.cursors.cursor('dms');
    const walk = this.dmsWalk;
    this.dmsWalk = undefined;
    const got = await this.pages<XDmEvent>(
      (token) => this.client.dmEvents(token ? { paginationToken: token } : {}),
      (e) => cursor !== undefined && e?.id === cursor,
      walk?.next,
    );
    if (walk) {
      got.items = [...walk.items, ...got.items];
      for (const [id, u] of walk.users) if (!got.users.has(id)) got.users.set(id, u);
    }
    if (!got.complete && cursor !== undefined && got.next && got.items.length < MAX_WALK_EVENTS) {
      // The cursor lies further back than one poll reads (a long outage): keep what was read and read on
      // from the next page at the next poll; once the cursor is reached, everything read is answered,
      // oldest first. None is skipped (unless the walk passes MAX_WALK_EVENTS).
      this.dmsWalk = { next: got.next, items: got.items, users: got.users };
      this.ctx.logger.warn(
        { channel: this.ctx.channel.id, stream: 'dms', pages: this.settings.maxPages },
        'more DM events than one poll reads: reading further back first',
      );
      this.space('dms', got.rl);
      return { handled: 0, skipped: 0 };
    }
    // First run: only the backfill window. Cursor not reached (deleted event, long outage): back to when it last moved.
    const backfill = this.settings.backfillMinutes * 60_000;
    const oldest = Math.min(now.getTime(), (await this.cursors.cursorUpdatedAt('dms')) ?? Infinity) - backfill;
    if (!got.complete)
      this.ctx.logger.warn({ channel: this.ctx.channel.id, stream: 'dms', pages: this.settings.maxPages }, 'last DM cursor not reached in one poll');
    let handled = 0;
    let skipped = 0;
    for (const e of got.items.reverse()) {
      const reason = this.skipDm(e, me, got.stopped ? -Infinity : oldest);
      if (reason) {
        skipped++;
        this.ctx.logger.debug({ channel: this.ctx.channel.id, stream: 'dms', reason }, 'X DM event skipped');
      } else {
        const conversationId = e.dm_conversation_id ?? dmConversationId(me.id, e.sender_id!);
        const sender = got.users.get(e.sender_id!);
        const msg: InboundMessage = {
          channel: this.ctx.channel.id,
          conversationId,
          id: `dm:${e.id}`,
          from: { id: e.sender_id!, ...(sender?.name ? { name: sender.name } : {}) },
          text: cleanText(e.text ?? ''),
          receivedAt: arrivedAt(e.created_at, now),
          raw: e,
          ...(e.attachments?.media_keys?.length ? { attachments: mediaOf(e.attachments.media_keys) } : {}),
        };
        await this.store.touch(conversationId, { participantId: e.sender_id!, ...(sender?.username ? { username: sender.username } : {}) }, now);
        await this.deliver(msg, { mode: 'dm', participantId: e.sender_id!, ...(sender?.username ? { username: sender.username } : {}) });
        handled++;
      }
      if (typeof e?.id === 'string') await this.cursors.advance('dms', e.id, this.ctx.clock.now(), this.fence);
    }
    this.space('dms', got.rl);
    return { handled, skipped };
  }

  private skipDm(e: XDmEvent, me: XUser, oldest: number): string | undefined {
    if (typeof e?.id !== 'string' || typeof e.sender_id !== 'string') return 'malformed';
    if (e.event_type !== 'MessageCreate') return 'unsupported-event';
    if (e.sender_id === me.id) return 'own-message';
    if (typeof e.text !== 'string' && !e.attachments?.media_keys?.length) return 'malformed';
    if (e.created_at && Date.parse(e.created_at) < oldest) return 'before-backfill';
    return undefined;
  }
}
