/**
 * The SLA engine on PostgreSQL stores, end to end: a request filed in the PostgreSQL request store is
 * scheduled, escalated once at its deadline, and two instances sweeping one database at the same
 * time fire each level once, store each notice once (in the claim's transaction) and deliver it once.
 */
import { describe, expect, it, vi } from 'vitest';
import { slaReportCommand } from '../../bot/cli/sla-report.js';
import { openPostgresStores, type PostgresStores } from '../../bot/store/postgres/stores.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { at, createHarness } from './harness.js';

/** A count read from PostgreSQL. */
const count = async (s: PostgresStores, sql: string, ...args: unknown[]): Promise<number> =>
  Number((await s.pool.query<{ n: string }>(sql.replace('COUNT(*)', 'COUNT(*) AS n'), args)).rows[0]!.n);

describe.skipIf(skipPostgres)('SLA engine on PostgreSQL', () => {
  const pgServer = usePostgres();

  it('schedules a request filed in PostgreSQL, escalates it once per level, and reports it', async () => {
    const url = await pgServer.database();
    const stores = await openPostgresStores(url);
    const h = await createHarness({ stores });
    try {
      const rec = await h.file('training', at('2026-02-01 09:00'));
      const rows = await h.sla.engine.timers.rows(rec.id);
      expect(rows.map((r) => [r.kind, r.level, r.firedAt])).toEqual([
        ['escalation', 1, null],
        ['overdue', 0, null],
      ]);
      expect((await h.sla.engine.sweep(at('2026-02-08 08:00'))).escalations).toEqual([]);
      expect((await h.sla.engine.sweep(at('2026-02-09 08:00'))).escalations).toEqual([{ reference: rec.reference, level: 1, role: rows[0]!.role }]);
      expect((await h.sla.engine.sweep(at('2026-02-09 08:05'))).escalations).toEqual([]);
      expect((await h.sla.engine.timers.rows(rec.id)).filter((r) => r.kind === 'escalation').map((r) => [r.level, r.firedAt !== null])).toEqual([
        [1, true],
        [2, false],
      ]);
      expect(
        await count(stores, `SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL AND request_id = $1 AND purpose = 'escalation'`, rec.id),
      ).toBeGreaterThan(0);
      expect(await count(stores, 'SELECT COUNT(*) FROM notify_system WHERE request_id = $1 AND level = 1', rec.id)).toBe(1);
      // Nothing of the SLA's was written to the instance's SQLite.
      expect(
        h.sql.db.prepare('SELECT (SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL) + (SELECT COUNT(*) FROM notify_system)').pluck().get(),
      ).toBe(0);
      // The resident was told of the filing (the applicant's address read from PostgreSQL at delivery).
      expect(h.transports.email.sent.some((m) => m.to === 'salem@example.om')).toBe(true);
      expect(await stores.sla.figures.escalationsFiredTotal()).toEqual([{ level: 1, role: rows[0]!.role, n: 1 }]);
      // `tawasul sla-report` reads PostgreSQL when TAWASUL_DATABASE_URL is set.
      const out: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      });
      vi.stubEnv('TAWASUL_DATABASE_URL', url);
      try {
        expect(await slaReportCommand.run({ data: h.dir, from: '2026-02-01', to: '2026-02-28', json: true }, [])).toBe(0);
      } finally {
        vi.unstubAllEnvs();
        write.mockRestore();
      }
      const report = JSON.parse(out.join(''));
      expect(report.requests.total).toMatchObject({ filed: 1, escalated: 1 });
      expect(report.escalations).toEqual([{ level: 1, role: rows[0]!.role, count: 1 }]);
    } finally {
      await h.close();
      await stores.close();
    }
  });

  it('builds its stores, notifications and metrics on PostgreSQL when given only the pool', async () => {
    const stores = await openPostgresStores(await pgServer.database());
    const h = await createHarness({ stores: { requests: stores.requests, pool: stores.pool } });
    try {
      const rec = await h.file('training', at('2026-02-01 09:00'));
      expect((await h.sla.engine.sweep(at('2026-02-09 08:00'))).escalations).toHaveLength(1);
      const sent = await count(stores, `SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL AND request_id = $1 AND state = 'sent'`, rec.id);
      expect(sent).toBeGreaterThan(1);
      expect((await h.sla.system.list({ reference: rec.reference })).map((n) => n.level)).toEqual([1]);
      expect((await h.sla.outbox.list({ reference: rec.reference })).every((n) => n.status === 'sent')).toBe(true);
      const metrics = await h.sla.metrics.registry.metrics();
      const gauge = metrics.split('\n').filter((l) => l.startsWith('tawasul_notifications{'));
      expect(gauge.reduce((n, l) => n + Number(l.split(' ').pop()), 0)).toBe(sent);
      expect(metrics).toContain('tawasul_outbox_in_doubt_sends_total');
      expect(
        h.sql.db.prepare('SELECT (SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL) + (SELECT COUNT(*) FROM notify_system)').pluck().get(),
      ).toBe(0);
    } finally {
      await h.close();
      await stores.close();
    }
  });

  it('commits a claim with its system notification and e-mails/SMS in one PostgreSQL transaction, or none of them', async () => {
    const stores = await openPostgresStores(await pgServer.database());
    const h = await createHarness({ stores });
    try {
      const rec = await h.file('liwan-closure', at('2026-02-01 09:00'));
      const enqueue = h.sla.outbox.enqueue.bind(h.sla.outbox);
      const spy = vi.spyOn(h.sla.outbox, 'enqueue').mockImplementation(async (n, now, into) => {
        if (n.purpose === 'escalation' && n.channel === 'sms') throw new Error('disk full');
        return enqueue(n, now, into);
      });
      await expect(h.sla.engine.sweep(at('2026-02-09 09:00'))).rejects.toThrow('disk full');
      spy.mockRestore();
      expect((await h.sla.engine.timers.rows(rec.id)).find((t) => t.kind === 'escalation')!.firedAt).toBeNull();
      expect(await count(stores, 'SELECT COUNT(*) FROM notify_system WHERE request_id = $1', rec.id)).toBe(0);
      expect(await count(stores, `SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL AND request_id = $1 AND purpose = 'escalation'`, rec.id)).toBe(
        0,
      );
      expect((await h.sla.engine.sweep(at('2026-02-09 09:05'))).escalations.map((e) => e.level)).toEqual([1]);
      expect(await count(stores, 'SELECT COUNT(*) FROM notify_system WHERE request_id = $1', rec.id)).toBe(1);
      expect(await count(stores, `SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL AND request_id = $1 AND purpose = 'escalation'`, rec.id)).toBe(
        2,
      );
    } finally {
      await h.close();
      await stores.close();
    }
  });

  it('fires each level once when two instances sweep one database at the same time, and stores and sends each notice once', async () => {
    const url = await pgServer.database();
    const [sa, sb] = [await openPostgresStores(url), await openPostgresStores(url)];
    const a = await createHarness({ stores: sa });
    const b = await createHarness({ stores: sb }, { ...tempDir('tawasul-sla-b-'), clock: a.clock });
    try {
      const filed = [];
      for (const service of ['training', 'liwan-closure', 'pest-control', 'training', 'liwan-closure', 'pest-control']) {
        filed.push(await a.file(service, at('2026-02-01 09:00')));
      }
      await b.sla.engine.processEvents(at('2026-02-01 09:01'));
      // Both instances sweep together at 10:00 every day for eight weeks: level after level falls due.
      const fired: string[] = [];
      for (let day = 0; day < 56; day++) {
        const t = new Date(at('2026-02-02 10:00').getTime() + day * 86_400_000);
        const [ra, rb] = await Promise.all([a.sla.engine.sweep(t), b.sla.engine.sweep(t)]);
        for (const e of [...ra.escalations, ...rb.escalations]) fired.push(`${e.reference}/${e.level}`);
      }
      // Every level fired exactly once, and every level the schedule records as fired was reported once.
      expect(new Set(fired).size).toBe(fired.length);
      const recorded = await sa.pool.query<{ key: string }>(
        `SELECT reference || '/' || level AS key FROM sla_timers WHERE kind = 'escalation' AND fired_at IS NOT NULL`,
      );
      expect(recorded.rows.map((r) => r.key).sort()).toEqual([...fired].sort());
      expect(new Set(fired.map((k) => k.split('/')[0]))).toEqual(new Set(filed.map((r) => r.reference)));
      expect(fired.some((k) => k.endsWith('/2'))).toBe(true);
      // One system notification per fired level, and the e-mails/SMS of each level stored once.
      expect(await count(sa, 'SELECT COUNT(*) FROM notify_system')).toBe(fired.length);
      const perLevel = await sa.pool.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM notify_system GROUP BY reference, level HAVING COUNT(*) > 1`);
      expect(perLevel.rows).toEqual([]);
      expect(await count(sa, `SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL AND purpose = 'escalation'`)).toBeGreaterThanOrEqual(fired.length);
      // Every stored notice was delivered, by one instance or the other, exactly once.
      const rows = await count(sa, 'SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL');
      expect(await count(sa, `SELECT COUNT(*) FROM outbox WHERE recipient_kind IS NOT NULL AND state = 'sent' AND attempts = 1`)).toBe(rows);
      const tags = [a, b].flatMap((h) => [...h.transports.email.sent, ...h.transports.sms.sent].map((m) => m.tag));
      expect(tags).toHaveLength(rows);
      expect(new Set(tags).size).toBe(rows);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([sa.close(), sb.close()]);
    }
  });
});
