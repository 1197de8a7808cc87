/**
 * The data directory holds personal data: it is made 0700 and every file in it 0600 at start-up
 * (older installs included), and the process umask is narrowed to 077 so that whatever is created
 * later (SQLite -wal/-shm files, downloaded attachments, caches, tokens, browser sessions of child
 * processes) is private too, whatever umask the service was started with. One instance per data
 * directory: an exclusive SQLite lock on `tawasul.lock`, released by the OS when the process ends,
 * however it ends (a killed process leaves no stale lock).
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StartupError } from '../core/errors.js';

/** Narrows the umask (077), creates the directory and makes it 0700, its files 0600 and its folders 0700. */
export function secureDataDir(dir: string): void {
  try {
    process.umask(0o077);
  } catch {
    // Worker threads cannot change the umask; the modes below still apply to what exists.
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const walk = (path: string): void => {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (st.isFile() && (st.mode & 0o777) !== 0o600) {
      chmodSync(path, 0o600);
    }
  };
  walk(dir);
}

/** The exclusive lock of a data directory. */
export class DataDirLock {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  /** Takes the lock or throws a StartupError saying the directory is in use. */
  static acquire(dir: string): DataDirLock {
    const file = join(dir, 'tawasul.lock');
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = MEMORY');
      // The first write takes the exclusive lock; in this mode it is held until the connection closes.
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, started_at TEXT NOT NULL)');
      db.transaction(() => {
        db.exec('DELETE FROM holder');
        db.prepare('INSERT INTO holder (pid, started_at) VALUES (?, ?)').run(process.pid, new Date().toISOString());
      }).exclusive();
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY') || (err as { code?: string }).code === 'SQLITE_LOCKED') {
        throw new StartupError(
          `the data directory ${dir} is in use by another Tawasul instance (lock ${file}); stop it first or choose another directory with --data`,
        );
      }
      throw err;
    }
    return new DataDirLock(db, file);
  }

  /** Releases the lock. */
  release(): void {
    if (this.db.open) this.db.close();
  }
}
