/** The contract every SlaStore implementation passes (SQLite: sla-store.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlaStore, TimerRow } from '../../bot/store/sla-store.js';
import type { RequestStore } from '../../bot/store/types.js';
import { sampleRequest } from './request-store-contract.js';

/** A fresh SLA store, the request store it reads (requests are filed through it), and cleanup. */
export interface SlaStoreHarness {
  store: SlaStore;
  requests: RequestStore;
  close(): Promise<void>;
}

const T0 = Date.parse('2026-11-22T06:00:00Z');
const DAY = 86_400_000;
const timer = (requestId: number, over: Partial<TimerRow> = {}): Omit<TimerRow, 'firedAt'> => ({
  requestId,
  kind: 'escalation',
  level: 1,
  reference: `R-${requestId}`,
  role: 'head',
  baseAt: T0,
  dueAt: T0 + DAY,
  fireAt: T0 + DAY,
  ...over,
});

/** Registers the contract tests for one implementation. */
export function slaStoreContract(name: string, make: () => Promise<SlaStoreHarness>): void {
  describe(`SlaStore contract: ${name}`, () => {
    let h: SlaStoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('reads the facts of a request (no personal data but whether an e-mail exists) by id and by reference in any case', async () => {
      const rec = await h.requests.create(sampleRequest());
      const noMail = await h.requests.create(sampleRequest({ applicant: { name: 'س', civilId: '87654321', phone: '93333333' } }));
      const f = (await h.store.requests.facts(Number(rec.id)))!;
      expect(f).toEqual({
        id: Number(rec.id),
        reference: rec.reference,
        serviceId: 'potholes',
        department: 'municipal-equipment',
        status: 'filed',
        language: 'ar',
        channel: 'webchat',
        filedAt: T0,
        dueAt: T0 + 6 * DAY,
        lastActionAt: T0,
        hasEmail: 1,
      });
      expect(await h.store.requests.factsByReference(rec.reference.toLowerCase())).toEqual(f);
      expect((await h.store.requests.facts(Number(noMail.id)))!.hasEmail).toBe(0);
      expect(await h.store.requests.facts(999_999)).toBeUndefined();
      expect(await h.store.requests.contact(Number(rec.id))).toEqual({ phone: '92345678', email: 'salem@example.om' });
    });

    it('pages open requests by id and follows the event log, with the status before an event', async () => {
      const a = await h.requests.create(sampleRequest());
      const b = await h.requests.create(sampleRequest());
      const c = await h.requests.create(sampleRequest());
      await h.requests.act(b.reference, { actor: 'agent:a', at: new Date(T0 + DAY), status: 'closed' });
      await h.requests.act(c.reference, { actor: 'agent:a', at: new Date(T0 + DAY), status: 'in_progress' });
      expect((await h.store.requests.openFacts(0, 10)).map((f) => f.reference)).toEqual([a.reference, c.reference]);
      expect((await h.store.requests.openFacts(Number(a.id), 1)).map((f) => f.reference)).toEqual([c.reference]);
      const events = await h.store.requests.eventsAfter(0, 100);
      expect(events.map((e) => [e.requestId, e.type, e.status])).toEqual([
        [Number(a.id), 'status', 'filed'],
        [Number(b.id), 'status', 'filed'],
        [Number(c.id), 'status', 'filed'],
        [Number(b.id), 'status', 'closed'],
        [Number(c.id), 'status', 'in_progress'],
      ]);
      expect(await h.store.requests.lastEventId()).toBe(events[4]!.id);
      expect(await h.store.requests.eventsAfter(events[2]!.id, 1)).toEqual([events[3]]);
      expect(await h.store.requests.previousStatus(Number(c.id), events[4]!.id)).toBe('filed');
      expect(await h.store.requests.previousStatus(Number(c.id), events[2]!.id)).toBeUndefined();
      expect(events[3]!.at).toBe(T0 + DAY);
    });

    it('finds the open requests a changed day may move: filed before it, due on or after it', async () => {
      const early = await h.requests.create(sampleRequest());
      await h.requests.create(sampleRequest({ filedAt: new Date(T0 + 3 * DAY) }));
      const closed = await h.requests.create(sampleRequest());
      await h.requests.act(closed.reference, { actor: 'agent:a', at: new Date(T0 + DAY), status: 'rejected' });
      expect(await h.store.requests.openDueFrom(T0 + 2 * DAY, T0 + 2 * DAY)).toEqual([
        { id: Number(early.id), reference: early.reference, serviceId: 'potholes', filedAt: T0, dueAt: T0 + 6 * DAY },
      ]);
      expect(await h.store.requests.openDueFrom(T0 + 10 * DAY, T0 + 8 * DAY)).toEqual([]);
    });

    it('keeps the schedule: due rows earliest first, a claim once, fired rows never rewritten', async () => {
      const t = h.store.timers;
      await t.upsert(timer(1, { fireAt: T0 + 2 * DAY }));
      await t.upsert(timer(2, { fireAt: T0 + DAY }));
      await t.upsert(timer(1, { kind: 'overdue', level: 0, role: null, fireAt: T0 + 5 * DAY }));
      expect((await t.due(T0 + 3 * DAY, 10)).map((r) => r.requestId)).toEqual([2, 1]);
      expect((await t.due(T0 + 3 * DAY, 1)).map((r) => r.requestId)).toEqual([2]);
      expect(await t.claim({ requestId: 2, kind: 'escalation', level: 1 }, T0 + 3 * DAY)).toBe(true);
      expect(await t.claim({ requestId: 2, kind: 'escalation', level: 1 }, T0 + 3 * DAY)).toBe(false);
      expect(await t.firedAt(2, 1)).toBe(T0 + 3 * DAY);
      expect(await t.firedAt(1, 1)).toBeNull();
      expect(await t.firedAt(3, 1)).toBeUndefined();
      expect(await t.lastFiredLevel(2)).toBe(1);
      expect(await t.lastFiredLevel(1)).toBeNull();
      await t.upsert(timer(2, { fireAt: T0 + 9 * DAY, role: 'director' }));
      expect(await t.rows(2)).toEqual([{ ...timer(2, { fireAt: T0 + DAY }), firedAt: T0 + 3 * DAY }]);
      expect((await t.due(T0 + 10 * DAY, 10)).map((r) => [r.requestId, r.kind])).toEqual([
        [1, 'escalation'],
        [1, 'overdue'],
      ]);
      expect((await t.rows(1)).map((r) => r.kind)).toEqual(['escalation', 'overdue']);
    });

    it('drops pending escalations (but one level when asked), cancels pending rows and keeps fired ones', async () => {
      const t = h.store.timers;
      await t.upsert(timer(1, { level: 1 }));
      await t.upsert(timer(1, { level: 2 }));
      await t.upsert(timer(1, { level: 3 }));
      await t.claim({ requestId: 1, kind: 'escalation', level: 1 }, T0);
      await t.dropPendingEscalations(1, 3);
      expect((await t.rows(1)).map((r) => r.level)).toEqual([1, 3]);
      await t.dropPendingEscalations(1);
      expect((await t.rows(1)).map((r) => r.level)).toEqual([1]);
      await t.upsert(timer(1, { kind: 'overdue', level: 0 }));
      await t.upsert(timer(1, { level: 2 }));
      await t.cancel(1);
      expect(await t.rows(1)).toEqual([{ ...timer(1), firedAt: T0 }]);
    });

    it('lists requests with pending rows firing from a day whose clock started before another', async () => {
      const t = h.store.timers;
      await t.upsert(timer(1, { fireAt: T0 + 2 * DAY, baseAt: T0 }));
      await t.upsert(timer(1, { kind: 'overdue', level: 0, fireAt: T0 + 3 * DAY, baseAt: T0 }));
      await t.upsert(timer(2, { fireAt: T0 + 2 * DAY, baseAt: T0 + 2 * DAY }));
      await t.upsert(timer(3, { fireAt: T0, baseAt: T0 }));
      await t.upsert(timer(4, { fireAt: T0 + 2 * DAY, baseAt: T0 }));
      await t.claim({ requestId: 4, kind: 'escalation', level: 1 }, T0);
      expect(await t.pendingRequests(T0 + DAY, T0 + DAY)).toEqual([1]);
    });

    it("keeps the engine state and the residents' messages", async () => {
      const t = h.store.timers;
      expect(await t.state('events_watermark')).toBeUndefined();
      await t.setState('events_watermark', '5');
      await t.setState('events_watermark', '7');
      expect(await t.state('events_watermark')).toBe('7');
      await t.saveResidentMessage(1, T0, 'الفريق في الطريق');
      await t.saveResidentMessage(1, T0 + DAY, 'تم الإصلاح');
      await t.saveResidentMessage(1, T0 + DAY, 'تم الإصلاح اليوم');
      expect(await t.residentMessage(1, T0)).toBe('الفريق في الطريق');
      expect(await t.residentMessage(1, T0 + 2 * DAY)).toBeUndefined();
      expect(await t.latestResidentMessage(1)).toBe('تم الإصلاح اليوم');
      expect(await t.latestResidentMessage(2)).toBeUndefined();
    });

    it('stores holiday overrides in order and withdraws them', async () => {
      const hs = h.store.holidays;
      const o = {
        holidayId: 'eid-al-fitr',
        from: '2026-03-20',
        to: '2026-03-22',
        status: 'confirmed' as const,
        name: { ar: 'عيد الفطر', en: 'Eid al-Fitr' },
        actor: 'admin:a',
        at: T0,
      };
      const first = await hs.addOverride(o);
      const second = await hs.addOverride({ ...o, holidayId: 'national-day', status: 'cancelled', at: T0 + 1 });
      expect((await hs.overrides()).map((x) => [x.id, x.holidayId, x.status])).toEqual([
        [first, 'eid-al-fitr', 'confirmed'],
        [second, 'national-day', 'cancelled'],
      ]);
      expect(await hs.override(first)).toEqual({ id: first, ...o });
      await hs.removeOverride(first, 'admin:b', T0 + 2);
      expect(await hs.override(first)).toBeUndefined();
      expect((await hs.overrides()).map((x) => x.id)).toEqual([second]);
    });

    it('records calendar changes until their recomputation finishes', async () => {
      const hs = h.store.holidays;
      const a = await hs.addChange(T0, 'admin:a', 'holiday eid confirmed');
      const b = await hs.addChange(T0 + 1, 'admin:a', 'calendar reloaded');
      await hs.setChangeDates(a, ['2026-03-20', '2026-03-21']);
      expect(await hs.unfinishedChanges()).toEqual([a, b]);
      await hs.finishChange(a, 3, 5, T0 + 2);
      expect(await hs.change(a)).toEqual({
        id: a,
        at: T0,
        actor: 'admin:a',
        summary: 'holiday eid confirmed',
        dates: ['2026-03-20', '2026-03-21'],
        requestsRecomputed: 3,
        timersRecomputed: 5,
        doneAt: T0 + 2,
      });
      expect(await hs.change(b)).toMatchObject({ dates: [], requestsRecomputed: 0, doneAt: null });
      expect(await hs.unfinishedChanges()).toEqual([b]);
      expect((await hs.changes(10)).map((c) => c.id)).toEqual([b, a]);
      expect((await hs.changes(1)).map((c) => c.id)).toEqual([b]);
      expect(await hs.change(9999)).toBeUndefined();
    });

    it('gives the report and metric figures', async () => {
      const a = await h.requests.create(sampleRequest());
      const b = await h.requests.create(sampleRequest({ serviceId: 'training', department: 'training' }));
      await h.requests.create(sampleRequest({ filedAt: new Date(T0 + 30 * DAY) }));
      await h.requests.act(a.reference, { actor: 'agent:a', at: new Date(T0 + DAY), status: 'closed' });
      await h.store.timers.upsert(timer(Number(b.id), { reference: b.reference }));
      await h.store.timers.upsert(timer(Number(b.id), { reference: b.reference, kind: 'overdue', level: 0, role: null }));
      await h.store.timers.claim({ requestId: Number(b.id), kind: 'escalation', level: 1 }, T0 + DAY);
      const filed = (await collect(h.store.figures.requestsFiled(T0, T0 + DAY))).sort((x, y) => x.serviceId.localeCompare(y.serviceId));
      expect(filed).toEqual([
        { channel: 'webchat', serviceId: 'potholes', department: 'municipal-equipment', filedAt: T0, dueAt: T0 + 6 * DAY, closedAt: T0 + DAY, escalated: 0 },
        { channel: 'webchat', serviceId: 'training', department: 'training', filedAt: T0, dueAt: T0 + 6 * DAY, closedAt: null, escalated: 1 },
      ]);
      expect(await h.store.figures.escalationsFired(T0, T0 + DAY)).toEqual([{ level: 1, role: 'head', count: 1 }]);
      expect(await h.store.figures.escalationsFired(T0 + DAY, T0 + 60 * DAY)).toEqual([]);
      expect(await h.store.figures.escalationsFiredTotal()).toEqual([{ level: 1, role: 'head', n: 1 }]);
      expect(await h.store.figures.scheduled()).toEqual([{ kind: 'overdue', n: 1 }]);
      expect(await h.store.figures.openRequests(T0 + 10 * DAY)).toEqual([
        { service: 'potholes', department: 'municipal-equipment', open: 1, overdue: 0 },
        { service: 'training', department: 'training', open: 0, overdue: 1 },
      ]);
      expect(await collect(h.store.figures.responses(T0, T0 + DAY))).toEqual([]);
      expect(await h.store.figures.firstResponseOutcomes(T0, T0 - DAY)).toEqual([]);
      expect(await h.store.figures.notifications()).toEqual([]);
    });

    it('commits a transaction whole or not at all, its stores bound to it', async () => {
      await expect(
        h.store.tx(async (s) => {
          await s.timers.setState('k', 'v');
          await s.holidays.addChange(T0, 'admin:a', 'undone');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await h.store.timers.state('k')).toBeUndefined();
      expect(await h.store.holidays.changes(10)).toEqual([]);
      expect(
        await h.store.tx(async (s) => {
          await s.timers.setState('k', 'w');
          expect(await s.timers.state('k')).toBe('w');
          return 1;
        }),
      ).toBe(1);
      expect(await h.store.timers.state('k')).toBe('w');
    });

    it("records first responses: a deadline once per message, the provider time superseding the bot's", async () => {
      const fr = h.store.firstResponses;
      await fr.record({ channel: 'webchat', conversationId: 'c1', messageId: 'm1', receivedAt: T0, deadlineAt: T0 + 60_000, respondedAt: T0 + 1000 });
      await fr.record({ channel: 'webchat', conversationId: 'c1', messageId: 'm1', receivedAt: T0, deadlineAt: T0 + 1, respondedAt: T0 + 9 });
      await fr.record({ channel: 'email', conversationId: 'c2', receivedAt: T0 + 5, deadlineAt: T0 + DAY });
      await fr.record({ channel: 'email', conversationId: 'c2', messageId: 'm3', receivedAt: T0 + 6, deadlineAt: T0 + DAY });
      await fr.awaitProvider('webchat', 'm1');
      expect(await collect(h.store.figures.responses(T0, T0 + DAY))).toEqual([
        { channel: 'webchat', receivedAt: T0, deadlineAt: T0 + 60_000, respondedAt: null },
        { channel: 'email', receivedAt: T0 + 5, deadlineAt: T0 + DAY, respondedAt: null },
        { channel: 'email', receivedAt: T0 + 6, deadlineAt: T0 + DAY, respondedAt: null },
      ]);
      expect(await fr.responded('webchat', 'c1', 'm1', T0 + 2000)).toBe(1);
      expect(await fr.responded('webchat', 'c1', 'm1', T0 + 3000)).toBe(0);
      expect(await fr.responded('email', 'c2', undefined, T0 + 5)).toBe(1);
      expect(await fr.responded('email', 'c2', undefined, T0 + 7)).toBe(1);
      expect((await collect(h.store.figures.responses(T0, T0 + DAY))).map((r) => r.respondedAt)).toEqual([T0 + 2000, T0 + 5, T0 + 7]);
      expect(await h.store.figures.firstResponseOutcomes(T0 + 2 * DAY, T0)).toEqual([
        { channel: 'email', met: 2, missed: 0, pending: 0 },
        { channel: 'webchat', met: 1, missed: 0, pending: 0 },
      ]);
      expect(await collect(h.store.figures.responses(T0 + 1, T0 + 6))).toHaveLength(1);
      // A reply given in the response itself keeps its time when a later send names no message.
      await fr.record({ channel: 'webchat', conversationId: 'c4', messageId: 'm4', receivedAt: T0 + 8, deadlineAt: T0 + 60_000, respondedAt: T0 + 9 });
      await fr.record({ channel: 'webchat', conversationId: 'c4', messageId: 'm5', receivedAt: T0 + 10, deadlineAt: T0 + 60_000 });
      expect(await fr.responded('webchat', 'c4', undefined, T0 + 20)).toBe(1);
      expect((await collect(h.store.figures.responses(T0 + 8, T0 + 11))).map((r) => r.respondedAt)).toEqual([T0 + 9, T0 + 20]);
    });

    it('streams the report rows page by page, every row once, rows of one instant included', async () => {
      const fr = h.store.firstResponses;
      // More than a page (1,000), 600 of them received at the same instant: the cursor must order by id too.
      for (let i = 0; i < 1003; i++) {
        await fr.record({ channel: 'x', conversationId: `c${i}`, messageId: `m${i}`, receivedAt: i < 600 ? T0 : T0 + i, deadlineAt: T0 + DAY });
      }
      const rows = await collect(h.store.figures.responses(T0, T0 + DAY));
      expect(rows).toHaveLength(1003);
      expect(rows.filter((r) => r.receivedAt === T0)).toHaveLength(600);
      expect(new Set(rows.map((r) => r.receivedAt)).size).toBe(404);
      expect(await collect(h.store.figures.responses(T0 + 1, T0 + 700))).toHaveLength(100);
    });
  });
}

/** The items of an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}
