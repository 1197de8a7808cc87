import { AsyncLocalStorage } from 'node:async_hooks';
import { chmodSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { StoreError } from '../core/errors.js';
import { SerialQueue } from '../core/serial-queue.js';

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
   * Checkpoint the WAL from a worker thread (PASSIVE, every `checkpointMs`, default 100) instead of letting a commit
   * on the event loop run it (with its fsync) every 1,000 pages. For the server's main database.
   */
  backgroundCheckpoint?: boolean;
  checkpointMs?: number;
  /** WAL size (pages) from which the worker hands the WAL back to be restarted (default 8,192: 32 MB). */
  restartPages?: number;
}

/** Page cache per connection, KiB. */
const CACHE_KIB = 8_192;

/** Pages of WAL after which a commit still checkpoints by itself (only if the worker fell behind). */
const FALLBACK_AUTOCHECKPOINT = 16_384;

/**
 * The checkpoint worker: its own connection, PASSIVE checkpoints on a timer (never blocks writers).
 * Under a steady stream of commits a PASSIVE checkpoint never copies the last frames (more are
 * committed while it copies), and only a fully copied WAL is restarted from its beginning: the WAL
 * would grow until the fallback threshold made a commit on the event loop copy up to a second's
 * frames and fsync them (a 60-100 ms stall). So after a pass that copied frames the worker runs a
 * second one (which copies what was committed during the first), and once the WAL is longer than
 * `restartPages` it posts a message: the event loop then copies the few hundred pages committed since,
 * between two turns, and its next commit restarts the WAL. Dynamic imports only, so that the code runs
 * whether the worker evaluates it as CommonJS or ESM.
 */
const CHECKPOINT_WORKER = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const { default: Database } = await import(workerData.driver);
  const db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  const pass = () => { try { return db.pragma('wal_checkpoint(PASSIVE)')[0]; } catch { return undefined; } };
  let timer;
  const tick = () => {
    let r = pass();
    if (r && r.checkpointed > 0 && r.log > r.checkpointed) r = pass();
    if (r && r.log >= workerData.restartPages) parentPort.postMessage({ checkpointed: r.checkpointed });
    timer = setTimeout(tick, workerData.intervalMs);
  };
  timer = setTimeout(tick, workerData.intervalMs);
  parentPort.on('message', (m) => {
    if (m !== 'close') return;
    clearTimeout(timer); pass(); db.close(); parentPort.close();
  });
})();
`;

/** What the event loop did for the checkpoint worker: WAL hand-backs, and the pages it copied in them. */
export interface CheckpointStats {
  handBacks: number;
  pagesOnLoop: number;
}

/** A SQLite file opened with the settings every store relies on (WAL, foreign keys, busy timeout). */
export class SqliteDatabase {
  readonly db: Database.Database;
  private checkpointer: Worker | undefined;
  private workerExit: Promise<void> = Promise.resolve();
  /** The async transaction the current async context runs in, and its savepoint depth (undefined: none). */
  private readonly asyncTx = new AsyncLocalStorage<{ tx: number; depth: number }>();
  /** The queue of `serial` work. */
  private readonly queue = new SerialQueue();
  /** The number of the async transaction holding the connection (undefined: none). */
  private openTx: number | undefined;
  private txCount = 0;
  /** The event loop's share of the checkpoints (see CHECKPOINT_WORKER). */
  readonly checkpointStats: CheckpointStats = { handBacks: 0, pagesOnLoop: 0 };

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
    // Sub-journals in memory: a batch's savepoints (turn-tx.ts) journal the pages they change, and past
    // 64 KiB SQLite spills that journal to a temporary file, two write() calls per page for the rest of
    // the transaction (most of a turn's write syscalls). Temporary tables and sorts stay in memory too:
    // the queries that grow with the data read index ranges (test/perf/query-plans.test.ts).
    this.db.pragma('temp_store = MEMORY');
    // 8 MB of page cache (SQLite's default is 2 MB): a turn touches one transcript-index page per
    // conversation, about 4 MB for a thousand active conversations (16 MB bought no CPU and cost RSS).
    this.db.pragma(`cache_size = -${CACHE_KIB}`);
    this.guardTransactions();
    if (opts.backgroundCheckpoint && file !== ':memory:') {
      this.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
      const worker = new Worker(CHECKPOINT_WORKER, {
        eval: true,
        execArgv: [],
        workerData: {
          file,
          driver: pathToFileURL(require.resolve('better-sqlite3')).href,
          intervalMs: opts.checkpointMs ?? 100,
          restartPages: opts.restartPages ?? 8192,
        },
      });
      worker.on('message', (m: { checkpointed: number }) => this.finishCheckpoint(m.checkpointed));
      // Should the worker fail, commits checkpoint by themselves again, as without it.
      worker.on('error', () => {
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      });
      worker.unref();
      this.checkpointer = worker;
      this.workerExit = new Promise((resolve) => worker.once('exit', () => resolve()));
    }
  }

  /**
   * Runs `fn` in an immediate (write-locking) transaction; inside an async transaction's own context
   * it nests as a savepoint. Refused from any other context while an async transaction is open (see
   * `guardTransactions`).
   */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Runs `fn` in one immediate transaction: COMMIT when it resolves, ROLLBACK when it throws (the
   * error is rethrown). Calls are serialized by an in-process mutex (one connection, one transaction);
   * a call made inside another's `fn` runs within it as a SAVEPOINT (undone alone when it throws).
   *
   * Rule: inside `fn`, await only this database's calls (the SQLite stores, whose promises settle
   * without I/O) — never the network, a timer or a file. The transaction begins at the start of a
   * macrotask of its own (a `setImmediate`, when the microtask queue is empty), so `fn` then runs to
   * its end on its own chain of microtasks: no timer or I/O callback (the group commit's
   * `setImmediate` flush, another request) and no other async flow can run while the transaction is
   * open and slip its statements into it. The guard on synchronous transactions (below) makes a
   * breach of the rule fail loudly instead.
   */
  async txAsync<T>(fn: () => Promise<T>): Promise<T> {
    // Compared by number: a flow that an earlier transaction's callback left running still carries its context.
    const inside = this.asyncTx.getStore();
    if (inside !== undefined && inside.tx === this.openTx) return this.savepoint(inside, fn);
    return this.serial(async () => {
      // Begin at the start of a macrotask of our own: the microtask queue is then empty, so until the
      // callback's chain of (database-only) awaits ends, no other code runs on this connection.
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.db.exec('BEGIN IMMEDIATE');
      const tx = ++this.txCount;
      this.openTx = tx;
      try {
        const result = await this.asyncTx.run({ tx, depth: 1 }, fn);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      } finally {
        this.openTx = undefined;
        // No transaction open: let Node remove its promise hooks (they cost every promise of every
        // message); the next `run` installs them again. Flows this transaction left running lose a context they no longer need.
        this.asyncTx.disable();
      }
    });
  }

  /**
   * Runs `fn` after every earlier `serial` call on this connection has settled (at once when none is
   * running): the one queue of this connection's asynchronous transactions, `txAsync` and the
   * engine's end-of-turn batches (bot/engine/turn-tx.ts), so that neither begins inside the other.
   */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(fn);
  }

  /**
   * Every synchronous transaction of this connection — `tx()`, and the wrappers other modules build
   * with `db.transaction()` (the group commit's flush) — throws a StoreError when it starts from
   * outside an open async transaction's context. It throws rather than defers: a synchronous caller
   * cannot wait, and joining the open transaction would commit or roll back its writes with someone
   * else's unit (a rolled-back turn would be lost). It can only happen when a `txAsync` callback broke
   * the rule (awaited I/O), so failing loudly there is the point. The throw happens inside the
   * savepoint better-sqlite3 opened, which it rolls back: the async transaction is left as it was.
   */
  private guardTransactions(): void {
    const db = this.db;
    const original = db.transaction.bind(db);
    db.transaction = ((fn: (...args: unknown[]) => unknown) =>
      original((...args: unknown[]) => {
        if (this.openTx !== undefined && this.asyncTx.getStore()?.tx !== this.openTx) {
          throw new StoreError('SQLite: a synchronous transaction started while an async one is open (a txAsync callback awaited something else)');
        }
        return fn(...args);
      })) as typeof db.transaction;
  }

  /** `fn` in a savepoint of the open async transaction, one level below `at`. */
  private async savepoint<T>(at: { tx: number; depth: number }, fn: () => Promise<T>): Promise<T> {
    const name = `tawasul_async_${at.depth}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await this.asyncTx.run({ tx: at.tx, depth: at.depth + 1 }, fn);
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (err) {
      this.db.exec(`ROLLBACK TO ${name}`);
      this.db.exec(`RELEASE ${name}`);
      throw err;
    }
  }

  /** Copies the pages the worker left (between two turns: no transaction is open), so that the next commit restarts the WAL. */
  private finishCheckpoint(byWorker: number): void {
    if (!this.db.open || this.db.inTransaction || this.openTx !== undefined) return;
    try {
      const r = (this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; checkpointed: number }[])[0];
      if (!r || r.busy) return;
      this.checkpointStats.handBacks++;
      this.checkpointStats.pagesOnLoop += Math.max(0, r.checkpointed - byWorker);
    } catch {
      // The worker's next pass and the fallback threshold remain.
    }
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
