/**
 * Runs tasks one after another in the order given. A task given while none is pending starts at
 * once, synchronously up to its first `await` (so that work on a synchronous store, SQLite, is done
 * on return); otherwise it waits for the tasks before it to settle, whatever their outcome.
 */
export class SerialQueue {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  /** Runs `task` after the tasks given before it (at once when none is pending). */
  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.pending === 0 ? (async () => task())() : this.chain.then(task);
    this.pending++;
    this.chain = run.then(
      () => {
        this.pending--;
      },
      () => {
        this.pending--;
      },
    );
    return run;
  }

  /** Resolves once every task given so far has settled. */
  settled(): Promise<void> {
    return this.chain;
  }
}
