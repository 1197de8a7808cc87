/**
 * The X API v2 calls the adapter needs, through twitter-api-v2 (OAuth 1.0a user context, one client
 * per account), with provider failures mapped to ChannelApiError / NetworkError and the
 * `x-rate-limit-*` headers of every response exposed.
 */
import { ApiResponseError, TwitterApi, type TwitterRateLimit } from 'twitter-api-v2';
import { ChannelApiError, NetworkError } from '../../bot/core/errors.js';

/** A post as the mentions timeline returns it (fields we request). */
export interface XPost {
  id: string;
  text: string;
  author_id?: string;
  conversation_id?: string;
  created_at?: string;
  referenced_tweets?: Array<{ type: string; id: string }>;
  attachments?: { media_keys?: string[] };
  geo?: { place_id?: string; coordinates?: { type: string; coordinates: [number, number] } };
}

/** A direct-message event (MessageCreate). */
export interface XDmEvent {
  id: string;
  event_type: string;
  text?: string;
  sender_id?: string;
  dm_conversation_id?: string;
  created_at?: string;
  attachments?: { media_keys?: string[] };
}

/** A user object of `includes.users`. */
export interface XUser {
  id: string;
  username: string;
  name?: string;
}

/** One page of a v2 list endpoint. */
export interface XPage<T> {
  data: T[];
  users: Map<string, XUser>;
  newestId?: string;
  nextToken?: string;
  rateLimit?: TwitterRateLimit;
}

/** The result of a write call. */
export interface XWrite {
  id: string;
  rateLimit?: TwitterRateLimit;
}

/** OAuth 1.0a credentials of one account. */
export interface XCredentials {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

/** Environment-variable prefix of an account: `X_` + the handle upper-cased (`X_ALBURAIMIGOV_`). */
export function envPrefix(handle: string): string {
  return `X_${handle
    .replace(/^@/, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '_')}_`;
}

/** Reads an account's credentials from the environment; names the missing variables otherwise. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv, handle: string): XCredentials {
  const p = envPrefix(handle);
  const names = { appKey: `${p}APP_KEY`, appSecret: `${p}APP_SECRET`, accessToken: `${p}ACCESS_TOKEN`, accessSecret: `${p}ACCESS_SECRET` };
  const missing = Object.values(names).filter((n) => !env[n]);
  if (missing.length) throw new Error(`X account @${handle}: missing environment variables ${missing.join(', ')}`);
  return { appKey: env[names.appKey]!, appSecret: env[names.appSecret]!, accessToken: env[names.accessToken]!, accessSecret: env[names.accessSecret]! };
}

/** When the exhausted limit of a response resets (the 15-minute window or a 24-hour one), if known. */
export function resetOf(rl: TwitterRateLimit | undefined): Date | undefined {
  if (!rl) return undefined;
  const exhausted = [rl, rl.day, rl.userDay].filter((l) => l && l.remaining <= 0 && Number.isFinite(l.reset));
  const reset = Math.max(...(exhausted.length ? exhausted : [rl]).map((l) => l!.reset));
  return Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : undefined;
}

/** Maps a twitter-api-v2 failure to Tawasul's errors (retryable: 429, 5xx, network, 401 credentials; permanent: other 4xx). */
export function toChannelError(err: unknown, channel: string, now: Date): ChannelApiError | NetworkError {
  if (err instanceof ChannelApiError || err instanceof NetworkError) return err;
  if (err instanceof ApiResponseError) {
    const data = (err.data ?? {}) as { title?: string; detail?: string; errors?: Array<{ code?: number; message?: string }> };
    const detail = data.detail ?? data.errors?.[0]?.message ?? data.title ?? err.message;
    const status = err.code;
    if (status === 429) {
      const reset = resetOf(err.rateLimit);
      const wait = reset ? Math.max(1, Math.ceil((reset.getTime() - now.getTime()) / 1000)) : 15 * 60;
      return new ChannelApiError(`X throttled the request: ${detail}`, channel, status, 88, true, wait, { cause: err });
    }
    const code = /duplicate content/i.test(detail) ? 'duplicate-content' : (data.errors?.[0]?.code ?? data.title);
    // 401: the account's tokens were revoked or expired; retried once they are replaced, not failed.
    const credential = status === 401;
    return new ChannelApiError(`X refused the request: ${detail}`, channel, status, code, status >= 500 || credential, undefined, { cause: err, credential });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new NetworkError(`X request failed before an answer: ${message}`, channel, { cause: err });
}

const TWEET_FIELDS = 'author_id,conversation_id,created_at,referenced_tweets,attachments,geo';
const DM_FIELDS = 'id,text,event_type,created_at,sender_id,dm_conversation_id,attachments';

/** The calls of one X account. */
export class XClient {
  private readonly api: TwitterApi;

  constructor(
    credentials: XCredentials,
    private readonly channel: string,
    private readonly now: () => Date,
    private readonly timeoutMs = 20_000,
  ) {
    this.api = new TwitterApi(credentials);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toChannelError(err, this.channel, this.now());
    }
  }

  /** The authenticated account (`GET /2/users/me`). */
  async me(): Promise<XUser> {
    const r = await this.call(() => this.api.v2.get<{ data: XUser }>('users/me', {}, { timeout: this.timeoutMs }));
    return r.data;
  }

  /** Mentions newer than `sinceId` and older than `untilId` (`GET /2/users/:id/mentions`), newest first, with authors expanded. */
  async mentions(userId: string, opts: { sinceId?: string; untilId?: string; startTime?: Date; paginationToken?: string }): Promise<XPage<XPost>> {
    const query: Record<string, string> = { max_results: '100', expansions: 'author_id', 'tweet.fields': TWEET_FIELDS, 'user.fields': 'username,name' };
    if (opts.sinceId) query.since_id = opts.sinceId;
    else if (opts.startTime) query.start_time = opts.startTime.toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (opts.untilId) query.until_id = opts.untilId;
    if (opts.paginationToken) query.pagination_token = opts.paginationToken;
    const r = await this.call(() => this.api.v2.get(`users/${encodeURIComponent(userId)}/mentions`, query, { fullResponse: true, timeout: this.timeoutMs }));
    return page<XPost>(r.data, r.rateLimit);
  }

  /** Direct-message events (`GET /2/dm_events`, MessageCreate only), newest first. */
  async dmEvents(opts: { paginationToken?: string }): Promise<XPage<XDmEvent>> {
    const query: Record<string, string> = {
      max_results: '100',
      event_types: 'MessageCreate',
      'dm_event.fields': DM_FIELDS,
      expansions: 'sender_id',
      'user.fields': 'username,name',
    };
    if (opts.paginationToken) query.pagination_token = opts.paginationToken;
    const r = await this.call(() => this.api.v2.get('dm_events', query, { fullResponse: true, timeout: this.timeoutMs }));
    return page<XDmEvent>(r.data, r.rateLimit);
  }

  /** A public reply (`POST /2/tweets` with `reply.in_reply_to_tweet_id`). */
  async reply(text: string, inReplyTo: string): Promise<XWrite> {
    const r = await this.call(() =>
      this.api.v2.post<{ data: { id: string } }>(
        'tweets',
        { text, reply: { in_reply_to_tweet_id: inReplyTo } },
        { fullResponse: true, timeout: this.timeoutMs },
      ),
    );
    return { id: r.data.data.id, ...(r.rateLimit ? { rateLimit: r.rateLimit } : {}) };
  }

  /** A direct message (`POST /2/dm_conversations/with/:participant_id/messages`). */
  async sendDm(participantId: string, text: string): Promise<XWrite> {
    const r = await this.call(() =>
      this.api.v2.post<{ data: { dm_event_id: string } }>(
        `dm_conversations/with/${encodeURIComponent(participantId)}/messages`,
        { text },
        { fullResponse: true, timeout: this.timeoutMs },
      ),
    );
    return { id: r.data.data.dm_event_id, ...(r.rateLimit ? { rateLimit: r.rateLimit } : {}) };
  }
}

function page<T>(body: unknown, rateLimit: TwitterRateLimit | undefined): XPage<T> {
  const b = (body ?? {}) as { data?: T[]; includes?: { users?: XUser[] }; meta?: { newest_id?: string; next_token?: string } };
  return {
    data: Array.isArray(b.data) ? b.data : [],
    users: new Map((b.includes?.users ?? []).map((u) => [u.id, u])),
    ...(b.meta?.newest_id ? { newestId: b.meta.newest_id } : {}),
    ...(b.meta?.next_token ? { nextToken: b.meta.next_token } : {}),
    ...(rateLimit ? { rateLimit } : {}),
  };
}
