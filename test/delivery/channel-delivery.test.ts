/** ChannelDelivery: the events the SLA subscribes to, and batches whose sends wait for the end of the batch. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../bot/core/types.js';
import type { DeliveryLane } from '../../bot/delivery/channel-delivery.js';
import type { DeliveryEvents } from '../../bot/delivery/events.js';
import type { OutboxItem } from '../../bot/delivery/types.js';
import { type ChannelTestContext, channelContext } from '../channels/helpers/channel-context.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

const SUNDAY_0900 = new Date('2026-11-22T05:00:00Z');

describe('ChannelDelivery', () => {
  let tmp: ReturnType<typeof tempDir>;
  let clock: ManualClock;
  let t: ChannelTestContext;
  let lane: DeliveryLane;
  let sent: OutboxItem[];
  let events: Array<[keyof DeliveryEvents, unknown]>;

  const msg = (id: string, conversationId = 'user-1'): InboundMessage => ({
    channel: 'x-alburaimigov',
    conversationId,
    id,
    from: { id: conversationId },
    text: 'I have a complaint',
    receivedAt: clock.now(),
    raw: null,
  });

  beforeEach(() => {
    tmp = tempDir();
    clock = new ManualClock(SUNDAY_0900);
    sent = [];
    events = [];
    t = channelContext({ channelId: 'x-alburaimigov', dataDir: tmp.dir, clock });
    lane = t.ctx.delivery.lane(t.ctx, {
      limits: {},
      transport: async (item) => {
        sent.push(item);
        return { providerMessageId: `p-${item.id}` };
      },
    });
    for (const name of ['queued', 'sent', 'needsHuman'] as const) t.ctx.delivery.events.on(name, (e: unknown) => events.push([name, e]));
  });
  afterEach(async () => {
    await lane.stop();
    await t.close();
    tmp.cleanup();
  });

  it('emits queued when a reply waits in the outbox and sent when the provider accepted it', async () => {
    await lane.receive(msg('m1'));
    expect(events).toEqual([['queued', { channel: 'x-alburaimigov', conversationId: 'user-1', messageId: 'm1', receivedAt: SUNDAY_0900 }]]);
    clock.advance(2000);
    await lane.worker.drain();
    const [, e] = events[1]!;
    expect(events[1]![0]).toBe('sent');
    expect(e).toMatchObject({ item: { inReplyTo: 'm1', providerMessageId: `p-${sent[0]!.id}` }, at: clock.now() });
  });

  it('emits needsHuman, in the turn, for a message the bot does not answer itself', async () => {
    t.ctx.engine.handle = async (_m, turn) => {
      await t.ctx.delivery.transactions.batch([(tx) => turn?.onCommit?.([], tx)]);
      return { replies: [], duplicate: false };
    };
    await lane.receive(msg('held'));
    expect(events.map(([name]) => name)).toEqual(['needsHuman']);
    // Nothing is left for recovery: the message counts as queued in the ledger.
    expect(await lane.recover()).toBe(0);
  });

  it('sends the replies of a batch only after it is flushed', async () => {
    // No loop started: only kicks send, so nothing goes out before the flush.
    const batch = lane.deferKicks();
    await batch.receive(msg('b1', 'u1'));
    await batch.receive(msg('b2', 'u2'));
    expect(lane.outbox.list('x-alburaimigov', 'pending')).toHaveLength(2);
    expect(sent).toHaveLength(0);
    batch.flush();
    await lane.worker.drain();
    expect(sent.map((s) => s.inReplyTo).sort()).toEqual(['b1', 'b2']);
  });
});
