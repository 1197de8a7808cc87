/**
 * Group commit: the end-of-turn writes of every turn that ends within one pass of the event loop
 * (and the claims of turns that started in it) are committed together, in ONE write transaction,
 * at the next `setImmediate`. Each unit runs in its own savepoint, so a unit that throws is undone
 * alone and only its turn fails; a failed COMMIT fails every unit of the batch. A unit's promise
 * settles only once its batch is committed: nothing is answered before it is durable. While a
 * batch is committing, the units submitted meanwhile wait and form the next batch, so that a turn's
 * end never commits before its claim (queued with it, the claim is a no-op and the end claims). The
 * units of one batch do not depend on each other, so PostgreSQL spreads a batch over several
 * connections at once (`PostgresTransactions`); overlapping batches would need each unit's
 * conversation key, which `submit` does not take.
 */
import type { Transactions, TurnUnit } from './turn-tx.js';

interface Unit {
  fn: TurnUnit;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Batches write units into one transaction per pass of the event loop. */
export class GroupCommit {
  private pending: Unit[] = [];
  private scheduled = false;
  private running = false;

  constructor(private readonly tx: Transactions) {}

  /** Queues `fn` for the next group transaction; resolves once that transaction has committed. */
  submit(fn: TurnUnit): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ fn, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Commits what is queued now (also called by the timer). */
  async flush(): Promise<void> {
    this.scheduled = false;
    if (this.running) return;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.running = true;
    try {
      let outcomes: Awaited<ReturnType<Transactions['batch']>>;
      try {
        outcomes = await this.tx.batch(batch.map((u) => u.fn));
      } catch (err) {
        for (const unit of batch) unit.reject(err);
        return;
      }
      batch.forEach((unit, i) => {
        const o = outcomes[i];
        if (o && !o.ok) unit.reject(o.error);
        else unit.resolve();
      });
    } finally {
      this.running = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
