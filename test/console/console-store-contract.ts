/** The contract of the console's store and read model, run on SQLite and PostgreSQL (console-stores.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleQueries } from '../../bot/console/queries.js';
import type { ConsoleStore, LiveEvent } from '../../bot/console/store.js';
import type { Transcript } from '../../bot/store/conversation-store.js';
import type { SlaTimerStore } from '../../bot/store/sla-store.js';
import type { RequestStore } from '../../bot/store/types.js';
import { sampleRequest } from '../store/request-store-contract.js';

/** Two instances' console stores on one database, the read model, and the stores that write what it reads. */
export interface ConsoleStoresHarness {
  store: ConsoleStore;
  /** A second instance's store on the same database. */
  other: ConsoleStore;
  queries: ConsoleQueries;
  requests: RequestStore;
  timers: SlaTimerStore;
  transcript: Transcript;
  close(): Promise<void>;
}

const T0 = new Date('2026-11-22T06:00:00Z');
const DAY = 86_400_000;
const at = (days: number): Date => new Date(T0.getTime() + days * DAY);
const event = (n: number, over: Partial<LiveEvent> = {}): Omit<LiveEvent, 'id'> => ({
  at: at(0),
  type: 'request',
  audience: 'requests',
  department: 'roads',
  payload: { n, text: 'نص' },
  ...over,
});

/** Registers the contract tests for one implementation. */
export function consoleStoresContract(name: string, make: () => Promise<ConsoleStoresHarness>): void {
  describe(`ConsoleStore and ConsoleQueries contract: ${name}`, () => {
    let h: ConsoleStoresHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('gives each conversation key one stable id, the same on every instance, and maps it back', async () => {
      const a = await h.store.idOf('whatsapp:96892345678');
      const b = await h.other.idOf('webchat:abc');
      expect(a).not.toBe(b);
      expect(await h.other.idOf('whatsapp:96892345678')).toBe(a);
      expect(await h.store.idOf('whatsapp:96892345678')).toBe(a);
      expect(await h.store.keyOf(b)).toBe('webchat:abc');
      expect(await h.other.keyOf(a)).toBe('whatsapp:96892345678');
      expect(await h.store.keyOf(a + b + 1000)).toBeUndefined();
      const same = await Promise.all([h.store.idOf('x:race'), h.other.idOf('x:race'), h.store.idOf('x:race')]);
      expect(new Set(same).size).toBe(1);
    });

    it('keeps private notes per chat, oldest first, seen from every instance', async () => {
      const n1 = await h.store.addNote('webchat:abc', 'amal', 'اتصل بعد الظهر', at(0));
      await h.other.addNote('webchat:other', 'badr', 'other chat', at(0));
      const n2 = await h.other.addNote('webchat:abc', 'badr', 'second', at(1));
      expect(n1).toEqual({ id: expect.any(Number), author: 'amal', text: 'اتصل بعد الظهر', at: at(0) });
      expect(n2.id).toBeGreaterThan(n1.id);
      expect(await h.store.notes('webchat:abc')).toEqual([n1, n2]);
      expect(await h.store.notes('webchat:none')).toEqual([]);
    });

    it('appends live events with growing ids and replays them in order from any instance', async () => {
      expect(await h.store.lastId()).toBe(0);
      const e1 = await h.store.append(event(1));
      const e2 = await h.other.append(event(2, { type: 'conversation', audience: 'chats', department: undefined as never }));
      const { department: _, ...chats } = event(2, { type: 'conversation', audience: 'chats' });
      expect(e2.id).toBeGreaterThan(e1.id);
      expect(await h.other.after(0)).toEqual([
        { ...event(1), id: e1.id },
        { ...chats, id: e2.id },
      ]);
      expect(await h.store.after(e1.id)).toEqual([{ ...chats, id: e2.id }]);
      expect(await h.store.after(0, 1)).toHaveLength(1);
      expect(await h.store.lastId()).toBe(e2.id);
      expect(await h.other.lastId()).toBe(e2.id);
    });

    it('a reader following the log while two instances append never skips an event nor sees one twice', async () => {
      const seen: number[] = [];
      let done = false;
      const reader = (async () => {
        let last = 0;
        for (;;) {
          const finished = done;
          for (const e of await h.store.after(last)) {
            seen.push(e.payload.n as number);
            last = e.id;
          }
          if (finished) return;
        }
      })();
      const writes = (s: ConsoleStore, base: number) =>
        Promise.all(Array.from({ length: 15 }, (_, i) => s.append(event(base + i)))).then((es) => es.map((e) => e.id));
      const ids = (await Promise.all([writes(h.store, 0), writes(h.other, 100)])).flat();
      done = true;
      await reader;
      expect(new Set(ids).size).toBe(30);
      expect(seen.sort((a, b) => a - b)).toEqual([...Array.from({ length: 15 }, (_, i) => i), ...Array.from({ length: 15 }, (_, i) => 100 + i)]);
    });

    it('reads the newest transcript seq of a chat and the escalation level fired for a request', async () => {
      expect(await h.queries.lastSeq('webchat:abc')).toBe(0);
      await h.transcript.append({ key: 'webchat:abc', direction: 'in', author: 'resident', text: 'مرحبا', at: at(0) });
      const seq = await h.transcript.append({ key: 'webchat:abc', direction: 'out', author: 'bot', text: 'أهلا', at: at(0) });
      await h.transcript.append({ key: 'webchat:zzz', direction: 'in', author: 'resident', text: 'x', at: at(0) });
      expect(await h.queries.lastSeq('webchat:abc')).toBe(seq);
      const r = await h.requests.create(sampleRequest());
      expect(await h.queries.escalationLevel(Number(r.id))).toBe(0);
      for (const level of [1, 2])
        await h.timers.upsert({ requestId: Number(r.id), kind: 'escalation', level, reference: r.reference, role: 'head', baseAt: 0, dueAt: 1, fireAt: 1 });
      await h.timers.upsert({ requestId: Number(r.id), kind: 'overdue', level: 3, reference: r.reference, role: null, baseAt: 0, dueAt: 1, fireAt: 1 });
      await h.timers.claim({ requestId: Number(r.id), kind: 'overdue', level: 3 }, 2);
      expect(await h.queries.escalationLevel(Number(r.id))).toBe(0);
      await h.timers.claim({ requestId: Number(r.id), kind: 'escalation', level: 1 }, 2);
      expect(await h.queries.escalationLevel(Number(r.id))).toBe(1);
    });

    it('lists requests by every filter part, oldest filed first, with the total before paging', async () => {
      const file = (days: number, over: Parameters<typeof sampleRequest>[0] = {}) =>
        h.requests.create(sampleRequest({ filedAt: at(days), dueAt: at(days + 5), ...over }));
      const a = await file(0);
      const b = await file(1, { department: 'training', serviceId: 'training', channel: 'whatsapp' });
      const c = await file(2);
      const d = await file(10, { department: 'training', serviceId: 'training' });
      await h.requests.act(c.reference, { actor: 't', at: at(3), status: 'closed' });
      await h.timers.upsert({ requestId: Number(b.id), kind: 'escalation', level: 1, reference: b.reference, role: 'head', baseAt: 0, dueAt: 1, fireAt: 1 });
      await h.timers.claim({ requestId: Number(b.id), kind: 'escalation', level: 1 }, 2);
      const now = at(6.5);
      const page = { limit: 50, offset: 0 };
      const refs = async (f: Parameters<ConsoleQueries['requests']>[0], p = page) => h.queries.requests(f, now, p);
      const all = [a, b, c, d].map((x) => x.reference);
      expect(await refs({})).toEqual({ total: 4, references: all });
      expect(await refs({}, { limit: 2, offset: 1 })).toEqual({ total: 4, references: [b.reference, c.reference] });
      expect((await refs({ departments: ['training'] })).references).toEqual([b.reference, d.reference]);
      expect(await refs({ departments: [] })).toEqual({ total: 0, references: [] });
      expect((await refs({ department: 'municipal-equipment' })).references).toEqual([a.reference, c.reference]);
      expect((await refs({ serviceId: 'training', channel: 'whatsapp' })).references).toEqual([b.reference]);
      expect((await refs({ statuses: ['closed', 'rejected'] })).references).toEqual([c.reference]);
      expect((await refs({ statuses: ['filed'] })).total).toBe(3);
      expect((await refs({ filedFrom: at(1), filedBefore: at(10) })).references).toEqual([b.reference, c.reference]);
      expect((await refs({ reference: b.reference.slice(-6).toLowerCase() })).references).toEqual([b.reference]);
      expect((await refs({ reference: '%' })).total).toBe(4);
      // Overdue at day 6.5: a (due day 5) and b (due 6) are open and past due; c is closed; d is due at day 15.
      expect((await refs({ overdue: true })).references).toEqual([a.reference, b.reference]);
      expect((await refs({ overdue: false })).references).toEqual([c.reference, d.reference]);
      expect((await refs({ escalated: true })).references).toEqual([b.reference]);
      expect((await refs({ escalated: false, departments: ['training'] })).references).toEqual([d.reference]);
      expect(await h.queries.openRequests(now)).toEqual({ open: 3, overdue: 2 });
    });

    it("finds a chat's requests and the resident's others by the phone's last 8 digits", async () => {
      const own = await h.requests.create(sampleRequest({ conversationKey: 'webchat:abc' }));
      const own2 = await h.requests.create(sampleRequest({ conversationKey: 'webchat:abc' }));
      const elsewhere = await h.requests.create(
        sampleRequest({ conversationKey: 'whatsapp:96892345678', applicant: { name: 'س', civilId: '1', phone: '+968 9234 5678' } }),
      );
      await h.requests.create(sampleRequest({ conversationKey: 'webchat:x', applicant: { name: 'س', civilId: '1', phone: '99999999' } }));
      expect(await h.queries.conversationRequests('webchat:abc', 50)).toEqual([
        { reference: own2.reference, phone: '92345678' },
        { reference: own.reference, phone: '92345678' },
      ]);
      expect(await h.queries.conversationRequests('webchat:abc', 1)).toHaveLength(1);
      expect(await h.queries.referencesByPhone('92345678', 50)).toEqual([elsewhere.reference, own2.reference, own.reference]);
      expect(await h.queries.referencesByPhone('11111111', 50)).toEqual([]);
    });
  });
}
