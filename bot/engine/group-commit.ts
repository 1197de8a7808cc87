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
 * conversation key, which `submit` does not take. A unit submitted with `wanted` that no longer
 * wants to run when its batch starts (a turn's early claim once the turn has ended: the claim then
 * goes with the end) is left out of the transaction and settles with the batch; a batch left empty
 * opens no transaction at all.
 */
import type { Transactions, TurnUnit } from './turn-tx.js';

interface Unit {
  fn: TurnUnit;
  wanted: (() => boolean) | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Batches write units into one transaction per pass of the event loop. */
export class GroupCommit {
  private pending: Unit[] = [];
  private scheduled = false;
  private running = false;

  constructor(private readonly tx: Transactions) {}

  /**
   * Queues `fn` for the next group transaction; resolves once that transaction has committed. With
   * `wanted`, `fn` is skipped (and resolves with its batch) when `wanted()` is false as the batch starts.
   */
  submit(fn: TurnUnit, wanted?: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ fn, wanted, resolve, reject });
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
      const live = batch.filter((u) => u.wanted === undefined || u.wanted());
      let outcomes: Awaited<ReturnType<Transactions['batch']>> = [];
      if (live.length > 0) {
        try {
          outcomes = await this.tx.batch(live.map((u) => u.fn));
        } catch (err) {
          for (const unit of live) unit.reject(err);
          for (const unit of batch) if (!live.includes(unit)) unit.resolve();
          return;
        }
      }
      let i = 0;
      for (const unit of batch) {
        if (unit !== live[i]) {
          unit.resolve();
          continue;
        }
        const o = outcomes[i++];
        if (o && !o.ok) unit.reject(o.error);
        else unit.resolve();
      }
    } finally {
      this.running = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
