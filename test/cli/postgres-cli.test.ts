/**
 * `tawasul users` and `tawasul due` with TAWASUL_DATABASE_URL set (real PostgreSQL on loopback): the
 * accounts, sessions and audit trail, and the holidays admins moved, are those on PostgreSQL; the data
 * directory only gives the configuration (no SQLite database is made there).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresAccountStore } from '../../bot/store/postgres/account-store.js';
import { openPostgresStores } from '../../bot/store/postgres/stores.js';
import { runTawasul } from '../helpers/cli.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

describe.skipIf(skipPostgres)('the account and due-date commands on PostgreSQL', () => {
  const pgServer = usePostgres();
  const t = tempDir('tawasul-pgcli-');
  afterAll(() => t.cleanup());

  it('tawasul users adds, lists and disables accounts on PostgreSQL, with the audit trail there', async () => {
    const url = await pgServer.database();
    const env = { TAWASUL_DATABASE_URL: url };
    const users = (args: string[], input = '') => runTawasul(['users', ...args, '--data', t.dir], input, env);
    const add = await users(['add', 'root', '--role', 'admin', '--name', 'مدير النظام'], 'first admin password\n');
    expect(add.err).toBe('');
    expect(add.out).toContain('added root (admin)');
    expect((await users(['add', 'hamad', '--role', 'department', '--departments', 'municipal-equipment'], 'hamad password 1\n')).code).toBe(0);
    expect((await users(['add', 'yy', '--role', 'department', '--departments', 'moon'], 'whatever password\n')).err).toContain('unknown department "moon"');
    expect((await users(['disable', 'hamad'])).code).toBe(0);
    const list = await users(['list']);
    expect(list.out).toMatch(/^hamad\tdepartment\tmunicipal-equipment\tdisabled/m);
    expect(list.out).toMatch(/^root\tadmin\t-\tactive\tمدير النظام$/m);
    expect(existsSync(join(t.dir, 'tawasul.sqlite'))).toBe(false);

    const stores = await openPostgresStores(url);
    try {
      const accounts = new PostgresAccountStore(stores.pool, { now: () => new Date() });
      expect((await accounts.byUsername('root'))?.role).toBe('admin');
      expect((await accounts.byUsername('hamad'))?.disabled).toBe(true);
      const audit = (await stores.turn.conversations.auditTrail(10)).map((e) => [e.actor, e.action, e.subject]);
      expect(audit).toEqual(
        expect.arrayContaining([
          ['cli', 'account.add', 'root'],
          ['cli', 'account.disable', 'hamad'],
        ]),
      );
    } finally {
      await stores.close();
    }
  }, 90_000);

  it('tawasul due counts the holidays moved on PostgreSQL', async () => {
    const url = await pgServer.database();
    const due = async (): Promise<string> => {
      const r = await runTawasul(['due', '--service', 'training', '--from', '2026-03-16T10:00', '--json', '--data', t.dir], '', { TAWASUL_DATABASE_URL: url });
      expect(r.err).toBe('');
      return JSON.parse(r.out).dueAt as string;
    };
    const before = await due();
    const stores = await openPostgresStores(url);
    try {
      await stores.sla.holidays.addOverride({
        holidayId: 'eid-al-fitr',
        from: '2026-03-19',
        to: '2026-03-23',
        status: 'confirmed',
        name: { ar: 'عيد الفطر', en: 'Eid al-Fitr' },
        actor: 'admin:x',
        at: Date.parse('2026-03-16T06:00:00Z'),
      });
    } finally {
      await stores.close();
    }
    const after = await due();
    expect(after > before).toBe(true);
  }, 60_000);
});
