/**
 * Group commit: the end-of-turn writes of every turn that ends within one pass of the event loop
 * (and the claims of turns that started in it) are committed together, in ONE write transaction,
 * at the next `setImmediate`. Each unit runs in its own savepoint, so a unit that throws is undone
 * alone and only its turn fails; a failed COMMIT fails every unit of the batch. A unit's promise
 * settles only once its batch is committed: nothing is answered before it is durable.
 */

/** The transactions a group commit needs (the turn's state store provides them). */
export interface Transactions {
  /** Runs `fn` in one write transaction. */
  atomically<T>(fn: () => T): T;
  /** Runs `fn` in a savepoint of the current transaction (undone alone when it throws). */
  savepoint<T>(fn: () => T): T;
}

interface Unit {
  fn: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Batches synchronous write units into one transaction per pass of the event loop. */
export class GroupCommit {
  private pending: Unit[] = [];
  private scheduled = false;

  constructor(private readonly tx: Transactions) {}

  /** Queues `fn` for the next group transaction; resolves once that transaction has committed. */
  submit(fn: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ fn, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is queued now (also called by the timer). */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const failed = new Map<Unit, unknown>();
    try {
      this.tx.atomically(() => {
        for (const unit of batch) {
          try {
            this.tx.savepoint(unit.fn);
          } catch (err) {
            failed.set(unit, err);
          }
        }
      });
    } catch (err) {
      for (const unit of batch) unit.reject(err);
      return;
    }
    for (const unit of batch) {
      if (failed.has(unit)) unit.reject(failed.get(unit));
      else unit.resolve();
    }
  }
}
