/**
 * The end-of-turn transactions on PostgreSQL. A batch is spread over a few pooled connections
 * ("lanes", at most half the pool), each lane ONE transaction running its share of the units one
 * after another, each unit in its own SAVEPOINT (undone alone when it throws; a lane of one unit
 * needs none: its ROLLBACK undoes it). The lanes of a batch run at once, so a batch takes the time
 * of its longest lane instead of the sum of its units' round trips; savepoint boundaries share a
 * round trip (`RELEASE …; SAVEPOINT …`, `ROLLBACK TO …; COMMIT`).
 *
 * Batches still run one after another: the engine's group commit queues a turn's end after the
 * batch that holds its claim has committed, and units of one batch never depend on each other (a
 * claim queued with its own end is then a no-op; a conversation's next turn waits for the commit
 * of its previous one), so the lanes need no order between them. A lane whose BEGIN or COMMIT fails
 * fails its own units; the batch rejects when nothing at all committed.
 *
 * A unit whose FIRST statement fails with a serialization failure or a deadlock (SQLSTATE 40001,
 * 40P01: another instance claimed the same message at the same time) is rolled back to its
 * savepoint and run again, up to `retries` times: it has seen no result yet, so running it again
 * cannot repeat a decision (units must do nothing but read their own state before their first
 * statement). One that fails later has acted on results; it is undone alone and fails.
 * Across instances, the claim's primary key keeps a message to one turn: a second claimer waits
 * for the first transaction, then finds it taken.
 */
import type pg from 'pg';
import { SerialQueue } from '../../core/serial-queue.js';
import type { Transactions, TurnTx, TurnUnit, UnitOutcome } from '../../engine/turn-tx.js';
import { PostgresConversationStore, PostgresStateStore } from './turn-conversations.js';
import type { TurnDb } from './turn-db.js';
import { PostgresOutbox } from './turn-delivery.js';

/** The turn's stores on `db` (the pool outside a transaction, a client inside one). */
export function postgresTurnStores(db: TurnDb): TurnTx {
  const outbox = new PostgresOutbox(db);
  return { inbox: outbox.inbox, outbox, state: new PostgresStateStore(db), conversations: new PostgresConversationStore(db) };
}

/** Options of `PostgresTransactions`. */
export interface PostgresTransactionsOptions {
  /** Connections one batch uses at most (default: half the pool, at least 1). */
  lanes?: number;
  /** Times a unit whose first statement hit 40001/40P01 is run again (default 3). */
  retries?: number;
}

/** SQLSTATEs after which a statement may succeed when run again: serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

/** True for a serialization failure or a deadlock reported by PostgreSQL. */
export function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && RETRYABLE.has(String((err as { code?: unknown }).code));
}

/** One unit of a batch and where its outcome goes. */
interface Slot {
  unit: TurnUnit;
  index: number;
}

/** Batches over up to `lanes` pooled connections at once, one transaction per lane. */
export class PostgresTransactions implements Transactions {
  private readonly queue = new SerialQueue();
  private readonly lanes: number;
  private readonly retries: number;

  constructor(
    private readonly pool: pg.Pool,
    opts: PostgresTransactionsOptions = {},
  ) {
    this.lanes = Math.max(1, opts.lanes ?? Math.floor((pool.options.max ?? 10) / 2));
    this.retries = opts.retries ?? 3;
  }

  batch(units: readonly TurnUnit[]): Promise<UnitOutcome[]> {
    return this.queue.run(() => this.run(units));
  }

  private async run(units: readonly TurnUnit[]): Promise<UnitOutcome[]> {
    const outcomes: UnitOutcome[] = [];
    const n = Math.min(this.lanes, units.length);
    // Unit i goes to lane i mod n.
    const lanes = Array.from({ length: n }, (_, l) => units.flatMap((unit, index): Slot[] => (index % n === l ? [{ unit, index }] : [])));
    const failed = await Promise.all(lanes.map((slots) => this.lane(slots, outcomes)));
    if (n > 0 && failed.every((e) => e !== undefined)) throw failed[0]?.error;
    return outcomes;
  }

  /** Runs `slots` in one transaction; returns the transaction's own failure (its units then failed). */
  private async lane(slots: Slot[], outcomes: UnitOutcome[]): Promise<{ error: unknown } | undefined> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      for (const s of slots) outcomes[s.index] = { ok: false, error };
      return { error };
    }
    const single = slots.length === 1;
    const counted = { statements: 0 };
    const views = postgresTurnStores(counting(client, counted));
    let broken: Error | undefined;
    try {
      await client.query(single ? 'BEGIN' : 'BEGIN; SAVEPOINT unit');
      let lastFailed = false;
      for (const [i, slot] of slots.entries()) {
        if (i > 0) await client.query(lastFailed ? 'ROLLBACK TO SAVEPOINT unit' : 'RELEASE SAVEPOINT unit; SAVEPOINT unit');
        const outcome = await this.attempt(client, slot.unit, views, counted, single);
        outcomes[slot.index] = outcome;
        lastFailed = !outcome.ok;
      }
      await client.query(lastFailed ? (single ? 'ROLLBACK' : 'ROLLBACK TO SAVEPOINT unit; COMMIT') : 'COMMIT');
      return undefined;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      for (const s of slots) outcomes[s.index] = { ok: false, error };
      return { error };
    } finally {
      client.release(broken);
    }
  }

  /** Runs one unit, again while its first statement hits 40001/40P01 (after undoing it). */
  private async attempt(client: pg.PoolClient, unit: TurnUnit, views: TurnTx, counted: { statements: number }, single: boolean): Promise<UnitOutcome> {
    for (let tries = 0; ; tries++) {
      counted.statements = 0;
      try {
        await unit(views);
        return { ok: true };
      } catch (error) {
        if (!isRetryable(error) || counted.statements > 1 || tries >= this.retries) return { ok: false, error };
        await client.query(single ? 'ROLLBACK; BEGIN' : 'ROLLBACK TO SAVEPOINT unit');
      }
    }
  }
}

/** `client`, counting the statements run through it. */
function counting(client: pg.PoolClient, counted: { statements: number }): pg.PoolClient {
  const query = ((...args: Parameters<pg.PoolClient['query']>) => {
    counted.statements++;
    return (client.query as (...a: unknown[]) => unknown)(...args);
  }) as pg.PoolClient['query'];
  return new Proxy(client, {
    get: (target, prop) => (prop === 'query' ? query : Reflect.get(target, prop, target)),
  });
}
