/**
 * WAL checkpoints off the event loop: with `backgroundCheckpoint`, commits no longer checkpoint by
 * themselves (the fallback threshold is far away) and the worker thread copies the WAL into the
 * database file, and hands a long WAL back to the event loop so that a steady stream of commits restarts
 * it; nothing written is lost across a close and a reopen. Also in an ES-module entry
 * point (where an eval'd worker is ESM). Waits on conditions with bounded polls, never on a duration.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../bot/core/paths.js';
import { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { tempDir } from '../helpers/tmp.js';

let t: ReturnType<typeof tempDir>;
afterEach(() => t.cleanup());

/** Polls `cond` up to `tries` times, 20 ms apart; returns whether it became true. */
async function eventually(cond: () => boolean, tries = 500): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (cond()) return true;
    await delay(20);
  }
  return cond();
}

/** The WAL's checkpoint sequence number (header bytes 12-15): one more at every restart of the WAL. */
function walRestarts(wal: string): number {
  const header = Buffer.alloc(16);
  const fd = openSync(wal, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(12);
}

const fill = (sql: SqliteDatabase, from: number, n: number): void => {
  const ins = sql.db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  for (let i = from; i < from + n; i++) sql.tx(() => ins.run(i, 'x'.repeat(500)));
};

describe('WAL checkpoints from a worker thread', () => {
  it('leaves checkpoints to the worker, which copies the WAL into the file; nothing is lost', async () => {
    t = tempDir();
    const file = join(t.dir, 'w.sqlite');
    const sql = new SqliteDatabase(file, { backgroundCheckpoint: true, checkpointMs: 20 });
    expect(sql.db.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(10_000);
    sql.db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const before = statSync(file).size;
    fill(sql, 0, 2000); // ~250 pages, one commit each
    expect(await eventually(() => statSync(file).size > before + 500_000)).toBe(true);
    sql.close();
    const again = new SqliteDatabase(file);
    expect(again.db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(2000);
    again.close();
  });

  it('hands a long WAL back between commits, so that a steady stream of commits restarts it instead of growing it', async () => {
    t = tempDir();
    const file = join(t.dir, 'h.sqlite');
    const sql = new SqliteDatabase(file, { backgroundCheckpoint: true, checkpointMs: 5, restartPages: 64 });
    sql.db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const ins = sql.db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    let n = 0;
    const before = statSync(file).size;
    sql.tx(() => ins.run(n++, 'x'.repeat(2000)));
    expect(await eventually(() => statSync(file).size > before)).toBe(true); // the worker is up
    const restarted = walRestarts(`${file}-wal`);
    // Commits with no pause long enough for a worker's pass to copy the last frame: only a hand-back
    // (or the fallback threshold, 16,384 pages away) lets the WAL restart from its beginning.
    // The bound is generous: on a loaded machine (the suite runs two files at once) the worker's passes
    // may come seldom; the loop ends at the tenth hand-back, not at the bound.
    let bursts = 0;
    while (bursts < 20_000 && sql.checkpointStats.handBacks < 10) {
      for (let i = 0; i < 5; i++) sql.tx(() => ins.run(n++, 'x'.repeat(2000)));
      bursts++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sql.checkpointStats.handBacks, `hand-backs after ${bursts} bursts`).toBe(10);
    // Each hand-back's checkpoint copied the last frames: the next commit began the WAL anew.
    expect(walRestarts(`${file}-wal`) - restarted, `WAL restarts after ${bursts} bursts`).toBeGreaterThanOrEqual(8);
    sql.close();
    await sql.closed();
    const again = new SqliteDatabase(file);
    expect(again.db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(n);
    again.close();
  });

  it("keeps SQLite's own checkpoints when not asked to", () => {
    t = tempDir();
    const sql = new SqliteDatabase(join(t.dir, 'w.sqlite'));
    expect(sql.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    sql.close();
  });

  it('works from an ES-module entry point', { timeout: 60_000 }, () => {
    t = tempDir();
    const mod = JSON.stringify(pathToFileURL(join(projectRoot, 'bot/store/sqlite-database.ts')).href);
    const file = JSON.stringify(join(t.dir, 'e.sqlite'));
    const code = `
      import { closeSync, openSync, readSync, statSync } from 'node:fs';
      const { SqliteDatabase } = await import(${mod});
      const sql = new SqliteDatabase(${file}, { backgroundCheckpoint: true, checkpointMs: 20 });
      sql.db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const before = statSync(${file}).size;
      const ins = sql.db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
      for (let i = 0; i < 1000; i++) ins.run(i, 'x'.repeat(500));
      let ok = false;
      for (let i = 0; i < 500 && !ok; i++) { await new Promise((r) => setTimeout(r, 20)); ok = statSync(${file}).size > before + 250000; }
      sql.close();
      process.stdout.write(ok ? 'checkpointed' : 'not checkpointed');
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: projectRoot, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('checkpointed');
  });
});
