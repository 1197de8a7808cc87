/**
 * A fake X API v2 for msw (`https://api.x.com/2/...`, the base twitter-api-v2 1.29 calls), with
 * payloads shaped like X's documentation: `data` / `includes.users` / `meta` (newest_id,
 * next_token), `x-rate-limit-*` headers on every response, RFC 7807-style error bodies (429,
 * 403 duplicate content). Accounts are told apart by the OAuth 1.0a `oauth_token`.
 */
import { type HttpHandler, HttpResponse, http } from 'msw';
import type { Clock } from '../../../bot/engine/context.js';
import { Conditions } from '../../helpers/conditions.js';
import type { FailureMode, SentRecord } from '../adapter-contract.js';

/** An account the fake serves. */
export interface FakeAccount {
  id: string;
  username: string;
  accessToken: string;
}

interface Post {
  id: string;
  text: string;
  author_id: string;
  conversation_id: string;
  created_at: string;
  referenced_tweets?: Array<{ type: string; id: string }>;
  attachments?: Record<string, string[]>;
  geo?: unknown;
}
interface DmEvent {
  id: string;
  event_type: string;
  text?: string;
  sender_id?: string;
  dm_conversation_id?: string;
  created_at: string;
  attachments?: { media_keys: string[] };
}

/** One write X accepted. */
export interface Accepted extends SentRecord {
  account: string;
  kind: 'dm' | 'post';
  id: string;
  /** Public replies: the post answered. */
  inReplyTo?: string;
  /** Thread continuations merged into this record (post ids). */
  ids: string[];
}

const api = (path: string): string => `https://api.x.com/2/${path}`;
/** X's one-to-one conversation id: both user ids, numerically smaller first. */
const pair = (a: string, b: string): string => [a, b].sort((x, y) => x.length - y.length || (x < y ? -1 : x > y ? 1 : 0)).join('-');
const problem = (status: number, title: string, detail: string): Record<string, unknown> => ({ title, detail, type: 'about:blank', status });

/** The fake X. */
export class FakeX {
  readonly users = new Map<string, { id: string; username: string; name: string }>();
  readonly mentions = new Map<string, Post[]>();
  readonly dms = new Map<string, DmEvent[]>();
  readonly accepted: Accepted[] = [];
  /** Notified at each accepted post or DM: `changes.until(cond, what)` waits on them. */
  readonly changes = new Conditions();
  /** Every request: method, path, query, account. */
  readonly requests: Array<{ method: string; path: string; query: URLSearchParams; account?: string }> = [];
  /** Per endpoint key: remaining calls in the current window (default plenty). */
  readonly remaining = new Map<string, number>();
  private failures: FailureMode[] = [];
  private pollFailures: Array<{ status: number; resetInSeconds: number }> = [];
  private seq = 2_000_000_000_000_000_000n;
  private postedTexts = new Map<string, Set<string>>();
  private byToken = new Map<string, FakeAccount>();

  constructor(
    private readonly clock: Clock,
    accounts: FakeAccount[],
  ) {
    for (const a of accounts) {
      this.byToken.set(a.accessToken, a);
      this.users.set(a.id, { id: a.id, username: a.username, name: a.username });
      this.mentions.set(a.id, []);
      this.dms.set(a.id, []);
    }
  }

  /** A fresh numeric id (snowflake-like). */
  nextId(): string {
    return String(++this.seq);
  }

  /** Registers a resident; returns their user id. */
  user(key: string, id = `7${(this.users.size + 100).toString().padStart(8, '0')}`): string {
    const existing = [...this.users.values()].find((u) => u.username === key);
    if (existing) return existing.id;
    this.users.set(id, { id, username: key, name: `Resident ${key}` });
    return id;
  }

  /** A resident mentions the account. */
  mention(account: FakeAccount, post: Partial<Post> & { text: string; author_id: string }): string {
    const id = post.id ?? this.nextId();
    this.mentions.get(account.id)!.push({ conversation_id: id, created_at: this.clock.now().toISOString(), ...post, id });
    return id;
  }

  /** A DM event in the account's inbox (raw: any shape, for malformed events). */
  dm(account: FakeAccount, event: Partial<DmEvent> & { id?: string }): string {
    const id = event.id ?? this.nextId();
    const conv = event.sender_id ? pair(account.id, event.sender_id) : undefined;
    this.dms
      .get(account.id)!
      .push({ event_type: 'MessageCreate', created_at: this.clock.now().toISOString(), ...(conv ? { dm_conversation_id: conv } : {}), ...event, id });
    return id;
  }

  /** The next `n` writes fail this way. */
  failNext(n: number, mode: FailureMode): void {
    for (let i = 0; i < n; i++) this.failures.push(mode);
  }

  /** Refuses (401) or accepts again the account's access token, as X does once it is revoked or restored. */
  revoke(account: FakeAccount, revoked = true): void {
    if (revoked) this.byToken.delete(account.accessToken);
    else this.byToken.set(account.accessToken, account);
  }

  /** The next read fails with `status` (429: window spent until `resetInSeconds`). */
  failNextPoll(status: number, resetInSeconds = 900): void {
    this.pollFailures.push({ status, resetInSeconds });
  }

  /** Writes accepted for one account, thread continuations merged into their first post. */
  sent(account?: FakeAccount): Accepted[] {
    return this.accepted.filter((a) => !account || a.account === account.id);
  }

  private reset(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + 900;
  }

  private headers(key: string, limit = 900): Record<string, string> {
    const left = this.remaining.get(key) ?? limit;
    this.remaining.set(key, Math.max(0, left - 1));
    return { 'x-rate-limit-limit': String(limit), 'x-rate-limit-remaining': String(Math.max(0, left - 1)), 'x-rate-limit-reset': String(this.reset()) };
  }

  private account(request: Request): FakeAccount | undefined {
    const token = /oauth_token="([^"]*)"/.exec(request.headers.get('authorization') ?? '')?.[1];
    return token ? this.byToken.get(decodeURIComponent(token)) : undefined;
  }

  private log(request: Request, account?: FakeAccount): URL {
    const url = new URL(request.url);
    this.requests.push({ method: request.method, path: url.pathname, query: url.searchParams, ...(account ? { account: account.id } : {}) });
    return url;
  }

  private unauthorized(): Response {
    return HttpResponse.json(problem(401, 'Unauthorized', 'Unauthorized'), { status: 401 });
  }

  private readFailure(key: string): Response | undefined {
    const f = this.pollFailures.shift();
    if (!f) return undefined;
    const reset = String(Math.floor(this.clock.now().getTime() / 1000) + f.resetInSeconds);
    return HttpResponse.json(problem(f.status, 'Too Many Requests', 'Too Many Requests'), {
      status: f.status,
      headers: { 'x-rate-limit-limit': '10', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset, 'x-key': key },
    });
  }

  private writeFailure(key: string, permanent: { status: number; title: string; detail: string }): Response | undefined {
    const mode = this.failures.shift();
    if (!mode) return undefined;
    if (mode === 'network') return HttpResponse.error();
    if (mode === 'throttle') {
      return HttpResponse.json(problem(429, 'Too Many Requests', 'Too Many Requests'), {
        status: 429,
        headers: { 'x-rate-limit-limit': '200', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(this.reset()), 'x-key': key },
      });
    }
    return HttpResponse.json(problem(permanent.status, permanent.title, permanent.detail), { status: permanent.status, headers: this.headers(key) });
  }

  private page<T extends { id: string }>(items: T[], url: URL, extra: (page: T[]) => Record<string, unknown>): Record<string, unknown> {
    const max = Number(url.searchParams.get('max_results') ?? 100);
    // Like X's, a token marks a place in the timeline (after its item), not an offset: newer items do not move it.
    const token = url.searchParams.get('pagination_token');
    const offset = token ? items.findIndex((i) => i.id === token) + 1 : 0;
    const slice = items.slice(offset, offset + max);
    const next = offset + max < items.length ? slice.at(-1)!.id : undefined;
    if (slice.length === 0) return { meta: { result_count: 0 } };
    return {
      data: slice,
      ...extra(slice),
      meta: { result_count: slice.length, newest_id: slice[0]!.id, oldest_id: slice.at(-1)!.id, ...(next ? { next_token: next } : {}) },
    };
  }

  private includes(ids: Array<string | undefined>): Record<string, unknown> {
    const users = [...new Set(ids.filter((i): i is string => !!i))].map((i) => this.users.get(i)).filter(Boolean);
    return users.length ? { includes: { users } } : {};
  }

  /** The msw handlers. */
  handlers(): HttpHandler[] {
    return [
      http.get(api('users/me'), ({ request }) => {
        const a = this.account(request);
        this.log(request, a);
        if (!a) return this.unauthorized();
        return HttpResponse.json({ data: { id: a.id, name: a.username, username: a.username } }, { headers: this.headers('me', 75) });
      }),
      http.get(api('users/:id/mentions'), ({ request, params }) => {
        const a = this.account(request);
        const url = this.log(request, a);
        if (!a || params.id !== a.id) return this.unauthorized();
        const failed = this.readFailure('mentions');
        if (failed) return failed;
        let posts = this.mentions.get(a.id)!;
        const since = url.searchParams.get('since_id');
        if (since) posts = posts.slice(posts.map((p) => p.id).lastIndexOf(since) + 1);
        const until = url.searchParams.get('until_id');
        if (until) posts = posts.filter((p) => BigInt(p.id) < BigInt(until));
        const start = url.searchParams.get('start_time');
        if (start) posts = posts.filter((p) => p.created_at >= start);
        const newestFirst = [...posts].reverse();
        return HttpResponse.json(
          this.page(newestFirst, url, (slice) => this.includes(slice.map((p) => p.author_id))),
          { headers: this.headers('mentions', 450) },
        );
      }),
      http.get(api('dm_events'), ({ request }) => {
        const a = this.account(request);
        const url = this.log(request, a);
        if (!a) return this.unauthorized();
        const failed = this.readFailure('dm_events');
        if (failed) return failed;
        const newestFirst = [...this.dms.get(a.id)!].reverse();
        return HttpResponse.json(
          this.page(newestFirst, url, (slice) => this.includes(slice.map((e) => e.sender_id))),
          { headers: this.headers('dm_events', 300) },
        );
      }),
      http.post(api('tweets'), async ({ request }) => {
        const at = performance.now();
        const a = this.account(request);
        this.log(request, a);
        if (!a) return this.unauthorized();
        const body = (await request.json()) as { text?: string; reply?: { in_reply_to_tweet_id?: string } };
        const failed = this.writeFailure('tweets', {
          status: 403,
          title: 'Forbidden',
          detail:
            'Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.',
        });
        if (failed) return failed;
        if (typeof body.text !== 'string' || !body.text)
          return HttpResponse.json(
            {
              errors: [{ message: 'text is required' }],
              title: 'Invalid Request',
              detail: 'One or more parameters to your request was invalid.',
              type: 'https://api.twitter.com/2/problems/invalid-request',
            },
            { status: 400 },
          );
        const texts = this.postedTexts.get(a.id) ?? new Set();
        if (texts.has(body.text))
          return HttpResponse.json(problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.'), {
            status: 403,
            headers: this.headers('tweets', 100),
          });
        texts.add(body.text);
        this.postedTexts.set(a.id, texts);
        const id = this.nextId();
        const parent = body.reply?.in_reply_to_tweet_id;
        const head = parent ? this.accepted.find((r) => r.account === a.id && r.ids.includes(parent)) : undefined;
        if (head) {
          head.ids.push(id);
          head.text += `\n${body.text}`;
        } else {
          const to = [...this.mentions.values()].flat().find((p) => p.id === parent)?.author_id ?? 'unknown';
          this.accepted.push({ account: a.id, kind: 'post', id, ids: [id], to, text: body.text, at, ...(parent ? { inReplyTo: parent } : {}) });
        }
        this.changes.notify();
        return HttpResponse.json({ data: { id, text: body.text, edit_history_tweet_ids: [id] } }, { status: 201, headers: this.headers('tweets', 100) });
      }),
      http.post(api('dm_conversations/with/:participant/messages'), async ({ request, params }) => {
        const at = performance.now();
        const a = this.account(request);
        this.log(request, a);
        if (!a) return this.unauthorized();
        const body = (await request.json()) as { text?: string };
        const failed = this.writeFailure('dm', { status: 403, title: 'Forbidden', detail: 'You are not permitted to send Direct Messages to this user.' });
        if (failed) return failed;
        const to = String(params.participant);
        const id = this.nextId();
        this.accepted.push({ account: a.id, kind: 'dm', id, ids: [id], to, text: body.text ?? '', at });
        this.changes.notify();
        return HttpResponse.json({ data: { dm_conversation_id: pair(a.id, to), dm_event_id: id } }, { status: 201, headers: this.headers('dm', 200) });
      }),
    ];
  }
}
