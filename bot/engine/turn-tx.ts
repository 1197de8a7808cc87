/**
 * The end-of-turn transaction, whatever the database: a batch of units, each unit in its own
 * savepoint (undone alone when it throws), every unit handed the store views bound to its
 * transaction (`TurnTx`). SQLite: `SqliteTransactions` below, ONE transaction per batch (BEGIN
 * IMMEDIATE on the event loop; its views answer synchronously, so a unit awaits nothing but
 * already-settled values and no I/O callback can run inside the transaction). PostgreSQL:
 * `store/postgres/turn-transactions.ts`, the batch spread over a few pooled connections ("lanes"),
 * one transaction per lane: units of one batch never depend on each other.
 */
import type { InboundLedger, OutboxStore } from '../delivery/types.js';
import type { ConversationStore } from '../store/conversation-store.js';
import { prepared, type SqliteDatabase } from '../store/sqlite-database.js';
import type { TurnStateStore } from './state.js';

/** The stores as seen from inside one transaction. */
export interface TurnTx {
  inbox: InboundLedger;
  state: TurnStateStore;
  conversations: ConversationStore;
  outbox: OutboxStore;
}

/** One unit of a batch: its writes, through the transaction's views. */
export type TurnUnit = (tx: TurnTx) => void | Promise<void>;

/** What became of one unit of a committed batch. */
export type UnitOutcome = { ok: true } | { ok: false; error: unknown };

/** Runs batches of units in one transaction each. */
export interface Transactions {
  /**
   * Runs `units`, each in its own savepoint; resolves with each unit's outcome once its
   * transaction has committed (a unit whose transaction failed to begin or commit is a failed
   * outcome); rejects only when nothing committed. Batches of one `Transactions` run one after another.
   */
  batch(units: readonly TurnUnit[]): Promise<UnitOutcome[]>;
}

/** Transactions on one SQLite connection: BEGIN IMMEDIATE, a SAVEPOINT per unit, COMMIT. */
export class SqliteTransactions implements Transactions {
  constructor(
    protected readonly sql: SqliteDatabase,
    /** The views the units write through: the stores on the same connection. */
    readonly views: TurnTx,
  ) {}

  batch(units: readonly TurnUnit[]): Promise<UnitOutcome[]> {
    // Behind the connection's other async transactions (txAsync); at once when none is running.
    return this.sql.serial(() => this.run(units));
  }

  /** Opens the write transaction (tests override it to count or fail). */
  protected begin(): void {
    prepared(this.sql.db, 'BEGIN IMMEDIATE').run();
  }

  private async run(units: readonly TurnUnit[]): Promise<UnitOutcome[]> {
    const db = this.sql.db;
    const outcomes: UnitOutcome[] = [];
    this.begin();
    try {
      for (const unit of units) {
        prepared(db, 'SAVEPOINT unit').run();
        try {
          const r = unit(this.views);
          if (r) await r;
          prepared(db, 'RELEASE unit').run();
          outcomes.push({ ok: true });
        } catch (error) {
          prepared(db, 'ROLLBACK TO unit').run();
          prepared(db, 'RELEASE unit').run();
          outcomes.push({ ok: false, error });
        }
      }
      prepared(db, 'COMMIT').run();
    } catch (err) {
      if (db.inTransaction) prepared(db, 'ROLLBACK').run();
      throw err;
    }
    return outcomes;
  }
}
