import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { envPrefix } from '../../channels/x/client.js';
import { createXAdapter, type XAdapter, xOptions } from '../../channels/x/index.js';
import { postLength, splitForThread } from '../../channels/x/text.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';
import { type AdapterHarness, adapterContract } from './adapter-contract.js';
import { type ChannelTestContext, channelContext } from './helpers/channel-context.js';
import { drainWorker } from './helpers/worker-drain.js';
import { type FakeAccount, FakeX } from './helpers/x-fake.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const GOV: FakeAccount = { id: '1500000000000000001', username: 'alburaimigov', accessToken: 'token-gov' };
const MUN: FakeAccount = { id: '1500000000000000002', username: 'burmunicpality', accessToken: 'token-mun' };
const ENV = {
  X_ALBURAIMIGOV_APP_KEY: 'app-key',
  X_ALBURAIMIGOV_APP_SECRET: 'app-secret',
  X_ALBURAIMIGOV_ACCESS_TOKEN: GOV.accessToken,
  X_ALBURAIMIGOV_ACCESS_SECRET: 'secret-gov',
  X_BURMUNICPALITY_APP_KEY: 'app-key',
  X_BURMUNICPALITY_APP_SECRET: 'app-secret',
  X_BURMUNICPALITY_ACCESS_TOKEN: MUN.accessToken,
  X_BURMUNICPALITY_ACCESS_SECRET: 'secret-mun',
};
const CHANNEL = { [GOV.username]: 'x-alburaimigov', [MUN.username]: 'x-burmunicpality' } as const;
// minTimeMs 0 under contract: bottleneck spaces job registrations, not starts, so single gaps can be
// shorter than minTime by a few ms; the average spacing is tested below ('spaces sends').
const LIMITS = { maxConcurrent: 1, minTimeMs: 0, reservoir: { amount: 10, refreshMs: 3_600_000 } };
const TEST_OPTIONS = {
  pollIntervalSeconds: 60,
  backfillMinutes: 60,
  limits: { dmPerWindow: 10, postPerWindow: 10, windowMinutes: 60, minTimeMs: 0, maxConcurrent: 1 },
  retry: { baseMs: 1000, maxMs: 60_000, maxAttempts: 5 },
};
const APPROVED_FIRST_LINE = 'مرحباً بك أخي الكريم';

/** Both accounts on one data directory, one fake X, adapters built on demand. */
class Rig {
  readonly clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
  readonly fake = new FakeX(this.clock, [GOV, MUN]);
  readonly tmp = tempDir('tawasul-x-');
  readonly logs: string[] = [];
  readonly adapters = new Map<FakeAccount, XAdapter>();
  private tctx: ChannelTestContext[] = [];

  constructor() {
    server.resetHandlers(...this.fake.handlers());
  }

  /** Builds the adapter of an account (a fresh ChannelContext on the shared SQLite file). */
  async start(account: FakeAccount, options: Record<string, unknown> = {}): Promise<XAdapter> {
    const t = channelContext({ channelId: CHANNEL[account.username]!, dataDir: this.tmp.dir, clock: this.clock, env: ENV, logs: this.logs });
    this.tctx.push(t);
    const adapter = createXAdapter(t.ctx, xOptions.parse({ ...t.ctx.channel.options, ...TEST_OPTIONS, ...options }));
    await adapter.recover();
    this.adapters.set(account, adapter);
    return adapter;
  }

  context(account: FakeAccount): ChannelTestContext {
    return this.tctx.filter((t) => t.ctx.channel.id === CHANNEL[account.username]).at(-1)!;
  }

  async stop(account: FakeAccount): Promise<void> {
    await this.adapters.get(account)?.stop?.();
    await this.context(account)?.close();
  }

  async close(): Promise<void> {
    for (const a of this.adapters.values()) await a.stop?.();
    for (const t of this.tctx) await t.close().catch(() => undefined);
    this.tmp.cleanup();
  }
}

/** The contract harness: DMs to @alburaimigov (DM replies) or mentions of @burmunicpality (public replies). */
async function harness(kind: 'dm' | 'mention'): Promise<AdapterHarness> {
  const rig = new Rig();
  const account = kind === 'dm' ? GOV : MUN;
  const options = { replyMode: kind === 'dm' ? 'dm' : 'public' };
  let adapter = await rig.start(account, options);
  // X is polled: a delivery makes the item visible at X; the adapter reads it at its next poll (in drain).
  const poll = async (): Promise<object> => ({});
  return {
    channelId: CHANNEL[account.username]!,
    clock: rig.clock,
    limits: LIMITS,
    get engine() {
      return rig.context(account).ctx.engine;
    },
    get outbox() {
      return adapter.outbox;
    },
    get received() {
      return rig.context(account).received;
    },
    logs: rig.logs,
    async deliverText(providerId, text, from) {
      const author = rig.fake.user(from);
      if (kind === 'dm') rig.fake.dm(account, { id: providerId, text, sender_id: author });
      else rig.fake.mention(account, { id: providerId, text: `@${account.username} ${text}`, author_id: author });
      return poll();
    },
    async deliverMalformed() {
      if (kind === 'dm') rig.fake.dm(account, { id: rig.fake.nextId() });
      else rig.fake.mentions.get(account.id)!.push({ id: rig.fake.nextId(), created_at: rig.clock.now().toISOString() } as never);
      return poll();
    },
    async deliverUnsupported(providerId, from) {
      const author = rig.fake.user(from);
      if (kind === 'dm') rig.fake.dm(account, { id: providerId, event_type: 'ParticipantsJoin', sender_id: author });
      else rig.fake.mention(account, { id: providerId, text: `@${account.username}`, author_id: author, attachments: { poll_ids: ['1199786642468413448'] } });
      return poll();
    },
    async drain() {
      await adapter.poller.poll({ force: true });
      await drainWorker(adapter.worker);
    },
    sent: () => rig.fake.sent(account),
    failNext: (n, mode) => rig.fake.failNext(n, mode),
    async restart() {
      await rig.stop(account);
      adapter = await rig.start(account, options);
    },
    close: () => rig.close(),
  };
}

adapterContract('x (direct messages, DM replies)', () => harness('dm'));
adapterContract('x (mentions, public replies)', () => harness('mention'));

describe('x adapter', () => {
  let rig: Rig;
  afterEach(async () => {
    await rig?.close();
  });

  it('polls mentions with since_id, answers oldest first, and advances the cursor only past claimed posts', async () => {
    rig = new Rig();
    const a = await rig.start(GOV);
    const u1 = rig.fake.user('salim');
    const u2 = rig.fake.user('mariam');
    const t1 = rig.fake.mention(GOV, { text: '@alburaimigov الشارع مليء بالحفر', author_id: u1 });
    const t2 = rig.fake.mention(GOV, { text: '@alburaimigov @burmunicpality أين أقدم شكوى؟', author_id: u2 });
    expect(await a.poller.poll()).toMatchObject({ mentions: 2 });
    const received = rig.context(GOV).received;
    expect(received.map((m) => m.id)).toEqual([`tweet:${t1}`, `tweet:${t2}`]);
    expect(received[1]!.text).toBe('أين أقدم شكوى؟');
    expect(received[0]!.conversationId).toBe(`${u1}-${GOV.id}`);
    const first = rig.fake.requests.find((r) => r.path.endsWith('/mentions'))!;
    expect(first.query.get('since_id')).toBeNull();
    expect(first.query.get('start_time')).toBe('2026-11-22T04:00:00Z');
    expect(first.query.get('expansions')).toBe('author_id');
    expect(await a.cursors.cursor('mentions')).toBe(t2);

    // A new mention: the next poll asks only for posts after the cursor.
    const t3 = rig.fake.mention(GOV, { text: '@alburaimigov شكرا', author_id: u1 });
    rig.clock.advance(61_000);
    expect(await a.poller.poll()).toMatchObject({ mentions: 1 });
    expect(
      rig.fake.requests
        .filter((r) => r.path.endsWith('/mentions'))
        .at(-1)!
        .query.get('since_id'),
    ).toBe(t2);
    expect(await a.cursors.cursor('mentions')).toBe(t3);
    await drainWorker(a.worker);
    // replyMode dm: every mention is answered privately, to its author.
    expect(rig.fake.sent(GOV).map((s) => s.to)).toEqual([u1, u2, u1]);
  });

  it('skips its own posts, reposts and its own DMs; never answers one post twice', async () => {
    rig = new Rig();
    const a = await rig.start(GOV);
    const u = rig.fake.user('huda');
    rig.fake.mention(GOV, { text: '@alburaimigov تنبيه: إغلاق طريق', author_id: GOV.id });
    rig.fake.mention(GOV, { text: 'RT @alburaimigov: إغلاق طريق', author_id: u, referenced_tweets: [{ type: 'retweeted', id: '1' }] });
    rig.fake.dm(GOV, { text: 'رد سابق منا', sender_id: GOV.id });
    const real = rig.fake.mention(GOV, { text: '@alburaimigov عندي شكوى', author_id: u });
    expect(await a.poller.poll()).toEqual({ mentions: 1, dms: 0, skipped: 3 });
    await drainWorker(a.worker);
    expect(rig.fake.sent(GOV)).toHaveLength(1);
    // The cursor is lost (restored backup): X returns the same post again; it gets no second reply.
    rig.context(GOV).ctx.sql.db.prepare('DELETE FROM x_cursors').run();
    rig.clock.advance(120_000);
    await a.poller.poll();
    await drainWorker(a.worker);
    expect(rig.fake.sent(GOV)).toHaveLength(1);
    expect(rig.context(GOV).received.filter((m) => m.id === `tweet:${real}`)).toHaveLength(2);
  });

  it('pages DM events down to the last one claimed, and ignores DMs older than the backfill on first start', async () => {
    rig = new Rig();
    const u = rig.fake.user('khalid');
    rig.fake.dms.get(GOV.id)!.push({
      id: '1000',
      event_type: 'MessageCreate',
      text: 'old',
      sender_id: u,
      dm_conversation_id: `${u}-${GOV.id}`,
      created_at: '2026-11-20T05:00:00.000Z',
    });
    const sent = Array.from({ length: 150 }, (_, i) => rig.fake.dm(GOV, { text: `رسالة ${i}`, sender_id: rig.fake.user(`r${i}`) }));
    const a = await rig.start(GOV);
    expect(await a.poller.poll()).toMatchObject({ dms: 150, skipped: 1 });
    const dmReads = rig.fake.requests.filter((r) => r.path === '/2/dm_events');
    expect(dmReads).toHaveLength(2);
    expect(dmReads[0]!.query.get('event_types')).toBe('MessageCreate');
    expect(dmReads[1]!.query.get('pagination_token')).toBe(sent[50]); // the 100th newest: the first page's last
    const last = rig.fake.dm(GOV, { text: 'جديد', sender_id: u });
    rig.clock.advance(61_000);
    expect(await a.poller.poll()).toMatchObject({ dms: 1 });
    expect(rig.fake.requests.filter((r) => r.path === '/2/dm_events')).toHaveLength(3);
    expect(await a.cursors.cursor('dms')).toBe(last);
  });

  it('public replies thread under the post, prefixed with @username; long replies become a thread that resumes after a failure', async () => {
    rig = new Rig();
    const a = await rig.start(MUN, { replyMode: 'public' });
    const u = rig.fake.user('john');
    const tweet = rig.fake.mention(MUN, { text: '@burmunicpality I want to complain about the garbage', author_id: u });
    await a.poller.poll();
    const [item] = await a.outbox.list('x-burmunicpality');
    expect(postLength(`@john ${item!.reply.text}`)).toBeGreaterThan(280);
    // The first post goes out, the second fails on the network: the retry posts only the second.
    let calls = 0;
    const posts = (): number => rig.fake.requests.filter((r) => r.method === 'POST' && r.path === '/2/tweets').length;
    rig.fake.remaining.set('tweets', 100);
    const parts = splitForThread(item!.reply.text, 280 - '@john '.length);
    expect(parts.length).toBeGreaterThan(1);
    server.events.on('request:start', ({ request }) => {
      if (request.method === 'POST' && request.url.endsWith('/2/tweets') && ++calls === 2) rig.fake.failNext(1, 'network');
    });
    await drainWorker(a.worker);
    server.events.removeAllListeners();
    expect((await a.outbox.get(item!.id))!.state).toBe('pending');
    rig.clock.advance(120_000);
    await drainWorker(a.worker);
    expect((await a.outbox.get(item!.id))!.state).toBe('sent');
    expect(posts()).toBe(parts.length + 1);
    const [record] = rig.fake.accepted;
    expect(record).toMatchObject({ kind: 'post', to: u, inReplyTo: tweet });
    expect(record!.ids).toHaveLength(parts.length);
    expect(record!.text.startsWith('@john مرحباً بك')).toBe(true);
    expect((await a.outbox.get(item!.id))!.providerMessageId).toBe(record!.ids[0]);
  });

  it('answers a mention by DM in dm mode, and publicly when the resident does not accept DMs', async () => {
    rig = new Rig();
    const a = await rig.start(GOV, { replyMode: 'dm' });
    const u = rig.fake.user('aisha');
    const tweet = rig.fake.mention(GOV, { text: '@alburaimigov لدي بلاغ عن تسرب مياه', author_id: u });
    rig.fake.failNext(1, 'permanent');
    await a.poller.poll();
    await drainWorker(a.worker);
    const [record] = rig.fake.sent(GOV);
    expect(record).toMatchObject({ kind: 'post', inReplyTo: tweet });
    expect(record!.text).toContain(APPROVED_FIRST_LINE);
    rig.fake.mention(GOV, { text: '@alburaimigov شكوى أخرى', author_id: u });
    rig.clock.advance(61_000);
    await a.poller.poll();
    await drainWorker(a.worker);
    expect(rig.fake.accepted.at(-1)).toMatchObject({ kind: 'dm', to: u });
  });

  it('on 429 pauses sending until x-rate-limit-reset, then sends once; a poll 429 waits for the reset too', async () => {
    rig = new Rig();
    const a = await rig.start(GOV);
    const u = rig.fake.user('nasser');
    rig.fake.dm(GOV, { text: 'عندي شكوى', sender_id: u });
    rig.fake.failNext(1, 'throttle');
    await a.poller.poll();
    await drainWorker(a.worker);
    const [item] = await a.outbox.list('x-alburaimigov');
    expect(item).toMatchObject({ state: 'pending', attempts: 1 });
    expect(item!.lastError).toContain('status=429');
    expect(item!.nextAttemptAt.getTime()).toBe(rig.clock.now().getTime() + 900_000);
    rig.clock.advance(899_000);
    expect(await drainWorker(a.worker)).toBe(0);
    rig.clock.advance(1_000);
    await drainWorker(a.worker);
    expect((await a.outbox.get(item!.id))!.state).toBe('sent');
    expect(rig.fake.sent(GOV)).toHaveLength(1);

    rig.fake.failNextPoll(429, 600);
    rig.clock.advance(61_000);
    await a.poller.poll();
    expect(a.poller.nextPollInMs()).toBe(60_000);
    const reads = (): number => rig.fake.requests.filter((r) => r.path.endsWith('/mentions')).length;
    const before = reads();
    rig.clock.advance(300_000);
    await a.poller.poll();
    expect(reads()).toBe(before);
    rig.clock.advance(300_000);
    await a.poller.poll();
    expect(reads()).toBe(before + 1);
    expect(rig.logs.some((l) => l.includes('X poll failed') && l.includes('429'))).toBe(true);
  });

  it('spaces polls by the remaining calls of the window and pauses sending when a write spends the window', async () => {
    rig = new Rig();
    const a = await rig.start(GOV, { dms: false });
    rig.fake.remaining.set('mentions', 3); // after this call: 2 left until the reset (900 s)
    await a.poller.poll();
    expect(a.poller.nextPollInMs()).toBe(450_000);
    rig.fake.remaining.set('mentions', 1);
    rig.clock.advance(450_000);
    await a.poller.poll();
    expect(rig.fake.requests.filter((r) => r.path.endsWith('/mentions'))).toHaveLength(2);
    rig.clock.advance(60_000);
    await a.poller.poll();
    expect(rig.fake.requests.filter((r) => r.path.endsWith('/mentions'))).toHaveLength(2); // waiting for the reset

    rig.fake.remaining.set('dm', 1);
    const u1 = rig.fake.user('one');
    const u2 = rig.fake.user('two');
    await a.send(`${u1}-${GOV.id}`, [{ text: 'ignored: no such conversation', language: 'ar', kind: 'agent' }]);
    a.store.touch(`${u1}-${GOV.id}`, { participantId: u1 }, rig.clock.now());
    a.store.touch(`${u2}-${GOV.id}`, { participantId: u2 }, rig.clock.now());
    await a.send(`${u1}-${GOV.id}`, [{ text: 'رسالة من الموظف', language: 'ar', kind: 'agent' }]);
    await a.send(`${u2}-${GOV.id}`, [{ text: 'رسالة أخرى', language: 'ar', kind: 'agent' }]);
    await drainWorker(a.worker);
    expect(rig.fake.sent(GOV)).toHaveLength(1);
    rig.clock.advance(900_000);
    await drainWorker(a.worker);
    expect(rig.fake.sent(GOV).map((s) => s.to)).toEqual([u1, u2]);
  });

  it('spaces sends by minTimeMs on average and stops at the per-window DM limit', async () => {
    rig = new Rig();
    const a = await rig.start(GOV, { limits: { dmPerWindow: 6, windowMinutes: 15, minTimeMs: 40 } });
    for (let i = 0; i < 8; i++) rig.fake.dm(GOV, { text: `شكوى رقم ${i}`, sender_id: rig.fake.user(`s${i}`) });
    await a.poller.poll();
    await drainWorker(a.worker);
    const sent = rig.fake.sent(GOV);
    expect(sent).toHaveLength(6);
    expect(sent.at(-1)!.at - sent[0]!.at).toBeGreaterThanOrEqual(5 * 40 - 10);
    expect(a.outbox.list('x-alburaimigov', 'pending')).toHaveLength(2);
  });

  it("records X's 403 duplicate content as a permanent failure; @username prefixes keep equal replies distinct", async () => {
    rig = new Rig();
    const a = await rig.start(MUN, { replyMode: 'public', mentionAuthor: false });
    for (const who of ['amal', 'badr']) rig.fake.mention(MUN, { text: '@burmunicpality عندي شكوى', author_id: rig.fake.user(who) });
    await a.poller.poll();
    await drainWorker(a.worker);
    const items = await a.outbox.list('x-burmunicpality');
    expect(items.map((i) => i.state)).toEqual(['sent', 'failed']);
    expect(items[1]!.lastError).toContain('code=duplicate-content');
    const b = await rig.start(GOV, { replyMode: 'public' });
    for (const who of ['amal', 'badr']) rig.fake.mention(GOV, { text: '@alburaimigov عندي شكوى', author_id: rig.fake.user(who) });
    await b.poller.poll();
    await drainWorker(b.worker);
    expect((await b.outbox.list('x-alburaimigov')).map((i) => i.state)).toEqual(['sent', 'sent']);
  });

  it('after more mentions than one poll reads, walks back to the oldest and answers every one, oldest first', async () => {
    rig = new Rig();
    const a = await rig.start(GOV, { replyMode: 'dm', maxPagesPerPoll: 1 });
    const users = ['r1', 'r2', 'r3', 'r4', 'r5'].map((u) => rig.fake.user(u));
    const ids = Array.from({ length: 250 }, (_, i) => rig.fake.mention(GOV, { text: `@alburaimigov عندي شكوى رقم ${i}`, author_id: users[i % 5]! }));
    const handled: number[] = [];
    for (let i = 0; i < 8; i++) handled.push((await a.poller.poll({ force: true })).mentions);
    // 100 per page, one page per poll: two polls walk back, then 50 answered; one walks back, then 100; then 100.
    expect(handled).toEqual([0, 0, 50, 0, 100, 100, 0, 0]);
    const inbox = rig.context(GOV).ctx.sql.db.prepare("SELECT message_id FROM inbox WHERE channel = 'x-alburaimigov' ORDER BY rowid").pluck().all() as string[];
    expect(inbox).toEqual(ids.map((id) => `tweet:${id}`));
    expect(rig.logs.filter((l) => l.includes('reading further back first'))).toHaveLength(3);
  });

  it('after more DM events than one poll reads, reads on to the cursor and answers every one, oldest first', async () => {
    rig = new Rig();
    const a = await rig.start(GOV, { maxPagesPerPoll: 1 });
    const first = rig.fake.dm(GOV, { text: 'السلام عليكم', sender_id: rig.fake.user('d0') });
    expect((await a.poller.poll({ force: true })).dms).toBe(1);
    const users = ['d1', 'd2', 'd3', 'd4', 'd5'].map((u) => rig.fake.user(u));
    const ids = Array.from({ length: 250 }, (_, i) => rig.fake.dm(GOV, { text: `عندي شكوى رقم ${i}`, sender_id: users[i % 5]! }));
    const handled: number[] = [];
    for (let i = 0; i < 5; i++) handled.push((await a.poller.poll({ force: true })).dms);
    // 100 per page, one page per poll: two polls read on, the third reaches the cursor and answers all 250.
    expect(handled).toEqual([0, 0, 250, 0, 0]);
    const inbox = rig.context(GOV).ctx.sql.db.prepare("SELECT message_id FROM inbox WHERE channel = 'x-alburaimigov' ORDER BY rowid").pluck().all() as string[];
    expect(inbox).toEqual([first, ...ids].map((id) => `dm:${id}`));
    expect(rig.logs.filter((l) => l.includes('more DM events than one poll reads'))).toHaveLength(2);
  });

  it('keeps replies queued while X refuses the credentials, pausing the channel, and sends them once they work', async () => {
    rig = new Rig();
    const a = await rig.start(GOV, { replyMode: 'dm' });
    for (const who of ['hind', 'saif']) rig.fake.dm(GOV, { text: 'عندي شكوى على البلدية', sender_id: rig.fake.user(who) });
    await a.poller.poll();
    rig.fake.revoke(GOV);
    // Seven refusals: more than the retry policy's five attempts, which would fail an item for any other error.
    for (let i = 0; i < 7; i++) {
      await drainWorker(a.worker); // one probe per pause (at most the policy's one-minute cap here)
      rig.clock.advance(2 * 60_000);
    }
    const waiting = await a.outbox.list('x-alburaimigov');
    expect(waiting.map((i) => i.state)).toEqual(['pending', 'pending']);
    expect(waiting[0]!.lastError).toContain('401');
    expect(rig.logs.filter((l) => l.includes('refused the credentials'))).toHaveLength(7);
    rig.fake.revoke(GOV, false);
    await drainWorker(a.worker);
    expect((await a.outbox.list('x-alburaimigov')).map((i) => i.state)).toEqual(['sent', 'sent']);
    expect(rig.fake.sent(GOV)).toHaveLength(2);
  });

  it('backs off both streams when X refuses the credentials, and logs no secret', async () => {
    rig = new Rig();
    const t = channelContext({
      channelId: 'x-alburaimigov',
      dataDir: rig.tmp.dir,
      clock: rig.clock,
      env: { ...ENV, X_ALBURAIMIGOV_ACCESS_TOKEN: 'revoked-token' },
      logs: rig.logs,
    });
    const a = createXAdapter(t.ctx, xOptions.parse({ ...t.ctx.channel.options, ...TEST_OPTIONS }));
    rig.adapters.set(GOV, a);
    await expect(a.poller.poll()).rejects.toMatchObject({ status: 401 });
    expect(a.poller.nextPollInMs()).toBe(60_000);
    expect(rig.logs.join('\n')).not.toMatch(/revoked-token|secret-gov|app-secret/);
    await t.close();
  });

  it('serves both accounts side by side: own credentials, own cursors, own reply mode', async () => {
    rig = new Rig();
    const gov = await rig.start(GOV, { replyMode: 'dm' });
    const mun = await rig.start(MUN, { replyMode: 'public' });
    const u = rig.fake.user('fatma');
    rig.fake.mention(GOV, { text: '@alburaimigov شكوى للمحافظة', author_id: u });
    const t = rig.fake.mention(MUN, { text: '@burmunicpality شكوى للبلدية', author_id: u });
    await Promise.all([gov.poller.poll(), mun.poller.poll()]);
    await drainWorker(gov.worker);
    await drainWorker(mun.worker);
    expect(rig.fake.sent(GOV)).toMatchObject([{ kind: 'dm', to: u }]);
    expect(rig.fake.sent(MUN)).toMatchObject([{ kind: 'post', to: u, inReplyTo: t }]);
    expect(await gov.cursors.cursor('mentions')).not.toBe(await mun.cursors.cursor('mentions'));
    expect(rig.fake.requests.every((r) => r.account !== undefined)).toBe(true);
    expect(envPrefix('burmunicpality')).toBe('X_BURMUNICPALITY_');
  });

  it('start() polls and sends on its own timers; stop() ends them', async () => {
    rig = new Rig();
    const t = channelContext({ channelId: 'x-alburaimigov', dataDir: rig.tmp.dir, clock: rig.clock, env: ENV, logs: rig.logs });
    const a = createXAdapter(t.ctx, xOptions.parse({ ...t.ctx.channel.options, ...TEST_OPTIONS, workerPollMs: 50 }));
    rig.adapters.set(GOV, a);
    rig.fake.dm(GOV, { text: 'السلام عليكم', sender_id: rig.fake.user('saeed') });
    await a.start!();
    await rig.fake.changes.until(() => rig.fake.sent(GOV).length > 0, 'the worker to answer on its own timers');
    await a.stop!();
    await t.close();
    expect(rig.fake.sent(GOV)).toHaveLength(1);
  });

  it('refuses to start without the account credentials, naming the variables', () => {
    rig = new Rig();
    const t = channelContext({ channelId: 'x-alburaimigov', dataDir: rig.tmp.dir, clock: rig.clock, env: {} });
    expect(() => createXAdapter(t.ctx, xOptions.parse(t.ctx.channel.options))).toThrow(/X_ALBURAIMIGOV_APP_KEY/);
    void t.close();
  });
});

describe('x post length', () => {
  it('counts URLs as 23, Arabic as 1 and emoji as 2 per code point', () => {
    expect(postLength('https://tajawob.om/a/very/long/path/that/is/longer/than/23')).toBe(23);
    expect(postLength('مرحبا')).toBe(5);
    expect(postLength('👍')).toBe(2);
  });
  it('splits long text at paragraph, line and word boundaries within the limit', () => {
    const text = `${'كلمة '.repeat(70).trim()}\n\n${'word '.repeat(90).trim()}\nhttps://tajawob.om`;
    const parts = splitForThread(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(postLength(p)).toBeLessThanOrEqual(280);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
  });
});
