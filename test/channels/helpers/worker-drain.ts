/**
 * Runs an OutboxWorker until nothing due now is left to send: repeated `runOnce` passes, each
 * started only once the limiter is idle (a pass started by `kick()` runs concurrently and is waited
 * for first, so two passes never race for the same reservoir units).
 */
import type { OutboxWorker } from '../../../bot/delivery/outbox-worker.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until no job runs and none waits, except jobs held back by a spent reservoir (they run at its refresh). */
async function idle(worker: OutboxWorker): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    const c = worker.bottleneck.counts();
    const waiting = (c.RECEIVED ?? 0) + (c.QUEUED ?? 0);
    if ((c.RUNNING ?? 0) + (c.EXECUTING ?? 0) === 0 && (waiting === 0 || (await worker.bottleneck.currentReservoir()) === 0)) return;
    await sleep(2);
  }
  throw new Error('outbox worker did not go idle');
}

/** Sends everything due now (through the limiter); returns how many sends were attempted. */
export async function drainWorker(worker: OutboxWorker): Promise<number> {
  let total = 0;
  let quiet = 0;
  await sleep(5); // lets a pass started by kick() schedule its jobs
  await idle(worker);
  for (let i = 0; i < 200 && quiet < 2; i++) {
    const n = await worker.runOnce();
    await idle(worker);
    total += n;
    quiet = n === 0 ? quiet + 1 : 0;
    if (n === 0) await sleep(5);
  }
  return total;
}
