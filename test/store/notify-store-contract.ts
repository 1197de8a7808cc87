/**
 * The contract every notification store passes: the outbox's rows (`NotifyStore`) and the system
 * notifications (`SystemNotifications`), reached through the SLA store that owns them, so that
 * writes inside its transaction commit or roll back with it (SQLite: notify-store.test.ts,
 * PostgreSQL: postgres-notify-store.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxStore } from '../../bot/delivery/types.js';
import type { NewNotification } from '../../bot/notify/store.js';
import { sampleRequest } from './request-store-contract.js';
import type { SlaStoreHarness } from './sla-store-contract.js';

const T0 = Date.parse('2026-11-22T06:00:00Z');
const MIN = 60_000;

export const notification = (key: string, over: Partial<NewNotification> = {}): NewNotification => ({
  dedupeKey: key,
  channel: 'sms',
  recipient: { kind: 'role', id: 'training-manager' },
  language: 'ar',
  purpose: 'escalation',
  reference: 'BUR-2026-ABCDE',
  subject: 'تصعيد',
  body: `نص ${key}`,
  window: 'staff',
  ...over,
});

/** A harness of the notification stores, with the reply outbox sharing their table. */
export type NotifyStoreHarness = SlaStoreHarness & { replies: OutboxStore };

/** Registers the contract tests for one implementation. */
export function notifyStoreContract(name: string, make: () => Promise<NotifyStoreHarness>): void {
  describe(`NotifyStore and SystemNotifications contract: ${name}`, () => {
    let h: NotifyStoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('stores a notification once per dedupe key and reads it back whole', async () => {
      const n = h.store.notices;
      expect(await n.enqueue(notification('k1', { requestId: 7 }), T0 + MIN, T0)).toBe(true);
      expect(await n.enqueue(notification('k1', { body: 'other' }), T0, T0)).toBe(false);
      const [row] = await n.list({});
      expect(row).toMatchObject({
        channel: 'sms',
        recipient: { kind: 'role', id: 'training-manager' },
        language: 'ar',
        purpose: 'escalation',
        reference: 'BUR-2026-ABCDE',
        subject: 'تصعيد',
        body: 'نص k1',
        window: 'staff',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0 + MIN,
        createdAt: T0,
      });
      expect(row!.lastError).toBeUndefined();
      expect(row!.sentAt).toBeUndefined();
      expect(await n.counts()).toEqual([{ channel: 'sms', status: 'pending', count: 1 }]);
    });

    it('shares the one outbox table with the replies, neither seeing the other', async () => {
      const n = h.store.notices;
      const reply = { text: 'r', language: 'ar' as const, kind: 'answer' as const };
      const [item] = await h.replies.enqueue([{ channel: 'webchat', conversationId: 'c1', reply }], new Date(T0));
      expect(await n.enqueue(notification('k1', { window: 'any' }), T0, T0)).toBe(true);
      const [row] = await n.list({});
      expect(row!.id).not.toBe(item!.id);
      expect(await n.list({})).toHaveLength(1);
      expect(await n.counts()).toEqual([{ channel: 'sms', status: 'pending', count: 1 }]);
      expect((await n.duePage(T0, [Number.MIN_SAFE_INTEGER, 0], 10)).map((r) => r.id)).toEqual([row!.id]);
      expect((await h.replies.due('webchat', new Date(T0), 10)).map((i) => i.id)).toEqual([item!.id]);
      expect(await h.replies.due('sms', new Date(T0), 10)).toEqual([]);
      // A notification's requeue never touches a reply, even a failed one.
      await h.replies.markFailed(item!.id, 'x');
      expect(await n.requeue(item!.id, T0)).toBe(false);
    });

    it('pages due rows in (nextAttemptAt, id) order after a cursor, leaving rows not due or not pending', async () => {
      const n = h.store.notices;
      for (let i = 0; i < 5; i++) await n.enqueue(notification(`d${i}`), T0 + (i % 2) * MIN, T0);
      await n.enqueue(notification('later'), T0 + 10 * MIN, T0);
      const all = await n.duePage(T0 + MIN, [Number.MIN_SAFE_INTEGER, 0], 100);
      expect(all.map((r) => r.body)).toEqual(['نص d0', 'نص d2', 'نص d4', 'نص d1', 'نص d3']);
      const first = await n.duePage(T0 + MIN, [Number.MIN_SAFE_INTEGER, 0], 2);
      const last = first[first.length - 1]!;
      const rest = await n.duePage(T0 + MIN, [last.nextAttemptAt, last.id], 100);
      expect([...first, ...rest].map((r) => r.id)).toEqual(all.map((r) => r.id));
      await n.markSent(all[0]!.id, T0, 'p1');
      expect((await n.duePage(T0 + MIN, [Number.MIN_SAFE_INTEGER, 0], 100)).map((r) => r.body)).not.toContain('نص d0');
    });

    it('settles a page in one call: defers and parks only rows still as read', async () => {
      const n = h.store.notices;
      for (const k of ['a', 'b', 'c', 'd']) await n.enqueue(notification(k), T0, T0);
      const [a, b, c, d] = await n.duePage(T0, [Number.MIN_SAFE_INTEGER, 0], 10);
      const changed = await n.settle([
        { id: a!.id, expect: T0, kind: 'defer', nextAttemptAt: T0 + 5 * MIN },
        { id: b!.id, expect: T0, kind: 'defer', nextAttemptAt: T0 + 6 * MIN, lastError: 'sms transport not configured' },
        { id: c!.id, expect: T0, kind: 'park', lastError: 'no sms address for role' },
        { id: d!.id, expect: T0 - 1, kind: 'park', lastError: 'stale' },
      ]);
      expect([...changed].sort((x, y) => x - y)).toEqual([a!.id, b!.id, c!.id]);
      const byId = new Map((await n.list({})).map((r) => [r.id, r]));
      expect(byId.get(a!.id)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 5 * MIN, attempts: 0 });
      expect(byId.get(a!.id)!.lastError).toBeUndefined();
      expect(byId.get(b!.id)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 6 * MIN, lastError: 'sms transport not configured' });
      expect(byId.get(c!.id)).toMatchObject({ status: 'failed', lastError: 'no sms address for role' });
      expect(byId.get(d!.id)).toMatchObject({ status: 'pending', nextAttemptAt: T0 });
    });

    it('leases a row to one claimer, counting the attempt, and records each outcome', async () => {
      const n = h.store.notices;
      await n.enqueue(notification('k'), T0, T0);
      const [row] = await n.duePage(T0, [Number.MIN_SAFE_INTEGER, 0], 10);
      expect(await n.claim(row!.id, T0, T0 + 10 * MIN)).toBe(true);
      expect(await n.claim(row!.id, T0, T0 + 10 * MIN)).toBe(false);
      expect(await n.duePage(T0 + MIN, [Number.MIN_SAFE_INTEGER, 0], 10)).toEqual([]);
      // A sender that died: the lease expires and the row is due again.
      expect((await n.duePage(T0 + 10 * MIN, [Number.MIN_SAFE_INTEGER, 0], 10)).map((r) => [r.id, r.attempts])).toEqual([[row!.id, 1]]);
      await n.markRetry(row!.id, T0 + 2 * MIN, '503');
      expect((await n.list({}))[0]).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 2 * MIN, lastError: '503' });
      expect(await n.claim(row!.id, T0 + 2 * MIN, T0 + 12 * MIN)).toBe(true);
      await n.markSent(row!.id, T0 + 2 * MIN, 'provider-1');
      const sent = (await n.list({ status: 'sent' }))[0]!;
      expect(sent).toMatchObject({ status: 'sent', attempts: 2, sentAt: T0 + 2 * MIN });
      expect(sent.lastError).toBeUndefined();
      expect(await n.requeue(row!.id, T0 + 3 * MIN)).toBe(false);
    });

    it('parks a failed row and re-queues it due at once with its attempts reset', async () => {
      const n = h.store.notices;
      await n.enqueue(notification('k'), T0, T0);
      const [row] = await n.duePage(T0, [Number.MIN_SAFE_INTEGER, 0], 10);
      await n.claim(row!.id, T0, T0 + 10 * MIN);
      await n.markFailed(row!.id, '400');
      expect((await n.list({ status: 'failed' })).map((r) => [r.attempts, r.lastError])).toEqual([[1, '400']]);
      expect(await n.requeue(row!.id, T0 + MIN)).toBe(true);
      expect(await n.requeue(row!.id, T0 + MIN)).toBe(false);
      expect((await n.list({}))[0]).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: T0 + MIN });
    });

    it('lists newest first, by status and by reference in any case, within the limit', async () => {
      const n = h.store.notices;
      await n.enqueue(notification('1', { reference: 'BUR-2026-AAAAA', channel: 'email' }), T0, T0);
      await n.enqueue(notification('2', { reference: 'BUR-2026-BBBBB' }), T0, T0);
      await n.enqueue(notification('3', { reference: 'BUR-2026-AAAAA' }), T0, T0);
      expect((await n.list({})).map((r) => r.body)).toEqual(['نص 3', 'نص 2', 'نص 1']);
      expect((await n.list({ reference: 'bur-2026-aaaaa' })).map((r) => r.body)).toEqual(['نص 3', 'نص 1']);
      expect((await n.list({ limit: 1 })).map((r) => r.body)).toEqual(['نص 3']);
      expect(await n.list({ status: 'failed' })).toEqual([]);
      const counts = (await n.counts()).sort((x, y) => x.channel.localeCompare(y.channel));
      expect(counts).toEqual([
        { channel: 'email', status: 'pending', count: 1 },
        { channel: 'sms', status: 'pending', count: 2 },
      ]);
    });

    it('commits notices and system notifications with the SLA transaction, or rolls them back with it', async () => {
      const at = new Date(T0);
      await expect(
        h.store.tx(async (s) => {
          await s.notices.enqueue(notification('rolled'), T0, T0);
          await s.system.add({ role: 'head', kind: 'escalation', level: 1, title: 't', body: 'b' }, at);
          throw new Error('claim failed');
        }),
      ).rejects.toThrow('claim failed');
      expect(await h.store.notices.list({})).toEqual([]);
      expect(await h.store.system.lastId()).toBe(0);
      await h.store.tx(async (s) => {
        expect(await s.notices.enqueue(notification('kept'), T0, T0)).toBe(true);
        await s.system.add({ role: 'head', kind: 'escalation', level: 1, title: 't', body: 'b' }, at);
      });
      expect((await h.store.notices.list({})).map((r) => r.body)).toEqual(['نص kept']);
      expect((await h.store.system.list()).map((x) => x.role)).toEqual(['head']);
    });

    it('stores system notifications and lists them by role, unread and reference', async () => {
      const s = h.store.system;
      const at = new Date(T0);
      const a = await s.add({ role: 'head', kind: 'escalation', level: 1, requestId: 1, reference: 'BUR-2026-AAAAA', title: 'ta', body: 'ba' }, at);
      const b = await s.add({ role: 'director', kind: 'escalation', level: 2, title: 'tb', body: 'bb' }, new Date(T0 + MIN));
      expect(b).toBeGreaterThan(a);
      expect(await s.lastId()).toBe(b);
      expect((await s.list()).map((x) => x.id)).toEqual([b, a]);
      expect(await s.list({ role: 'head' })).toEqual([
        { id: a, role: 'head', kind: 'escalation', level: 1, reference: 'BUR-2026-AAAAA', title: 'ta', body: 'ba', createdAt: at },
      ]);
      expect((await s.list({ reference: 'bur-2026-aaaaa' })).map((x) => x.id)).toEqual([a]);
      expect(await s.markRead(a, 'agent:1', new Date(T0 + 2 * MIN))).toBe(true);
      expect(await s.markRead(a, 'agent:2', new Date(T0 + 3 * MIN))).toBe(false);
      expect(await s.markRead(999_999, 'agent:1', new Date(T0))).toBe(false);
      expect((await s.list({ unread: true })).map((x) => x.id)).toEqual([b]);
      expect((await s.list({ role: 'head' }))[0]).toMatchObject({ readAt: new Date(T0 + 2 * MIN), readBy: 'agent:1' });
      expect((await s.list({ limit: 1 })).map((x) => x.id)).toEqual([b]);
    });

    it("joins each notification to its request's department: a department's view, and the live stream after an id", async () => {
      const roads = await h.requests.create(sampleRequest());
      const training = await h.requests.create(sampleRequest({ serviceId: 'training', department: 'training' }));
      const s = h.store.system;
      const at = new Date(T0);
      const n1 = await s.add({ role: 'head', kind: 'escalation', level: 1, reference: roads.reference, title: 't1', body: 'b' }, at);
      const n2 = await s.add({ role: 'head', kind: 'escalation', level: 1, reference: training.reference, title: 't2', body: 'b' }, at);
      const n3 = await s.add({ role: 'head', kind: 'notice', title: 't3', body: 'b' }, at);
      expect((await s.forDepartments({ limit: 10 })).map((x) => [x.id, x.department])).toEqual([
        [n3, undefined],
        [n2, 'training'],
        [n1, 'municipal-equipment'],
      ]);
      expect((await s.forDepartments({ departments: ['training'], limit: 10 })).map((x) => x.id)).toEqual([n2]);
      expect(await s.forDepartments({ departments: [], limit: 10 })).toEqual([]);
      await s.markRead(n2, 'x', at);
      expect((await s.forDepartments({ unread: true, limit: 10 })).map((x) => x.id)).toEqual([n3, n1]);
      expect((await s.forDepartments({ limit: 1 })).map((x) => x.id)).toEqual([n3]);
      expect((await s.since(n1, 10)).map((x) => [x.id, x.department])).toEqual([
        [n2, 'training'],
        [n3, undefined],
      ]);
      expect((await s.since(0, 1)).map((x) => x.id)).toEqual([n1]);
    });
  });
}
