import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The statement for `sql` on `db`, prepared once per connection (hot paths; not for re-entrant `.iterate()`). */
export function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (!cache) statementCaches.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) cache.set(sql, (s = db.prepare(sql)));
  return s;
}

/** One schema step of a module; applied once, in order, inside a transaction. */
export interface Migration {
  version: number;
  up: string;
}

/** A SQLite file opened with the settings every store relies on (WAL, foreign keys, busy timeout). */
export class SqliteDatabase {
  readonly db: Database.Database;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    // Personal data: owner only, whatever the umask (SQLite gives its -wal/-shm files the same mode).
    if (file !== ':memory:') chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (module, version))`);
  }

  /** Applies the module's migrations that are not yet recorded. */
  migrate(module: string, migrations: readonly Migration[]): void {
    const applied = new Set(
      this.db.prepare('SELECT version FROM schema_migrations WHERE module = ?').pluck().all(module) as number[],
    );
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.up);
        this.db.prepare('INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)').run(module, m.version, new Date().toISOString());
      }).immediate();
    }
  }

  /** Runs `fn` in an immediate (write-locking) transaction. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
