/**
 * The group commit runs each unit of a batch in a SAVEPOINT. SQLite journals the pages a savepoint
 * changes in a sub-journal, which by default spills to a temporary file past 64 KiB: two writes per
 * page on every turn. With `temp_store = MEMORY` it stays in memory; a unit undone alone must still
 * be undone exactly. Linux: open files are read from /proc/self/fd.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { tempDir } from '../helpers/tmp.js';

let t: ReturnType<typeof tempDir>;
afterEach(() => t.cleanup());

/** Files this process holds open that SQLite made as temporary files (named etilqs_…, unlinked at once). */
function sqliteTempFiles(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(join('/proc/self/fd', fd));
      if (target.includes('etilqs_')) out.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

describe('savepoint sub-journals', () => {
  it('stay in memory however many pages a batch changes, and a unit rolled back alone is undone exactly', () => {
    t = tempDir();
    const sql = new SqliteDatabase(join(t.dir, 's.sqlite'));
    expect(sql.db.pragma('temp_store', { simple: true })).toBe(2);
    sql.db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const ins = sql.db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    sql.tx(() => {
      for (let i = 0; i < 2000; i++) ins.run(i, 'a'.repeat(400));
    });
    const upd = sql.db.prepare('UPDATE t SET v = ? WHERE id = ?');
    let openDuring: string[] = [];
    sql.tx(() => {
      // Unit 1 changes every page (~800 KB of pages in its sub-journal), then is undone alone.
      sql.db.exec('SAVEPOINT unit');
      for (let i = 0; i < 2000; i++) upd.run('b'.repeat(400), i);
      openDuring = sqliteTempFiles();
      sql.db.exec('ROLLBACK TO unit');
      sql.db.exec('RELEASE unit');
      // Unit 2 keeps its change.
      sql.db.exec('SAVEPOINT unit');
      upd.run('c', 7);
      sql.db.exec('RELEASE unit');
    });
    expect(openDuring).toEqual([]);
    const rows = sql.db.prepare('SELECT id, v FROM t ORDER BY id').all() as Array<{ id: number; v: string }>;
    expect(rows).toHaveLength(2000);
    expect(rows.filter((r) => r.v === 'a'.repeat(400))).toHaveLength(1999);
    expect(rows[7]!.v).toBe('c');
    sql.close();
  });
});
