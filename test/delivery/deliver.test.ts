import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../bot/core/types.js';
import { type DeliveryLane, firstResponseDeadline } from '../../bot/delivery/channel-delivery.js';
import { Inbox } from '../../bot/delivery/inbox.js';
import type { OutboxWorker } from '../../bot/delivery/outbox-worker.js';
import type { OutboxItem, OutboxStore } from '../../bot/delivery/types.js';
import { type ChannelTestContext, channelContext } from '../channels/helpers/channel-context.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

// Sunday 22 Nov 2026, 09:00 in Muscat (UTC+4).
const SUNDAY_0900 = new Date('2026-11-22T05:00:00Z');

describe('firstResponseDeadline', () => {
  let t: ChannelTestContext;
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
    t = channelContext({ channelId: 'whatsapp', dataDir: tmp.dir, clock: new ManualClock(SUNDAY_0900) });
  });
  afterEach(async () => {
    await t.close();
    tmp.cleanup();
  });
  const cal = () => t.ctx.engine.deps.calendar;
  const ch = (id: string) => t.ctx.config.channels.find((c) => c.id === id)!;

  it('is immediate, wall minutes, open hours or the end of the open period', () => {
    expect(firstResponseDeadline(ch('webchat'), cal(), SUNDAY_0900)).toEqual(SUNDAY_0900);
    expect(firstResponseDeadline(ch('x-alburaimigov'), cal(), SUNDAY_0900)).toEqual(new Date('2026-11-22T05:30:00Z'));
    // WhatsApp 08:00–13:00: by 13:00 the same day; a Thursday-evening message by Sunday 13:00.
    expect(firstResponseDeadline(ch('whatsapp'), cal(), SUNDAY_0900)).toEqual(new Date('2026-11-22T09:00:00Z'));
    expect(firstResponseDeadline(ch('whatsapp'), cal(), new Date('2026-11-26T16:00:00Z'))).toEqual(new Date('2026-11-29T09:00:00Z'));
    // E-mail: 24 hours of official time (08:00–14:20) from Sunday 09:00.
    const email = firstResponseDeadline(ch('email'), cal(), SUNDAY_0900);
    expect(email.getTime()).toBeGreaterThan(new Date('2026-11-24T00:00:00Z').getTime());
  });
});

describe('a delivery lane: receive and recover', () => {
  let tmp: ReturnType<typeof tempDir>;
  let clock: ManualClock;
  let t: ChannelTestContext;
  let outbox: OutboxStore;
  let worker: OutboxWorker;
  let lane: DeliveryLane;
  let sent: OutboxItem[];

  const open = () => {
    t = channelContext({ channelId: 'x-alburaimigov', dataDir: tmp.dir, clock });
    lane = t.ctx.delivery.lane(t.ctx, {
      limits: {},
      transport: async (item) => {
        sent.push(item);
        return {};
      },
      metaOf: () => ({ replyMode: 'dm' }),
    });
    ({ outbox, worker } = lane);
  };
  const msg = (id: string, text = 'I have a complaint'): InboundMessage => ({
    channel: 'x-alburaimigov',
    conversationId: 'user-1',
    id,
    from: { id: 'user-1' },
    text,
    receivedAt: clock.now(),
    raw: { secret: true },
  });

  beforeEach(() => {
    tmp = tempDir();
    clock = new ManualClock(SUNDAY_0900);
    sent = [];
    open();
  });
  afterEach(async () => {
    await worker.stop();
    await t.close();
    tmp.cleanup();
  });

  it('queues the replies with meta and deadline, once, and sends them', async () => {
    const r = await lane.receive(msg('m1'), { replyMode: 'dm' });
    expect(r.duplicate).toBe(false);
    expect((await lane.receive(msg('m1'), {})).duplicate).toBe(true);
    await worker.drain();
    expect(sent).toHaveLength(r.replies.length);
    expect(sent[0]).toMatchObject({ inReplyTo: 'm1', meta: { replyMode: 'dm' }, receivedAt: SUNDAY_0900, deadline: new Date('2026-11-22T05:30:00Z') });
    expect(sent[0]!.reply.kind).toBe('tajawob');
  });

  it('recovers, after a crash, messages accepted but not claimed, claimed but unfinished, and finished but not queued', async () => {
    // 1: accepted, never reached the engine. 2: claimed, engine died. 3: engine finished, replies not queued.
    outbox.inbox.accept('x-alburaimigov', 'a1', JSON.stringify({ ...msg('a1'), raw: undefined }), { replyMode: 'dm' }, clock.now());
    outbox.inbox.accept('x-alburaimigov', 'a2', JSON.stringify({ ...msg('a2'), raw: undefined }), { replyMode: 'public' }, clock.now());
    const inbox = new Inbox(t.ctx.sql);
    inbox.claim('x-alburaimigov', 'a2', 'x-alburaimigov:user-1', clock.now(), clock.now(), JSON.stringify({ ...msg('a2'), raw: undefined }));
    outbox.inbox.accept('x-alburaimigov', 'a3', JSON.stringify({ ...msg('a3'), raw: undefined }), {}, clock.now());
    await t.ctx.engine.handle(msg('a3'));
    // 4: claimed through engine.handle directly (not via receive), engine died.
    inbox.claim('x-alburaimigov', 'a4', 'x-alburaimigov:user-1', clock.now(), clock.now(), JSON.stringify({ ...msg('a4'), raw: undefined }));
    await worker.stop();
    await t.close();

    clock.advance(1000);
    open();
    const n = await lane.recover();
    expect(n).toBe(4);
    await worker.drain();
    expect(sent.map((s) => s.inReplyTo).sort()).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(sent.find((s) => s.inReplyTo === 'a2')!.meta).toEqual({ replyMode: 'public' });
    expect(await lane.recover()).toBe(0);
    // A redelivery after recovery is a duplicate.
    expect((await lane.receive(msg('a1'))).duplicate).toBe(true);
    await worker.drain();
    expect(sent).toHaveLength(4);
  });

  it("queues the replies in the turn's own transaction: when queueing fails, the turn is undone and answered later", async () => {
    const enqueueFor = outbox.enqueueFor.bind(outbox);
    outbox.enqueueFor = () => {
      throw new Error('disk full');
    };
    await expect(lane.receive(msg('u1'))).rejects.toThrow('disk full');
    // Nothing of the turn committed: no transcript line, no done claim; the message is still accepted.
    expect(t.ctx.engine.deps.conversations.transcript('x-alburaimigov:user-1')).toEqual([]);
    expect(new Inbox(t.ctx.sql).get('x-alburaimigov', 'u1')).toBeUndefined();
    expect((await outbox.inbox.unqueued('x-alburaimigov', clock.now())).map((a) => a.messageId)).toEqual(['u1']);
    outbox.enqueueFor = enqueueFor;
    expect(await lane.recover()).toBe(1);
    await worker.drain();
    expect(sent.map((s) => s.inReplyTo)).toEqual(['u1']);
    expect((await t.ctx.engine.deps.conversations.transcript('x-alburaimigov:user-1')).filter((l) => l.direction === 'in')).toHaveLength(1);
  });
});
