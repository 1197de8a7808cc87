/**
 * The one outbox engine over a paged queue (what notifications use): the queue's `prepare` hook
 * sends, defers (no attempt spent) or parks each item, deferrals and parkings are settled per page
 * at once, the send lease decides who sends, and the pass walks pages after a cursor.
 */
import { describe, expect, it } from 'vitest';
import { ChannelApiError } from '../../bot/core/errors.js';
import { silentLogger } from '../../bot/core/logger.js';
import { OutboxWorker } from '../../bot/delivery/outbox-worker.js';
import type { DeliveryQueue, Preparation, Settlement } from '../../bot/delivery/queue.js';
import type { OutboxItem } from '../../bot/delivery/types.js';
import { ManualClock } from '../helpers/tmp.js';

const NOW = new Date('2026-02-01T09:00:00Z');

/** An in-memory paged queue of `n` items; item behaviour chosen by id. */
function memoryQueue(n: number, plan: (id: number) => 'send' | 'defer' | 'park' | 'lost' | 'throttled') {
  const items = new Map<number, OutboxItem>();
  for (let id = 1; id <= n; id++) {
    items.set(id, {
      id,
      channel: 'memo',
      conversationId: `r${id}`,
      reply: { text: `t${id}`, language: 'en', kind: 'notice' },
      meta: {},
      attempts: 0,
      state: 'pending',
      nextAttemptAt: NOW,
    });
  }
  const log = { pages: [] as number[], settled: [] as number[][], sent: [] as number[] };
  const update = (id: number, patch: Partial<OutboxItem>): void => {
    items.set(id, { ...items.get(id)!, ...patch });
  };
  const queue: DeliveryQueue = {
    name: 'memo',
    noun: 'memo',
    order: 'paged',
    due: (now, limit, after) => {
      const page = [...items.values()]
        .filter((i) => i.state === 'pending' && i.nextAttemptAt <= now && (!after || i.id > after.id))
        .sort((a, b) => a.id - b.id)
        .slice(0, limit);
      log.pages.push(page.length);
      return page;
    },
    prepare: (item, now): Preparation => {
      const p = plan(item.id);
      if (p === 'defer') return { kind: 'defer', until: new Date(now.getTime() + 60_000), reason: 'closed' };
      if (p === 'park') return { kind: 'park', reason: 'no address' };
      return { kind: 'send', item };
    },
    settle: (changes: readonly Settlement[]) => {
      log.settled.push(changes.map((c) => c.item.id));
      for (const { item, decision } of changes) {
        update(item.id, decision.kind === 'defer' ? { nextAttemptAt: decision.until } : { state: 'failed', lastError: decision.reason });
      }
      return new Set(changes.map((c) => c.item.id));
    },
    take: (item) => {
      if (plan(item.id) === 'lost') return false;
      update(item.id, { attempts: item.attempts + 1 });
      return true;
    },
    markSent: (item, at) => update(item.id, { state: 'sent', sentAt: at }),
    markRetry: (item, error, at) => update(item.id, { lastError: error, nextAttemptAt: at }),
    markFailed: (item, error) => update(item.id, { state: 'failed', lastError: error }),
    send: async (item) => {
      if (plan(item.id) === 'throttled') throw new ChannelApiError('slow down', 'memo', 429, undefined, true);
      log.sent.push(item.id);
      return {};
    },
  };
  return { queue, items, log };
}

const engine = (queue: DeliveryQueue, results: string[] = []) =>
  new OutboxWorker({
    queue,
    limits: {},
    sequential: true,
    clock: new ManualClock(NOW),
    logger: silentLogger,
    onResult: (item, r) => results.push(`${item.id}:${r}`),
  });

describe('the outbox engine over a paged queue', () => {
  it('sends, defers without an attempt, parks, retries and skips a lost lease, each reported once', async () => {
    const plan = (id: number) => (['send', 'defer', 'park', 'lost', 'throttled'] as const)[(id - 1) % 5]!;
    const { queue, items, log } = memoryQueue(5, plan);
    const results: string[] = [];
    const report = await engine(queue, results).deliver(NOW);
    expect(report).toEqual({ attempted: 2, sent: 1, retried: 1, failed: 1, deferred: 1 });
    expect(log.sent).toEqual([1]);
    expect(log.settled).toEqual([[2, 3]]);
    expect(results.sort()).toEqual(['1:sent', '3:failed', '5:retry']);
    expect(items.get(2)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(items.get(2)!.nextAttemptAt.getTime()).toBe(NOW.getTime() + 60_000);
    expect(items.get(3)).toMatchObject({ state: 'failed', lastError: 'no address', attempts: 0 });
    expect(items.get(4)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(items.get(5)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(items.get(5)!.lastError).toMatch(/ChannelApiError status=429/);
  });

  it('walks pages of 200 after a cursor, up to the limit, each item once', async () => {
    const { queue, log } = memoryQueue(450, () => 'send');
    const w = engine(queue);
    expect((await w.deliver(NOW, 300)).sent).toBe(300);
    expect(log.pages).toEqual([200, 100]);
    expect((await w.deliver(NOW)).sent).toBe(150);
    expect(log.sent).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
  });
});
