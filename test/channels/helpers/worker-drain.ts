/**
 * Runs an OutboxWorker until nothing due now is left to send: `runOnce` passes, one after another,
 * until one attempts nothing. No waiting on time: `runOnce` starts after the pass in progress (a
 * pass started by `kick()` included), and a pass never queues more jobs than the limiter's window
 * allows, so each one settles without waiting for a refill.
 */
import type { OutboxWorker } from '../../../bot/delivery/outbox-worker.js';

/** Sends everything due now (through the limiter); returns how many sends were attempted. */
export async function drainWorker(worker: OutboxWorker): Promise<number> {
  let total = 0;
  for (let i = 0; i < 200; i++) {
    const n = await worker.runOnce();
    if (n === 0) return total;
    total += n;
  }
  throw new Error('the outbox worker kept sending after 200 passes');
}
