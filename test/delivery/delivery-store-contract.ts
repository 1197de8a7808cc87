/**
 * The contract every outbox / inbound-ledger implementation passes (SQLite: sqlite-delivery-store.test.ts).
 * Every call is awaited, so an implementation whose methods return promises (PostgreSQL) runs the same suite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundLedger, OutboxStore } from '../../bot/delivery/types.js';

/** A fresh store, a way to reopen it on the same data, and cleanup. */
export interface DeliveryStoreHarness {
  outbox: OutboxStore;
  reopen(): Promise<OutboxStore>;
  close(): Promise<void>;
}

const t0 = new Date('2026-11-22T05:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);
const reply = (text: string) => ({ text, language: 'ar' as const, kind: 'answer' as const });
const message = (id: string): string => JSON.stringify({ channel: 'x', conversationId: 'c', id, from: { id: 'u' }, text: 'hi', receivedAt: t0.toISOString() });

/** Registers the contract tests for one implementation. */
export function deliveryStoreContract(name: string, make: () => Promise<DeliveryStoreHarness>): void {
  describe(`outbox and inbound ledger contract: ${name}`, () => {
    let h: DeliveryStoreHarness;
    let ledger: InboundLedger;
    beforeEach(async () => {
      h = await make();
      ledger = h.outbox.inbox;
    });
    afterEach(async () => {
      await h.close();
    });

    it('takes a message accepted → processing → done → queued, once', async () => {
      expect(await ledger.accept('x', 'm1', message('m1'), { to: 'u' }, t0)).toBe(true);
      expect(await ledger.accept('x', 'm1', message('m1'), { to: 'u' }, t0)).toBe(false);
      expect(await ledger.get('x', 'm1')).toBeUndefined(); // accepted is not claimed
      expect((await ledger.unqueued('x', t0)).map((a) => [a.messageId, a.state, a.meta])).toEqual([['m1', 'accepted', { to: 'u' }]]);
      expect(await ledger.claim('x', 'm1', 'x:c', t0, at(1))).toEqual({ claimed: true });
      expect(await ledger.claim('x', 'm1', 'x:c', t0, at(2))).toEqual({ claimed: false, state: 'processing' });
      expect((await ledger.unqueued('x', at(5)))[0]).toMatchObject({ state: 'processing', message: message('m1') });
      await ledger.complete('x', 'm1', [reply('r1')]);
      expect(await ledger.get('x', 'm1')).toEqual({ state: 'done', replies: [reply('r1')] });
      expect((await ledger.unqueued('x', at(5)))[0]).toMatchObject({ state: 'done', replies: [reply('r1')], message: message('m1') });
      await h.outbox.enqueueFor({ channel: 'x', messageId: 'm1' }, [{ channel: 'x', conversationId: 'c', reply: reply('r1'), inReplyTo: 'm1' }], at(3));
      expect(await ledger.unqueued('x', at(5))).toEqual([]);
      // Queued reads as done to the engine: a redelivery gets the stored replies.
      expect(await ledger.claim('x', 'm1', 'x:c', t0, at(4))).toEqual({ claimed: false, state: 'done', replies: [reply('r1')] });
    });

    it('queues in the turn: replies queued before the claim completes stay queued', async () => {
      await ledger.accept('x', 'm2', message('m2'), {}, t0);
      await ledger.claim('x', 'm2', 'x:c', t0, t0);
      await ledger.markQueued('x', 'm2');
      await ledger.complete('x', 'm2', [reply('r')]);
      expect(await ledger.unqueued('x', at(1))).toEqual([]);
      expect(await ledger.get('x', 'm2')).toEqual({ state: 'done', replies: [reply('r')] });
    });

    it('claims a message never accepted (web chat) and lists it as stale until done, never as unqueued', async () => {
      expect(await ledger.claim('w', 'm3', 'w:c', t0, t0, message('m3'))).toEqual({ claimed: true });
      expect(await ledger.stale(at(1))).toEqual([{ channel: 'w', messageId: 'm3', raw: message('m3') }]);
      expect(await ledger.stale(t0)).toEqual([]);
      expect(await ledger.unqueued('w', at(1))).toEqual([]);
      await ledger.complete('w', 'm3', []);
      expect(await ledger.stale(at(1))).toEqual([]);
    });

    it('claims and completes in one write: a new id is done at once, an accepted one keeps its message, a claimed or done one is refused', async () => {
      expect(await ledger.claimDone('w', 'n1', 'w:c', t0, t0, [reply('r1')])).toEqual({ claimed: true });
      expect(await ledger.get('w', 'n1')).toEqual({ state: 'done', replies: [reply('r1')] });
      expect(await ledger.stale(at(1))).toEqual([]);
      expect(await ledger.claimDone('w', 'n1', 'w:c', t0, at(1), [reply('r2')])).toEqual({ claimed: false, state: 'done', replies: [reply('r1')] });
      expect(await ledger.claim('w', 'n1', 'w:c', t0, at(1))).toEqual({ claimed: false, state: 'done', replies: [reply('r1')] });
      await ledger.claim('w', 'n2', 'w:c', t0, t0);
      expect(await ledger.claimDone('w', 'n2', 'w:c', t0, at(1), [reply('r')])).toEqual({ claimed: false, state: 'processing' });
      await ledger.accept('x', 'n3', message('n3'), {}, t0);
      expect(await ledger.claimDone('x', 'n3', 'x:c', t0, at(1), [reply('r3')])).toEqual({ claimed: true });
      expect((await ledger.unqueued('x', at(5)))[0]).toMatchObject({ messageId: 'n3', state: 'done', replies: [reply('r3')], message: message('n3') });
    });

    it('releases a failed claim: an accepted message goes back to accepted, another is forgotten', async () => {
      await ledger.accept('x', 'a', message('a'), {}, t0);
      await ledger.claim('x', 'a', 'x:c', t0, t0);
      await ledger.release('x', 'a');
      expect(await ledger.get('x', 'a')).toBeUndefined();
      expect((await ledger.unqueued('x', at(1))).map((u) => [u.messageId, u.state])).toEqual([['a', 'accepted']]);
      await ledger.claim('w', 'b', 'w:c', t0, t0);
      await ledger.release('w', 'b');
      expect(await ledger.claim('w', 'b', 'w:c', t0, at(1))).toEqual({ claimed: true });
    });

    it('settles a duplicate: accepted or done becomes queued, a message still processing stays so', async () => {
      await ledger.accept('x', 'd1', message('d1'), {}, t0);
      await ledger.settle('x', 'd1');
      await ledger.accept('x', 'd2', message('d2'), {}, t0);
      await ledger.claim('x', 'd2', 'x:c', t0, t0);
      await ledger.settle('x', 'd2');
      expect((await ledger.unqueued('x', at(1))).map((u) => [u.messageId, u.state])).toEqual([['d2', 'processing']]);
    });

    it('lists unqueued messages per channel, oldest first, up to the instant given', async () => {
      await ledger.accept('x', 'late', message('late'), {}, at(20));
      await ledger.accept('x', 'early', message('early'), {}, at(10));
      await ledger.accept('y', 'other', message('other'), {}, at(0));
      expect((await ledger.unqueued('x', at(30))).map((u) => u.messageId)).toEqual(['early', 'late']);
      expect((await ledger.unqueued('x', at(15))).map((u) => u.messageId)).toEqual(['early']);
    });

    it('orders due items by deadline (none last), then id, per channel, and enqueues per message once', async () => {
      const o = h.outbox;
      await o.enqueue(
        [
          { channel: 'x', conversationId: 'a', reply: reply('none') },
          { channel: 'x', conversationId: 'b', reply: reply('late'), deadline: at(60_000) },
          { channel: 'y', conversationId: 'c', reply: reply('other'), deadline: at(0) },
        ],
        t0,
      );
      await o.enqueueFor({ channel: 'x', messageId: 'm' }, [{ channel: 'x', conversationId: 'd', reply: reply('early'), deadline: at(1) }], t0);
      expect(await o.enqueueFor({ channel: 'x', messageId: 'm' }, [{ channel: 'x', conversationId: 'd', reply: reply('early'), deadline: at(1) }], t0)).toEqual(
        [],
      );
      expect((await o.due('x', t0, 10)).map((i) => i.reply.text)).toEqual(['early', 'late', 'none']);
      expect(await o.due('x', t0, 1)).toHaveLength(1);
    });

    it('records sends, retries and failures; a sent item stays sent', async () => {
      const o = h.outbox;
      const [a, b] = await o.enqueue(
        [
          { channel: 'x', conversationId: 'a', reply: reply('a') },
          { channel: 'x', conversationId: 'b', reply: reply('b') },
        ],
        t0,
      );
      await o.markRetry(a!.id, 'timeout', at(5000));
      expect(await o.due('x', at(1000), 10)).toHaveLength(1);
      expect(await o.get(a!.id)).toMatchObject({ attempts: 1, lastError: 'timeout', state: 'pending' });
      await o.markSent(a!.id, at(6000), 'p-1');
      await o.markFailed(b!.id, 'refused');
      await o.markFailed(a!.id, 'late');
      expect(await o.get(a!.id)).toMatchObject({ state: 'sent', attempts: 2, providerMessageId: 'p-1', sentAt: at(6000) });
      expect((await o.list('x', 'failed')).map((i) => i.id)).toEqual([b!.id]);
      expect(await o.list('x')).toHaveLength(2);
    });

    it('settles sends a crash interrupted: confirmed, resent or held until the provider reports', async () => {
      const o = h.outbox;
      const [a, b, c] = await o.enqueue(
        ['a', 'b', 'c'].map((k) => ({ channel: 'x', conversationId: k, reply: reply(k) })),
        t0,
      );
      for (const i of [a, b, c]) await o.markAttempt(i!.id, t0);
      expect((await o.inDoubt('x')).map((i) => i.id)).toEqual([a!.id, b!.id, c!.id]);
      await o.confirmInDoubt(a!.id, at(1), 'pa');
      await o.resendInDoubt(b!.id);
      await o.holdInDoubt(c!.id, at(60_000));
      expect(await o.inDoubt('x')).toEqual([]);
      expect((await o.due('x', at(2), 10)).map((i) => i.id)).toEqual([b!.id]);
      expect(await o.confirmByProvider(c!.id, at(3), 'pc')).toMatchObject({ state: 'sent', providerMessageId: 'pc' });
      expect(await o.confirmByProvider(c!.id, at(4))).toBeUndefined();
      expect(await o.doubtCounts()).toEqual([{ channel: 'x', resent: 1, confirmed: 2 }]);
    });

    it('lets one worker take a send: a second attempt is refused until the first is older than the lease', async () => {
      const o = h.outbox;
      const [a] = await o.enqueue([{ channel: 'x', conversationId: 'a', reply: reply('a') }], t0);
      const takes = await Promise.all([o.markAttempt(a!.id, at(1), at(-60_000)), o.markAttempt(a!.id, at(1), at(-60_000))]);
      expect(takes.filter(Boolean)).toHaveLength(1);
      expect(await o.markAttempt(a!.id, at(2))).toBe(false);
      expect(await o.markAttempt(a!.id, at(30_000), at(0))).toBe(false);
      // An attempt older than the lease was abandoned (its instance died): taken over.
      expect(await o.markAttempt(a!.id, at(90_000), at(30_000))).toBe(true);
      expect((await o.inDoubt('x', at(0))).map((i) => i.id)).toEqual([]);
      expect((await o.inDoubt('x', at(100_000))).map((i) => i.id)).toEqual([a!.id]);
      await o.markSent(a!.id, at(91_000));
      expect(await o.markAttempt(a!.id, at(200_000), at(150_000))).toBe(false);
    });

    it('keeps everything across a reopen', async () => {
      await h.outbox.inbox.accept('x', 'k', message('k'), {}, t0);
      await h.outbox.enqueue([{ channel: 'x', conversationId: 'a', reply: reply('kept'), meta: { to: 'u' } }], t0);
      const again = await h.reopen();
      expect((await again.list('x', 'pending')).map((i) => [i.reply.text, i.meta])).toEqual([['kept', { to: 'u' }]]);
      expect((await again.inbox.unqueued('x', t0)).map((u) => u.messageId)).toEqual(['k']);
    });
  });
}
