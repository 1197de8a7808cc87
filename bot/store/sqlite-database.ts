import { chmodSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

const require = createRequire(import.meta.url);
const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The statement for `sql` on `db`, prepared once per connection (hot paths; not for re-entrant `.iterate()`). */
export function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (!cache) {
    cache = new Map();
    statementCaches.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/** One schema step of a module; applied once, in order, by bot/store/sqlite/migrate.ts (listed in bot/store/schema.ts). */
export interface Migration {
  version: number;
  up: string;
}

/** Options of a database file. */
export interface SqliteOptions {
  /**
   * Checkpoint the WAL from a worker thread (PASSIVE, every `checkpointMs`) instead of letting a commit
   * on the event loop run it (with its fsync) every 1,000 pages. For the server's main database.
   */
  backgroundCheckpoint?: boolean;
  checkpointMs?: number;
}

/** Pages of WAL after which a commit still checkpoints by itself (only if the worker fell behind). */
const FALLBACK_AUTOCHECKPOINT = 16_384;

/**
 * The checkpoint worker: its own connection, a PASSIVE checkpoint on a timer (never blocks writers).
 * Dynamic imports only, so that the code runs whether the worker evaluates it as CommonJS or ESM.
 */
const CHECKPOINT_WORKER = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const { default: Database } = await import(workerData.driver);
  const db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  const run = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
  const timer = setInterval(run, workerData.intervalMs);
  parentPort.on('message', () => { clearInterval(timer); run(); db.close(); parentPort.close(); });
})();
`;

/** A SQLite file opened with the settings every store relies on (WAL, foreign keys, busy timeout). */
export class SqliteDatabase {
  readonly db: Database.Database;
  private checkpointer: Worker | undefined;
  private workerExit: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    opts: SqliteOptions = {},
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    // Personal data: owner only, whatever the umask (SQLite gives its -wal/-shm files the same mode).
    if (file !== ':memory:') chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    if (opts.backgroundCheckpoint && file !== ':memory:') {
      this.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
      const worker = new Worker(CHECKPOINT_WORKER, {
        eval: true,
        execArgv: [],
        workerData: { file, driver: pathToFileURL(require.resolve('better-sqlite3')).href, intervalMs: opts.checkpointMs ?? 1000 },
      });
      // Should the worker fail, commits checkpoint by themselves again, as without it.
      worker.on('error', () => {
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      });
      worker.unref();
      this.checkpointer = worker;
      this.workerExit = new Promise((resolve) => worker.once('exit', () => resolve()));
    }
  }

  /** Runs `fn` in an immediate (write-locking) transaction. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Closes the file; the checkpoint worker runs a last checkpoint and closes its own connection. */
  close(): void {
    // Held by the event loop until its last checkpoint is done, so that `closed()` can be awaited.
    this.checkpointer?.ref();
    this.checkpointer?.postMessage('close');
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }

  /** Resolves once the checkpoint worker (if any) has closed its connection: the files are then settled. */
  closed(): Promise<void> {
    return this.workerExit;
  }
}
