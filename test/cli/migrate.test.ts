import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { coreMigrations } from '../../bot/store/schema.js';
import { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { runTawasul } from '../helpers/cli.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

let t: ReturnType<typeof tempDir>;
afterEach(() => t?.cleanup());

const tawasul = (args: string[]) => runTawasul(args);

describe('tawasul migrate', () => {
  it('creates the schema of the core and the enabled channels once, then finds it current', async () => {
    t = tempDir('tawasul-migrate-');
    const first = await tawasul(['migrate', '--data', t.dir]);
    expect(first.code).toBe(0);
    const applied = first.out
      .split('\n')
      .filter((l) => l.startsWith('applied '))
      .map((l) => l.slice('applied '.length));
    for (const m of coreMigrations) for (const v of m.migrations) expect(applied).toContain(`${m.module}/${String(v.version).padStart(4, '0')}`);
    expect(applied).toContain('webchat/0001'); // the web chat is enabled in config/channels.yaml
    const again = await tawasul(['migrate', '--data', t.dir]);
    expect(again).toMatchObject({ code: 0, out: 'schema is current\n' });
    const sql = new SqliteDatabase(join(t.dir, 'tawasul.sqlite'));
    expect(sql.db.prepare('SELECT COUNT(*) FROM kysely_migration').pluck().get()).toBe(applied.length);
    sql.close();
  });

  describe.skipIf(skipPostgres)('with TAWASUL_DATABASE_URL', () => {
    const postgres = usePostgres();
    it('migrates the PostgreSQL database (core and enabled channels) once, then finds it current, leaving the data directory alone', async () => {
      t = tempDir('tawasul-migrate-');
      const env = { TAWASUL_DATABASE_URL: await postgres.database() };
      const first = await runTawasul(['migrate', '--data', t.dir], '', env);
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/^applied 0001-requests$/m);
      expect(first.out).toMatch(/migration\(s\) applied\n$/);
      expect(await runTawasul(['migrate', '--data', t.dir], '', env)).toMatchObject({ code: 0, out: 'schema is current\n' });
      expect(existsSync(join(t.dir, 'tawasul.sqlite'))).toBe(false);
    });
  });

  it('refuses while another process holds the data directory', async () => {
    t = tempDir('tawasul-migrate-');
    const { DataDirLock } = await import('../../bot/security/data-dir.js');
    const lock = DataDirLock.acquire(t.dir);
    try {
      const r = await tawasul(['migrate', '--data', t.dir]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/tawasul migrate: /);
    } finally {
      lock.release();
    }
  });
});
