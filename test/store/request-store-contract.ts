/** The contract every RequestStore implementation passes: SQLite (sqlite-request-store.test.ts) and PostgreSQL (postgres-request-store.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewRequest, RequestStore } from '../../bot/store/types.js';

/** A harness: a fresh store, a way to reopen it on the same data, and cleanup. */
export interface StoreHarness {
  store: RequestStore;
  reopen(): Promise<RequestStore>;
  close(): Promise<void>;
}

/** A valid request filed at `filedAt`. */
export function sampleRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  const filedAt = overrides.filedAt ?? new Date('2026-11-22T06:00:00Z');
  return {
    serviceId: 'potholes',
    department: 'municipal-equipment',
    applicant: { name: 'سالم بن علي الكعبي', civilId: '12345678', phone: '92345678', email: 'salem@example.om', address: 'البريمي، حي السلام' },
    description: 'حفرة كبيرة أمام المنزل تعيق دخول السيارات',
    location: { latitude: 24.25, longitude: 55.79 },
    attachments: [],
    language: 'ar',
    channel: 'webchat',
    conversationKey: 'webchat:abc',
    filedAt,
    dueAt: new Date(filedAt.getTime() + 6 * 86_400_000),
    ...overrides,
  };
}

/** Registers the contract tests for one implementation. */
export function requestStoreContract(name: string, make: () => Promise<StoreHarness>): void {
  describe(`RequestStore contract: ${name}`, () => {
    let h: StoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('files a request with a unique human-friendly reference and a first history entry', async () => {
      const a = await h.store.create(sampleRequest());
      const b = await h.store.create(sampleRequest());
      expect(a.reference).toMatch(/^BUR-2026-[2-9A-HJKMNPQRTW-Y]{4}-[2-9A-HJKMNPQRTW-Y]{4}$/);
      expect(b.reference).not.toBe(a.reference);
      expect(a.status).toBe('filed');
      expect(a.history).toEqual([expect.objectContaining({ type: 'status', status: 'filed' })]);
      expect(a.applicant.civilId).toBe('12345678');
      expect(a.location).toEqual({ latitude: 24.25, longitude: 55.79 });
    });

    it('files once per idempotency key: filing again with it returns the first request, across a reopen', async () => {
      const a = await h.store.create(sampleRequest({ sourceKey: 'webchat\u0000c1:m7' }));
      const again = await h.store.create(sampleRequest({ sourceKey: 'webchat\u0000c1:m7', description: 'a replayed turn' }));
      expect(again.id).toBe(a.id);
      expect(again.reference).toBe(a.reference);
      expect(again.history).toHaveLength(1);
      const reopened = await h.reopen();
      expect((await reopened.create(sampleRequest({ sourceKey: 'webchat\u0000c1:m7' }))).reference).toBe(a.reference);
      expect((await reopened.create(sampleRequest({ sourceKey: 'webchat\u0000c1:m8' }))).reference).not.toBe(a.reference);
      expect(await reopened.count()).toBe(2);
    });

    it('gives concurrent filings distinct references', async () => {
      const recs = await Promise.all(Array.from({ length: 25 }, () => h.store.create(sampleRequest())));
      expect(new Set(recs.map((r) => r.reference)).size).toBe(25);
    });

    it('finds a request for its applicant only with the phone it was filed with', async () => {
      const r = await h.store.create(sampleRequest());
      expect((await h.store.findForApplicant(r.reference, '+968 9234 5678'))?.id).toBe(r.id);
      expect((await h.store.findForApplicant(r.reference.toLowerCase(), '0096892345678'))?.id).toBe(r.id);
      expect(await h.store.findForApplicant(r.reference, '99999999')).toBeUndefined();
      expect(await h.store.findForApplicant('BUR-2026-99999', '92345678')).toBeUndefined();
    });

    it('records actions: status, note and assignment, each in the history, bumping the last action', async () => {
      const r = await h.store.create(sampleRequest());
      const at = new Date(r.filedAt.getTime() + 3_600_000);
      const s = await h.store.act(r.reference, { actor: 'staff:1', at, status: 'in_progress' });
      expect(s.status).toBe('in_progress');
      expect(s.lastActionAt).toEqual(at);
      const n = await h.store.act(r.reference, { actor: 'staff:1', at, note: 'team sent', assignee: 'staff:2' });
      expect(n.assignee).toBe('staff:2');
      expect(n.history.map((e) => e.type)).toEqual(['status', 'status', 'assignment', 'note']);
      await expect(h.store.act('BUR-2026-99999', { actor: 'x', at, note: 'n' })).rejects.toThrow(/unknown request/);
    });

    it('lists and counts by status, service and period', async () => {
      await h.store.create(sampleRequest());
      await h.store.create(sampleRequest({ serviceId: 'training', department: 'training' }));
      const done = await h.store.create(sampleRequest({ filedAt: new Date('2026-11-23T06:00:00Z') }));
      await h.store.act(done.reference, { actor: 's', at: new Date('2026-11-23T07:00:00Z'), status: 'closed' });
      expect(await h.store.count()).toBe(3);
      expect(await h.store.count({ serviceId: 'training' })).toBe(1);
      expect(await h.store.count({ status: ['filed'] })).toBe(2);
      const recent = await h.store.list({ filedFrom: new Date('2026-11-23T00:00:00Z') });
      expect(recent.map((r) => r.reference)).toEqual([done.reference]);
    });

    it('keeps everything after reopening the store', async () => {
      const r = await h.store.create(sampleRequest());
      const again = await h.reopen();
      expect((await again.get(r.reference))?.description).toBe(r.description);
    });

    it('sets a new due date and records why', async () => {
      const r = await h.store.create(sampleRequest());
      const due = new Date(r.dueAt.getTime() + 86_400_000);
      const u = await h.store.setDue(r.reference, due, 'admin', 'holiday moved');
      expect(u.dueAt).toEqual(due);
      expect(u.history.at(-1)).toEqual(expect.objectContaining({ type: 'due_recomputed', note: 'holiday moved' }));
    });
  });
}
