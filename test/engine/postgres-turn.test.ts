/**
 * The engine's atomic turn on PostgreSQL (real PostgreSQL 15 on loopback): the Engine built over the
 * PostgreSQL stores answers an inquiry and a complaint with their transcript, state and outbox items
 * committed in the turn's transaction; a duplicated delivery gets one reply; a claim a crash left
 * behind is replayed once; a confirmation whose end of turn did not commit is retried and finds the
 * request it filed; many conversations at once (batches spread over connections) each get every
 * turn claimed, ended and queued once. The first-response record stays a `reply.produced` listener
 * (SQLite today).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { silentLogger } from '../../bot/core/logger.js';
import { Templates } from '../../bot/core/templates.js';
import type { InboundMessage, OutboundReply } from '../../bot/core/types.js';
import type { ConversationLocks } from '../../bot/engine/conversation-locks.js';
import { Engine } from '../../bot/engine/engine.js';
import { KeyedQueue } from '../../bot/engine/keyed-queue.js';
import type { Transactions, TurnTx, TurnUnit } from '../../bot/engine/turn-tx.js';
import type { Classifier } from '../../bot/nlu/types.js';
import { openPostgresStores, type PostgresStores } from '../../bot/store/postgres/stores.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { ManualClock } from '../helpers/tmp.js';
import { ANSWERS, asked } from '../reliability/scenarios.js';

/** Greetings, complaints and "when" questions by keyword; anything else unknown. */
const classifier: Classifier = {
  async classify(text, fallback) {
    const language = /[\u0600-\u06FF]/.test(text) ? 'ar' : /[a-z]/i.test(text) ? 'en' : (fallback ?? 'ar');
    const t = text.trim();
    const intent = /^(hi|hello|السلام عليكم)/i.test(t) ? 'greeting' : /شكوى|complain/i.test(t) ? 'complaint' : /متى|when/i.test(t) ? 'inquiry' : 'unknown';
    return { language, intent, service: null, confidence: 1 };
  },
};

/** Transactions whose n-th batch from now fails before it begins (a crash before the commit). */
class Failing implements Transactions {
  failIn = 0;
  constructor(private readonly inner: Transactions) {}
  batch(units: readonly TurnUnit[]) {
    if (this.failIn > 0 && --this.failIn === 0) return Promise.reject(new Error('connection lost'));
    return this.inner.batch(units);
  }
}

describe.skipIf(skipPostgres)('the engine on PostgreSQL', () => {
  const pgServer = usePostgres();
  const open: PostgresStores[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  async function engineOn(
    url?: string,
    more: { classifier?: Classifier; locks?: ConversationLocks } = {},
  ): Promise<{ engine: Engine; stores: PostgresStores; tx: Failing; clock: ManualClock }> {
    const stores = await openPostgresStores(url ?? (await pgServer.database()));
    open.push(stores);
    const config = loadConfig({});
    const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
    const tx = new Failing(stores.transactions);
    const engine = new Engine({
      deps: {
        config,
        templates: new Templates(),
        calendar: new WorkingCalendar(config.calendar),
        classifier: more.classifier ?? classifier,
        requests: stores.requests,
        conversations: stores.turn.conversations,
        clock,
        logger: silentLogger,
      },
      state: stores.turn.state,
      inbox: stores.turn.inbox,
      transactions: tx,
      ...(more.locks ? { locks: more.locks } : {}),
    });
    return { engine, stores, tx, clock };
  }

  let n = 0;
  const message = (clock: ManualClock, text: string, cid = 'c1', id = `m${++n}`): InboundMessage => ({
    channel: 'webchat',
    conversationId: cid,
    id,
    from: { id: cid },
    text,
    receivedAt: clock.now(),
    raw: null,
  });
  /** Queues the replies in the turn's outbox view, as the delivery layer does. */
  const queueing = (msg: InboundMessage) => ({
    onCommit: async (replies: OutboundReply[], tx: TurnTx) => {
      await tx.outbox.enqueueFor(
        { channel: msg.channel, messageId: msg.id },
        replies.map((reply) => ({ channel: msg.channel, conversationId: msg.conversationId, reply, inReplyTo: msg.id })),
        msg.receivedAt,
      );
    },
  });

  it('answers an inquiry and a complaint: transcript, state, ledger and outbox committed with the turn', async () => {
    const { engine, stores, clock } = await engineOn();
    const hello = message(clock, 'السلام عليكم');
    const r1 = await engine.handle(hello, queueing(hello));
    expect(r1.duplicate).toBe(false);
    expect(r1.replies[0]?.kind).toBe('greeting');
    const ask = message(clock, 'متى الدوام؟');
    const r2 = await engine.handle(ask, queueing(ask));
    expect(r2.replies.length).toBeGreaterThan(0);
    const complaint = message(clock, 'عندي شكوى على البلدية');
    const r3 = await engine.handle(complaint, queueing(complaint));
    expect(r3.replies.map((r) => r.kind)).toEqual(['tajawob']);
    const lines = await stores.turn.conversations.transcript('webchat:c1');
    expect(lines.filter((l) => l.direction === 'in').map((l) => l.text)).toEqual(['السلام عليكم', 'متى الدوام؟', 'عندي شكوى على البلدية']);
    expect(lines.filter((l) => l.direction === 'out')).toHaveLength(r1.replies.length + r2.replies.length + r3.replies.length);
    expect((await stores.turn.state.load('webchat:c1', clock.now()))?.lastIntent).toBe('complaint');
    expect(await stores.turn.inbox.get('webchat', complaint.id)).toEqual({ state: 'done', replies: r3.replies });
    const queued = await stores.turn.outbox.list('webchat');
    expect(queued.map((i) => i.reply.text)).toEqual([...r1.replies, ...r2.replies, ...r3.replies].map((r) => r.text));
  });

  it('a message delivered twice at once, and again later, gets one reply', async () => {
    const { engine, stores, clock } = await engineOn();
    const msg = message(clock, 'السلام عليكم', 'c2', 'same');
    const [a, b] = await Promise.all([engine.handle(msg, queueing(msg)), engine.handle(msg, queueing(msg))]);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    const first = a.duplicate ? b : a;
    expect((a.duplicate ? a : b).previous).toEqual(first.replies);
    const later = await engine.handle(msg);
    expect(later).toEqual({ replies: [], duplicate: true, previous: first.replies });
    expect((await stores.turn.conversations.transcript('webchat:c2')).filter((l) => l.direction === 'in')).toHaveLength(1);
    expect(await stores.turn.outbox.list('webchat')).toHaveLength(first.replies.length);
  });

  it('two instances on one database given the same message: one turn, one reply', async () => {
    const url = await pgServer.database();
    const [one, two] = await Promise.all([engineOn(url), engineOn(url)]);
    const msg = message(one.clock, 'السلام عليكم', 'c3', 'both');
    const results = await Promise.all([one.engine.handle(msg, queueing(msg)), two.engine.handle(msg, queueing(msg))]);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await one.stores.turn.conversations.transcript('webchat:c3')).filter((l) => l.direction === 'in')).toHaveLength(1);
    expect(await one.stores.turn.outbox.list('webchat')).toHaveLength(results.find((r) => !r.duplicate)!.replies.length);
  });

  it('an instance given a message another instance is still answering waits for it (conversation lock) and makes no second turn', async () => {
    const url = await pgServer.database();
    // The cluster-wide conversation lock, shared by both engines (Redis in production: RedisConversationLocks).
    const queue = new KeyedQueue();
    const locks: ConversationLocks = { shared: true, hold: (key, task) => queue.run(key, task) };
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const slow: Classifier = {
      async classify(text, fallback) {
        entered();
        await held;
        return classifier.classify(text, fallback);
      },
    };
    const one = await engineOn(url, { classifier: slow, locks });
    const two = await engineOn(url, { locks });
    const msg = message(one.clock, 'السلام عليكم', 'c6', 'redelivered');
    const first = one.engine.handle(msg, queueing(msg));
    await inside;
    // The first instance's claim is committed (group commit at the start of its turn): the provider's
    // redelivery reaching the second instance finds it 'processing', not done.
    for (let i = 0; i < 100 && (await two.stores.turn.inbox.get('webchat', msg.id)) === undefined; i++) await new Promise((r) => setImmediate(r));
    expect((await two.stores.turn.inbox.get('webchat', msg.id))?.state).toBe('processing');
    const second = two.engine.handle(msg, queueing(msg));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ replies: [], duplicate: true, previous: a.replies });
    expect((await one.stores.turn.conversations.transcript('webchat:c6')).filter((l) => l.direction === 'in')).toHaveLength(1);
    expect(await one.stores.turn.outbox.list('webchat')).toHaveLength(a.replies.length);
  });

  it('a turn whose claim another instance took over while it waited for the lock answers nothing twice', async () => {
    const url = await pgServer.database();
    const queue = new KeyedQueue();
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    // The first instance reaches the lock late (its gate), the second at once; both share the lock.
    const late: ConversationLocks = { shared: true, hold: async (key, task) => gate.then(() => queue.run(key, task)) };
    const prompt: ConversationLocks = { shared: true, hold: (key, task) => queue.run(key, task) };
    const one = await engineOn(url, { locks: late });
    const two = await engineOn(url, { locks: prompt });
    const msg = message(one.clock, 'السلام عليكم', 'c7', 'taken-over');
    const first = one.engine.handle(msg, queueing(msg));
    // The first instance's claim commits while its turn waits for the lock.
    for (let i = 0; i < 100 && (await two.stores.turn.inbox.get('webchat', msg.id)) === undefined; i++) await new Promise((r) => setImmediate(r));
    expect((await two.stores.turn.inbox.get('webchat', msg.id))?.state).toBe('processing');
    // The provider's redelivery reaches the second instance, which takes the claim over and answers.
    const second = await two.engine.handle(msg, queueing(msg));
    expect(second.duplicate).toBe(false);
    open();
    expect(await first).toEqual({ replies: [], duplicate: true, previous: second.replies });
    expect((await one.stores.turn.conversations.transcript('webchat:c7')).filter((l) => l.direction === 'in')).toHaveLength(1);
    expect(await one.stores.turn.outbox.list('webchat')).toHaveLength(second.replies.length);
  });

  it('replays, once, a claim a crash left between claim and end', async () => {
    const { engine, stores, clock } = await engineOn();
    const msg = message(clock, 'السلام عليكم', 'c4', 'cut');
    // What a crash leaves: the claim with the message for replay, no replies, no turn in flight.
    await stores.turn.inbox.claim(msg.channel, msg.id, 'webchat:c4', msg.receivedAt, clock.now(), JSON.stringify({ ...msg, raw: undefined }));
    clock.advance(60_000);
    expect(await engine.recover(['webchat'], clock.now())).toBe(1);
    const row = await stores.turn.inbox.get(msg.channel, msg.id);
    expect(row?.state).toBe('done');
    expect(row?.replies?.[0]?.kind).toBe('greeting');
    expect(await engine.recover(['webchat'], clock.now())).toBe(0);
    expect(await engine.handle(msg)).toMatchObject({ duplicate: true, previous: row?.replies });
  });

  it('a confirmation whose end of turn did not commit files once: its retry finds the request and answers with the reference', async () => {
    const { engine, stores, tx, clock } = await engineOn();
    const say = async (text: string) => (await engine.handle(message(clock, text, 'c5'))).replies;
    await say('السلام عليكم');
    await say('2');
    let replies = await say('1');
    for (let i = 0; asked(replies) !== 'confirm'; i++) {
      expect(i).toBeLessThan(12);
      replies = await say(ANSWERS[asked(replies)!]!);
    }
    const confirm = message(clock, 'نعم', 'c5', 'confirm');
    tx.failIn = 2; // the claim commits, the end of the turn does not
    await expect(engine.handle(confirm)).rejects.toThrow('connection lost');
    expect(await stores.requests.count()).toBe(1);
    const again = await engine.handle(confirm);
    expect(again.duplicate).toBe(false);
    const [rec] = await stores.requests.list();
    expect(again.replies.map((r) => r.text).join('\n')).toContain(rec!.reference);
    expect(await stores.requests.count()).toBe(1);
  });

  it('many conversations at once (batches spread over connections): every turn claimed, ended and queued once, in order', async () => {
    const { engine, stores, clock } = await engineOn();
    const msgs = Array.from({ length: 24 }, (_, c) =>
      ['السلام عليكم', 'متى الدورة؟', 'شكوى'].map((text, i) => message(clock, text, `p${c}`, `p${c}-${i}`)),
    ).flat();
    const results = await Promise.all(msgs.map((m) => engine.handle(m, queueing(m))));
    expect(results.every((r) => !r.duplicate && r.replies.length > 0)).toBe(true);
    const n = async (sql: string): Promise<number> => Number((await stores.pool.query<{ n: string }>(sql)).rows[0]?.n);
    // A turn's end committed before its claim would leave the row 'processing' (its UPDATE found nothing).
    expect(await n(`SELECT count(*) AS n FROM inbox WHERE message_id LIKE 'p%' AND state = 'queued'`)).toBe(msgs.length);
    expect(await n(`SELECT count(*) AS n FROM transcript WHERE key LIKE 'webchat:p%' AND direction = 'in'`)).toBe(msgs.length);
    const replies = results.reduce((sum, r) => sum + r.replies.length, 0);
    expect(await n(`SELECT count(*) AS n FROM outbox WHERE conversation_id LIKE 'p%'`)).toBe(replies);
    expect(await n(`SELECT count(*) AS n FROM transcript WHERE key LIKE 'webchat:p%' AND direction = 'out'`)).toBe(replies);
  });
});
