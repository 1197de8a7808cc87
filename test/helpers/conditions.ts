/**
 * Waiting on what a fake records instead of sleeping: the fake calls `notify()` after each change
 * (a send captured, a request counted) and each waiter whose condition now holds resolves at once.
 * The timeout only turns a hang into a failure naming what never happened; it decides no pass.
 */
export class Conditions {
  private waiting: Array<{ cond: () => boolean; resolve: () => void }> = [];

  /**
   * Resolves once `cond()` holds (checked now and at every `notify`); rejects after `timeoutMs`,
   * naming `what` (`Infinity`: never, for a caller that bounds the wait itself).
   */
  until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        cond,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.waiting = this.waiting.filter((w) => w !== waiter);
            reject(new Error(`timed out waiting for ${what}`));
          }, timeoutMs)
        : undefined;
      this.waiting.push(waiter);
    });
  }

  /** Something changed: resolves the waiters whose condition now holds. */
  notify(): void {
    const ready = this.waiting.filter((w) => w.cond());
    if (ready.length === 0) return;
    this.waiting = this.waiting.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
