/**
 * The SLA engine on PostgreSQL stores, end to end: a request filed in the PostgreSQL request store is
 * scheduled, escalated once at its deadline, and two instances sweeping one database at the same
 * time fire each level once (the notification outboxes are still each instance's SQLite).
 */
import { describe, expect, it, vi } from 'vitest';
import { slaReportCommand } from '../../bot/cli/sla-report.js';
import { openPostgresStores } from '../../bot/store/postgres/stores.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { at, createHarness } from './harness.js';

const count = (h: { sql: { db: { prepare(s: string): { pluck(): { get(...a: unknown[]): unknown } } } } }, sql: string, ...args: unknown[]): number =>
  h.sql.db
    .prepare(sql)
    .pluck()
    .get(...args) as number;

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
      expect(count(h, `SELECT COUNT(*) FROM notify_outbox WHERE request_id = ? AND purpose = 'escalation'`, rec.id)).toBeGreaterThan(0);
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

  it('fires each level once when two instances sweep one database at the same time', async () => {
    const url = await pgServer.database();
    const [sa, sb] = [await openPostgresStores(url), await openPostgresStores(url)];
    const a = await createHarness({ stores: sa });
    const b = await createHarness({ stores: sb }, { ...tempDir('tawasul-sla-b-'), clock: a.clock });
    try {
      const filed = [];
      for (const service of ['training', 'liwan-closure', 'pest-control', 'training']) filed.push(await a.file(service, at('2026-02-01 09:00')));
      await b.sla.engine.processEvents(at('2026-02-01 09:01'));
      const [ra, rb] = await Promise.all([a.sla.engine.sweep(at('2026-02-10 10:00')), b.sla.engine.sweep(at('2026-02-10 10:00'))]);
      const fired = [...ra.escalations, ...rb.escalations].map((e) => e.reference).sort();
      expect(fired).toEqual(filed.map((r) => r.reference).sort());
      const systemNotices = count(a, 'SELECT COUNT(*) FROM notify_system') + count(b, 'SELECT COUNT(*) FROM notify_system');
      expect(systemNotices).toBe(ra.escalations.length + rb.escalations.length);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([sa.close(), sb.close()]);
    }
  });
});
