/**
 * The end-of-turn transactions on PostgreSQL: a batch runs on one pooled client in ONE transaction,
 * each unit in its own SAVEPOINT (undone alone when it throws), the units writing through store
 * views bound to that client. Batches run one after another (a turn's end never commits before its
 * claim); those submitted meanwhile form the next batch. Across instances, the claim's primary key
 * keeps a message to one turn: a second claimer waits for the first transaction, then finds it taken.
 */
import type pg from 'pg';
import { SerialQueue } from '../../core/serial-queue.js';
import type { Transactions, TurnTx, TurnUnit, UnitOutcome } from '../../engine/turn-tx.js';
import { withTransaction } from './database.js';
import { PostgresConversationStore, PostgresStateStore } from './turn-conversations.js';
import type { TurnDb } from './turn-db.js';
import { PostgresOutbox } from './turn-delivery.js';

/** The turn's stores on `db` (the pool outside a transaction, a client inside one). */
export function postgresTurnStores(db: TurnDb): TurnTx {
  const outbox = new PostgresOutbox(db);
  return { inbox: outbox.inbox, outbox, state: new PostgresStateStore(db), conversations: new PostgresConversationStore(db) };
}

/** Batches on one pooled client each: BEGIN, a SAVEPOINT per unit, COMMIT. */
export class PostgresTransactions implements Transactions {
  private readonly queue = new SerialQueue();

  constructor(private readonly pool: pg.Pool) {}

  batch(units: readonly TurnUnit[]): Promise<UnitOutcome[]> {
    return this.queue.run(() => this.run(units));
  }

  private run(units: readonly TurnUnit[]): Promise<UnitOutcome[]> {
    return withTransaction(this.pool, async (client) => {
      const outcomes: UnitOutcome[] = [];
      const views = postgresTurnStores(client);
      for (const unit of units) {
        await client.query('SAVEPOINT unit');
        try {
          await unit(views);
          await client.query('RELEASE SAVEPOINT unit');
          outcomes.push({ ok: true });
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT unit');
          await client.query('RELEASE SAVEPOINT unit');
          outcomes.push({ ok: false, error });
        }
      }
      return outcomes;
    });
  }
}
