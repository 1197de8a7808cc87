/**
 * What a crash left in the outbox: sends recorded as started (the send lease taken) but never
 * finished, because the process died during the provider call. Each is confirmed through the
 * provider where it can tell (a look-up by the id chosen before sending), held for the provider's
 * own status report when configured, or otherwise sent once more and counted as a possible duplicate.
 * Run once per worker, before its first pass.
 */
import type { EngineOptions } from './engine-options.js';
import type { DeliveryQueue } from './queue.js';
import type { OutboxItem } from './types.js';

/** Settles the in-doubt sends of `queue` (nothing when the queue keeps no in-doubt bookkeeping). */
export async function settleInDoubt(
  queue: DeliveryQueue,
  opts: Pick<EngineOptions, 'logger' | 'clock' | 'attemptLeaseMs' | 'confirm' | 'holdInDoubtMs'>,
  sent: (item: OutboxItem, at: Date) => void,
  describe: (err: unknown) => string,
): Promise<void> {
  const { logger, clock, attemptLeaseMs } = opts;
  const outbox = queue.doubt;
  const channel = queue.name;
  if (!outbox) return;
  const before = attemptLeaseMs === undefined ? undefined : new Date(clock.now().getTime() - attemptLeaseMs);
  for (const item of await outbox.inDoubt(channel, before)) {
    let confirmed: { providerMessageId?: string } | undefined;
    try {
      confirmed = await opts.confirm?.(item);
    } catch (err) {
      logger.warn({ channel, outboxId: item.id, error: describe(err) }, 'in-doubt send could not be checked');
    }
    if (confirmed) {
      const at = clock.now();
      await outbox.confirmInDoubt(item.id, at, confirmed.providerMessageId);
      logger.info({ channel, outboxId: item.id }, 'in-doubt send confirmed by the provider');
      sent({ ...item, state: 'sent', sentAt: at, ...(confirmed.providerMessageId ? { providerMessageId: confirmed.providerMessageId } : {}) }, at);
    } else if ((opts.holdInDoubtMs ?? 0) > 0) {
      await outbox.holdInDoubt(item.id, new Date(clock.now().getTime() + opts.holdInDoubtMs!));
      logger.warn({ channel, outboxId: item.id }, "in-doubt send held for the provider's status report");
    } else {
      await outbox.resendInDoubt(item.id);
      logger.warn({ channel, outboxId: item.id }, 'in-doubt send will go out once more (possible duplicate)');
    }
  }
}
