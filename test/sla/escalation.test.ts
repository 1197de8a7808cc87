/** The escalation ladder of every SPEC service, with an injected clock; exactly once, across restarts. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatLocalIso } from '../../bot/calendar/dates.js';
import { SqliteSlaTimers } from '../../bot/store/sqlite/sla-store.js';
import { at, createHarness, type Harness } from './harness.js';

/** The SPEC's table: escalate after N working days to the role, by these channels; level 2 is configuration. */
const SPEC: Record<string, { after: number; role: string; via: string[] }> = {
  'governor-meeting': { after: 7, role: 'governor-office-director', via: ['system', 'email'] },
  'wali-meeting': { after: 7, role: 'wali-office-director', via: ['system', 'email'] },
  training: { after: 5, role: 'training-manager', via: ['system', 'email', 'sms'] },
  'winter-camps': { after: 5, role: 'winter-camps-manager', via: ['system', 'email', 'sms'] },
  potholes: { after: 10, role: 'equipment-section-head', via: ['system', 'email', 'sms'] },
  'weather-damage': { after: 10, role: 'equipment-section-head', via: ['system', 'email', 'sms'] },
  'wadi-protection': { after: 10, role: 'equipment-section-head', via: ['system', 'email', 'sms'] },
  'equipment-general': { after: 10, role: 'equipment-section-head', via: ['system', 'email', 'sms'] },
  'mobile-vendors': { after: 5, role: 'markets-section-head', via: ['system', 'email', 'sms'] },
  'mobile-cafe': { after: 5, role: 'markets-section-head', via: ['system', 'email', 'sms'] },
  'stray-animals': { after: 5, role: 'health-section-head', via: ['system', 'email', 'sms'] },
  'pest-control': { after: 5, role: 'health-section-head', via: ['system', 'email', 'sms'] },
  'public-cleanliness': { after: 5, role: 'health-section-head', via: ['system', 'email', 'sms'] },
  'liwan-closure': { after: 5, role: 'buildings-section-head', via: ['system', 'email', 'sms'] },
  'commercial-frontage': { after: 5, role: 'buildings-section-head', via: ['system', 'email', 'sms'] },
};
/** Filed Sunday 1 Feb 2026 09:00: the deadline of each period, and the next opening when it fires. */
const DEADLINE: Record<number, { due: string; fire: string }> = {
  5: { due: '2026-02-08T14:20+04:00', fire: '2026-02-09 08:00' },
  7: { due: '2026-02-10T14:20+04:00', fire: '2026-02-11 08:00' },
  10: { due: '2026-02-15T14:20+04:00', fire: '2026-02-16 08:00' },
};
const local = (t: number | Date): string => formatLocalIso(new Date(t), 'Asia/Muscat');

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const count = (h: Harness, sql: string, ...args: unknown[]): number =>
  h.sql.db
    .prepare(sql)
    .pluck()
    .get(...args) as number;

describe('escalation ladder of the SPEC services', () => {
  it('configures every SPEC service with its period, role and channels', async () => {
    h = await createHarness();
    expect(h.config.services.map((s) => s.id).sort()).toEqual(Object.keys(SPEC).sort());
    for (const s of h.config.services) {
      expect(s.escalation[0], s.id).toEqual({ afterWorkingDays: SPEC[s.id]!.after, role: SPEC[s.id]!.role, via: SPEC[s.id]!.via });
      expect(s.escalation.length, s.id).toBeGreaterThanOrEqual(2);
    }
  });

  it('escalates each service to its role over its channels after its exact working-day period, once', async () => {
    h = await createHarness();
    const filed = new Map<string, number>();
    for (const id of Object.keys(SPEC)) filed.set(id, (await h.file(id, at('2026-02-01 09:00'))).id);
    for (const [id, rid] of filed) {
      const l1 = (await h.sla.engine.timers.rows(rid)).find((t) => t.kind === 'escalation')!;
      expect({ id, level: l1.level, role: l1.role, due: local(l1.dueAt), fire: local(l1.fireAt) }).toEqual({
        id,
        level: 1,
        role: SPEC[id]!.role,
        due: DEADLINE[SPEC[id]!.after]!.due,
        fire: local(at(DEADLINE[SPEC[id]!.after]!.fire)),
      });
    }
    // Nothing before a deadline, nothing at night, on the weekend, or at the deadline itself (after hours).
    for (const t of ['2026-02-08 14:19', '2026-02-08 14:20', '2026-02-08 22:00', '2026-02-09 07:59']) {
      expect((await h.sla.engine.sweep(at(t))).escalations, t).toEqual([]);
    }
    const fired = new Map<string, string>();
    for (const t of ['2026-02-09 08:00', '2026-02-09 08:05', '2026-02-11 08:00', '2026-02-13 10:00', '2026-02-16 08:00', '2026-02-16 09:00']) {
      for (const e of (await h.sla.engine.sweep(at(t))).escalations) {
        const references = new Map<string, string>();
        for (const [sid, rid] of filed) references.set((await h.sla.engine.timers.rows(rid))[0]!.reference, sid);
        const id = references.get(e.reference)!;
        if (e.level === 1) {
          expect(fired.has(id), `${id} fired twice`).toBe(false);
          fired.set(id, t);
          expect(e.role).toBe(SPEC[id]!.role);
        }
      }
    }
    for (const [id, spec] of Object.entries(SPEC)) {
      expect(fired.get(id), id).toBe(DEADLINE[spec.after]!.fire);
      const rid = filed.get(id)!;
      expect(count(h, `SELECT COUNT(*) FROM notify_system WHERE request_id = ? AND level = 1 AND role = ?`, rid, spec.role), id).toBe(1);
      const out = h.sql.db
        .prepare(
          `SELECT substr(channel, 8) AS channel FROM outbox WHERE recipient_kind IS NOT NULL AND request_id = ? AND purpose = 'escalation' AND recipient_id = ? ORDER BY channel`,
        )
        .pluck()
        .all(rid, spec.role);
      expect(out, id).toEqual(spec.via.filter((v) => v !== 'system').sort());
    }
    // Delivered to the roles' configured addresses, each once.
    const emails = h.transports.email.sent.filter((m) => m.subject.includes('تصعيد (المستوى 1)'));
    expect(emails.length).toBe(15);
    expect(new Set(emails.map((m) => m.to))).toEqual(new Set(Object.values(SPEC).map((s) => `${s.role}@bur.gov.om`)));
    const roleSms = h.transports.sms.sent.filter((m) => m.text.startsWith('تواصل: تصعيد مستوى 1 '));
    expect(roleSms.length).toBe(Object.values(SPEC).filter((s) => s.via.includes('sms')).length);
  });

  it('fires the second level when the first is ignored, after its own period from the first', async () => {
    h = await createHarness();
    const rec = await h.file('training', at('2026-02-01 09:00'));
    await h.sla.engine.sweep(at('2026-02-09 08:00'));
    const l2 = (await h.sla.engine.timers.rows(rec.id)).find((t) => t.kind === 'escalation' && t.level === 2)!;
    // 3 working days after Monday 9 Feb 08:00 → Thursday 12 Feb 14:20, sent Sunday 15 Feb 08:00.
    expect([l2.role, local(l2.dueAt), local(l2.fireAt)]).toEqual(['governorate-director-general', '2026-02-12T14:20+04:00', '2026-02-15T08:00+04:00']);
    expect((await h.sla.engine.sweep(at('2026-02-12 14:00'))).escalations).toEqual([]);
    expect((await h.sla.engine.sweep(at('2026-02-15 08:00'))).escalations).toEqual([
      { reference: rec.reference, level: 2, role: 'governorate-director-general' },
    ]);
    expect((await h.sla.engine.sweep(at('2026-03-30 09:00'))).escalations).toEqual([]); // the ladder has two levels
    expect(
      count(h, `SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL AND request_id = ? AND recipient_id = 'governorate-director-general'`, rec.id),
    ).toBe(1);
  });

  it('escalates once when the process restarts between the deadline and the sweep', async () => {
    h = await createHarness();
    const rec = await h.file('pest-control', at('2026-02-01 09:00'));
    h.clock.set(at('2026-02-10 10:00'));
    h = await h.restart();
    expect((await h.sla.engine.sweep(at('2026-02-10 10:00'))).escalations.map((e) => e.level)).toEqual([1]);
    h = await h.restart();
    expect((await h.sla.engine.sweep(at('2026-02-10 10:01'))).escalations).toEqual([]);
    expect(count(h, 'SELECT COUNT(*) FROM notify_system WHERE request_id = ?', rec.id)).toBe(1);
    expect(count(h, `SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL AND request_id = ? AND purpose = 'escalation'`, rec.id)).toBe(2);
  });

  it('escalates once when two processes sweep the same database at the same time', async () => {
    h = await createHarness();
    const rec = await h.file('liwan-closure', at('2026-02-01 09:00'));
    const other = await createHarness({}, { dir: h.dir, cleanup: () => undefined, clock: h.clock });
    try {
      const [a, b] = await Promise.all([h.sla.engine.sweep(at('2026-02-09 09:00')), other.sla.engine.sweep(at('2026-02-09 09:00'))]);
      expect(a.escalations.length + b.escalations.length).toBe(1);
      expect(count(h, 'SELECT COUNT(*) FROM notify_system WHERE request_id = ?', rec.id)).toBe(1);
    } finally {
      await other.sla.stop();
      other.sql.close();
    }
  });

  it('does not escalate when staff act before the deadline; the clock restarts from the action', async () => {
    h = await createHarness();
    const rec = await h.file('training', at('2026-02-01 09:00'));
    await h.sla.engine.recordAction(rec.reference, { actor: 'agent:a1', at: at('2026-02-05 10:00'), note: 'اتصلنا بالمتقدم' });
    expect((await h.sla.engine.sweep(at('2026-02-09 08:00'))).escalations).toEqual([]);
    const l1 = (await h.sla.engine.timers.rows(rec.id)).find((t) => t.kind === 'escalation')!;
    expect([l1.level, local(l1.dueAt)]).toEqual([1, '2026-02-12T14:20+04:00']);
    expect((await h.sla.engine.sweep(at('2026-02-15 08:00'))).escalations.map((e) => e.level)).toEqual([1]);
  });

  it('commits a claim with its notices or not at all: a failed enqueue leaves the level to fire on the next sweep', async () => {
    h = await createHarness();
    const rec = await h.file('liwan-closure', at('2026-02-01 09:00'));
    const enqueue = h.sla.outbox.enqueue.bind(h.sla.outbox);
    const spy = vi.spyOn(h.sla.outbox, 'enqueue').mockImplementation((n, now, into) => {
      if (n.purpose === 'escalation') throw new Error('disk full');
      return enqueue(n, now, into);
    });
    await expect(h.sla.engine.sweep(at('2026-02-09 09:00'))).rejects.toThrow('disk full');
    spy.mockRestore();
    // The claim and the system notice were rolled back with the failed enqueue.
    expect((await h.sla.engine.timers.rows(rec.id)).find((t) => t.kind === 'escalation')!.firedAt).toBeNull();
    expect(count(h, 'SELECT COUNT(*) FROM notify_system WHERE request_id = ?', rec.id)).toBe(0);
    expect((await h.sla.engine.sweep(at('2026-02-09 09:05'))).escalations.map((e) => e.level)).toEqual([1]);
    expect(count(h, 'SELECT COUNT(*) FROM notify_system WHERE request_id = ?', rec.id)).toBe(1);
    expect((await h.sla.engine.sweep(at('2026-02-09 09:10'))).escalations).toEqual([]);
  });

  it('starts again when its first read of the store failed (database down at start)', async () => {
    const state = vi.spyOn(SqliteSlaTimers.prototype, 'state').mockRejectedValueOnce(new Error('connection refused'));
    h = await createHarness();
    expect(state.mock.calls.length).toBeGreaterThan(1);
    state.mockRestore();
    const rec = await h.file('liwan-closure', at('2026-02-01 09:00'));
    expect((await h.sla.engine.sweep(at('2026-02-09 09:00'))).escalations).toEqual([{ reference: rec.reference, level: 1, role: expect.any(String) }]);
  });

  it('sees actions recorded directly in the request store (status change, assignment)', async () => {
    h = await createHarness();
    const a = await h.file('stray-animals', at('2026-02-01 09:00'));
    const b = await h.file('stray-animals', at('2026-02-01 09:00'));
    await h.store.act(a.reference, { actor: 'agent:a1', at: at('2026-02-04 10:00'), assignee: 'inspector-7' });
    await h.store.act(b.reference, { actor: 'agent:a1', at: at('2026-02-04 10:00'), status: 'closed' });
    expect((await h.sla.engine.sweep(at('2026-02-09 08:00'))).escalations).toEqual([]);
    expect((await h.sla.engine.timers.rows(b.id)).filter((t) => t.firedAt === null)).toEqual([]);
    expect((await h.sla.engine.sweep(at('2026-02-12 08:00'))).escalations.map((e) => e.reference)).toEqual([a.reference]);
  });

  it('waits through a holiday that spans a weekend before escalating', async () => {
    h = await createHarness({
      patch: {
        calendar: {
          holidays: [{ id: 'eid-al-fitr', name: { ar: 'عيد الفطر', en: 'Eid al-Fitr' }, from: '2026-03-19', to: '2026-03-22', status: 'confirmed' }],
        },
      },
    });
    const rec = await h.file('mobile-cafe', at('2026-03-11 09:00'));
    const l1 = (await h.sla.engine.timers.rows(rec.id)).find((t) => t.kind === 'escalation')!;
    expect([local(l1.dueAt), local(l1.fireAt)]).toEqual(['2026-03-18T14:20+04:00', '2026-03-23T08:00+04:00']);
    for (const t of ['2026-03-19 10:00', '2026-03-20 10:00', '2026-03-22 10:00', '2026-03-23 07:00']) {
      expect((await h.sla.engine.sweep(at(t))).escalations, t).toEqual([]);
    }
    expect((await h.sla.engine.sweep(at('2026-03-23 08:00'))).escalations.length).toBe(1);
  });
});
