/** A holiday confirmed or moved after requests were filed: admin API, live calendar, recomputed deadlines. */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { formatLocalIso } from '../../bot/calendar/dates.js';
import { calendarWithOverrides } from '../../bot/cli/due.js';
import { loadConfig } from '../../bot/config/load.js';
import { SqliteSlaStore } from '../../bot/store/sqlite/sla-store.js';
import { ADMIN_TOKEN, AGENT_TOKEN, at, createHarness, type Harness } from './harness.js';

const EID = { id: 'eid-al-fitr', name: { ar: 'عيد الفطر', en: 'Eid al-Fitr' }, from: '2026-03-19', to: '2026-03-22', status: 'confirmed' };
const local = (t: number | Date): string => formatLocalIso(new Date(t), 'Asia/Muscat');

let h: Harness;
let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = undefined;
  await h?.close();
});

async function serve(harness: Harness): Promise<string> {
  const app = express();
  harness.sla.mount(app);
  server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const call = (base: string, method: string, path: string, body?: unknown, token = ADMIN_TOKEN) =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('holiday moved after requests were filed', () => {
  it('recomputes due dates and escalation instants, records the change, and needs no restart', async () => {
    h = await createHarness({ patch: { calendar: { holidays: [EID] } }, start: '2026-03-16T10:00:00+04:00' });
    const a = await h.file('training', at('2026-03-11 09:00')); // due Wed 18 March: before the holiday, untouched
    const b = await h.file('training', at('2026-03-15 09:00')); // 16, 17, 18, (Eid), 23, 24 → due Tue 24 March
    expect(local(b.dueAt)).toBe('2026-03-24T14:20+04:00');
    const base = await serve(h);

    expect((await call(base, 'POST', '/api/admin/holidays', { id: 'eid-al-fitr', from: '2026-03-19', to: '2026-03-23' }, AGENT_TOKEN)).status).toBe(401);
    expect((await fetch(`${base}/api/admin/holidays`)).status).toBe(401);
    expect((await call(base, 'POST', '/api/admin/holidays', { id: 'eid-al-fitr', from: '2026-03-23', to: '2026-03-19' })).status).toBe(400);
    expect((await call(base, 'POST', '/api/admin/holidays', { id: 'no-such-day', from: '2026-03-23' })).status).toBe(400);

    // The authorities add Monday 23 March to the Eid holiday.
    const res = await call(base, 'POST', '/api/admin/holidays', { id: 'eid-al-fitr', from: '2026-03-19', to: '2026-03-23' });
    expect(res.status).toBe(201);
    const { change } = (await res.json()) as { change: { dates: string[]; requestsRecomputed: number; actor: string; done: boolean } };
    expect(change).toMatchObject({ dates: ['2026-03-23'], requestsRecomputed: 1, actor: 'admin:admin1', done: true });
    expect(h.calendar.isWorkingDay('2026-03-23')).toBe(false); // the live calendar shared with the engine

    const b2 = (await h.store.get(b.reference))!;
    expect(local(b2.dueAt)).toBe('2026-03-25T14:20+04:00');
    expect(b2.history.at(-1)).toMatchObject({ type: 'due_recomputed', actor: 'admin:admin1' });
    expect(b2.history.at(-1)!.note).toContain('eid-al-fitr');
    expect(local((await h.store.get(a.reference))!.dueAt)).toBe('2026-03-18T14:20+04:00');
    const l1 = (await h.sla.engine.timers.rows(b.id)).find((t) => t.kind === 'escalation')!;
    expect([local(l1.dueAt), local(l1.fireAt)]).toEqual(['2026-03-25T14:20+04:00', '2026-03-26T08:00+04:00']);
    const overdue = (await h.sla.engine.timers.rows(b.id)).find((t) => t.kind === 'overdue')!;
    expect(local(overdue.dueAt)).toBe('2026-03-25T14:20+04:00');

    // It escalates at the new instant, not the old one.
    expect((await h.sla.engine.sweep(at('2026-03-25 09:00'))).escalations.map((e) => e.reference)).toEqual([a.reference]);
    expect((await h.sla.engine.sweep(at('2026-03-26 08:00'))).escalations.map((e) => e.reference)).toEqual([b.reference]);

    const listed = (await (await call(base, 'GET', '/api/admin/holidays?year=2026')).json()) as {
      holidays: Array<{ id: string; to: string }>;
      overrides: Array<{ id: number }>;
    };
    expect(listed.holidays.find((x) => x.id === 'eid-al-fitr')!.to).toBe('2026-03-23');
    expect(listed.overrides).toHaveLength(1);
    const changes = (await (await call(base, 'GET', '/api/admin/calendar/changes')).json()) as { changes: unknown[] };
    expect(changes.changes).toHaveLength(1);
  });

  it('keeps overrides across restarts and recomputes again when one is withdrawn', async () => {
    h = await createHarness({ patch: { calendar: { holidays: [EID] } }, start: '2026-03-16T10:00:00+04:00' });
    const b = await h.file('winter-camps', at('2026-03-15 09:00'));
    await h.sla.holidays.setHoliday({ id: 'eid-al-fitr', from: '2026-03-19', to: '2026-03-23' }, 'admin:x', at('2026-03-16 10:00'));
    h = await h.restart();
    expect(h.calendar.isWorkingDay('2026-03-23')).toBe(false);
    const base = await serve(h);
    const id = (await h.sla.holidays.overrides())[0]!.id;
    const res = await call(base, 'DELETE', `/api/admin/holidays/overrides/${id}`);
    expect(res.status).toBe(200);
    expect(h.calendar.isWorkingDay('2026-03-23')).toBe(true);
    const rec = (await h.store.get(b.reference))!;
    expect(local(rec.dueAt)).toBe('2026-03-24T14:20+04:00');
    expect(rec.history.filter((e) => e.type === 'due_recomputed')).toHaveLength(2);
    expect((await call(base, 'DELETE', `/api/admin/holidays/overrides/${id}`)).status).toBe(404);
  });

  it('finishes on restart a change a crash cut off right after its commit, before its days were recorded', async () => {
    h = await createHarness({ patch: { calendar: { holidays: [EID] } }, start: '2026-03-16T10:00:00+04:00' });
    const b = await h.file('training', at('2026-03-15 09:00'));
    expect(local(b.dueAt)).toBe('2026-03-24T14:20+04:00');
    // What setHoliday commits first (the override and the change), and then nothing: the process died.
    const now = at('2026-03-16 10:00').getTime();
    const name = h.calendar.holidays().find((x) => x.id === 'eid-al-fitr')!.name;
    await new SqliteSlaStore(h.sql).tx(async (s) => {
      await s.holidays.addOverride({ holidayId: 'eid-al-fitr', from: '2026-03-19', to: '2026-03-23', status: 'confirmed', name, actor: 'admin:x', at: now });
      await s.holidays.addChange(now, 'admin:x', 'holiday eid-al-fitr confirmed 2026-03-19..2026-03-23');
    });
    h = await h.restart();
    await h.sla.start(); // what the server runs at start: the interrupted change is finished first
    const rec = (await h.store.get(b.reference))!;
    expect(local(rec.dueAt)).toBe('2026-03-25T14:20+04:00');
    expect(rec.history.at(-1)).toMatchObject({ type: 'due_recomputed', actor: 'system:resume' });
    const [change] = await h.sla.holidays.changes(1);
    expect(change).toMatchObject({ requestsRecomputed: 1, done: true });
  });

  it('gives `tawasul due` the stored overrides, read from the data directory', async () => {
    h = await createHarness({ start: '2026-03-16T10:00:00+04:00' });
    await h.sla.holidays.setHoliday({ id: 'eid-al-fitr', from: '2026-03-19', to: '2026-03-23' }, 'admin:x', at('2026-03-16 10:00'));
    const cal = await calendarWithOverrides(h.config, h.dir);
    expect(cal.holidays.slice(h.config.calendar.holidays.length)).toEqual([
      { id: 'eid-al-fitr', name: expect.objectContaining({ en: expect.any(String) }), from: '2026-03-19', to: '2026-03-23', status: 'confirmed' },
    ]);
  });

  it('confirms a seeded Hijri holiday on other dates than the Umm al-Qura estimate', async () => {
    h = await createHarness({ start: '2026-05-10T10:00:00+04:00' });
    const seeded = h.calendar.holidays(2026).find((x) => x.id === 'eid-al-adha')!;
    expect(seeded.status).toBe('seed');
    const rec = await h.file('training', at('2026-05-20 09:00'));
    const before = rec.dueAt.getTime();
    const change = await h.sla.holidays.setHoliday({ id: 'eid-al-adha', from: '2026-06-01', to: '2026-06-05' }, 'admin:x', at('2026-05-21 10:00'));
    const moved = h.calendar.holidays(2026).filter((x) => x.id === 'eid-al-adha');
    expect(moved).toEqual([expect.objectContaining({ from: '2026-06-01', to: '2026-06-05', status: 'confirmed' })]);
    expect(change.dates.length).toBeGreaterThan(0);
    expect((await h.store.get(rec.reference))!.dueAt.getTime()).not.toBe(before);
  });

  it('reloads the calendar from configuration without a restart', async () => {
    h = await createHarness({ start: '2026-02-01T10:00:00+04:00' });
    const rec = await h.file('training', at('2026-02-01 09:00'));
    // Wire a reload function the way app.ts does, then call the endpoint.
    const { slaAdminRouter } = await import('../../bot/sla/admin-router.js');
    const extra = { id: 'national-mourning', name: { ar: 'حداد', en: 'Mourning' }, from: '2026-02-03', status: 'confirmed' };
    const router = slaAdminRouter({
      ctx: h.sla.ctx,
      figures: h.sla.store.figures,
      clock: h.clock,
      holidays: h.sla.holidays,
      outbox: h.sla.outbox,
      sweep: (now) => h.sla.engine.sweep(now),
      tokens: new Map([['admin1', ADMIN_TOKEN]]),
      reloadConfig: () => loadConfig({ patch: { calendar: { holidays: [extra] } } }),
    });
    const app = express();
    app.use('/api/admin', router);
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await call(base, 'POST', '/api/admin/calendar/reload');
    expect(res.status).toBe(200);
    expect(h.calendar.isWorkingDay('2026-02-03')).toBe(false);
    expect(local((await h.store.get(rec.reference))!.dueAt)).toBe('2026-02-09T14:20+04:00');
  });
});
