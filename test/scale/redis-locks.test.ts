/**
 * Conversation locks on a real redis-server: two instances' lock objects on one Redis run work of
 * the same conversation one at a time and work of different conversations together; a lock left by
 * a dead holder expires; the Redis key is a hash, never the conversation key.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../bot/scale/redis.js';
import { ConversationLockError, RedisConversationLocks } from '../../bot/scale/redis-locks.js';
import { Conditions } from '../helpers/conditions.js';
import { skipRedis, useRedis } from '../helpers/redis.js';

/** A promise and its resolver. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe.skipIf(skipRedis)('RedisConversationLocks', () => {
  const redis = useRedis();
  const clients: Redis[] = [];
  let a: RedisConversationLocks;
  let b: RedisConversationLocks;
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) clients.push(await connectRedis(redis.server().url));
    a = new RedisConversationLocks(clients[0]!, { prefix: 'test:turn' });
    b = new RedisConversationLocks(clients[1]!, { prefix: 'test:turn' });
  });
  afterAll(() => {
    for (const c of clients) c.disconnect();
  });

  it('runs one conversation one instance at a time, in the order the lock was taken', async () => {
    const log: string[] = [];
    const release = deferred();
    const entered = deferred();
    const first = a.hold('whatsapp:96891234567', async () => {
      log.push('a-start');
      entered.resolve();
      await release.promise;
      log.push('a-end');
      return 'a';
    });
    await entered.promise;
    // Count b's attempts to take the lock, to let a go only once b has been refused twice.
    const client = clients[1]!;
    const set = client.set.bind(client) as (...args: unknown[]) => Promise<string | null>;
    const tries = new Conditions();
    let refused = 0;
    (client as unknown as { set: (...args: unknown[]) => Promise<string | null> }).set = async (...args) => {
      const r = await set(...args);
      if (r === null) refused += 1;
      tries.notify();
      return r;
    };
    const second = b.hold('whatsapp:96891234567', async () => {
      log.push('b');
      return 'b';
    });
    await tries.until(() => refused >= 2, 'b refused while a holds the lock');
    expect(log).toEqual(['a-start']);
    release.resolve();
    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
    expect(log).toEqual(['a-start', 'a-end', 'b']);
    expect(await clients[2]!.exists(a.keyOf('whatsapp:96891234567'))).toBe(0);
    (client as unknown as { set: unknown }).set = set;
  });

  it('lets different conversations run together', async () => {
    const both = deferred();
    let inside = 0;
    const run = (locks: RedisConversationLocks, key: string) =>
      locks.hold(key, async () => {
        inside += 1;
        if (inside === 2) both.resolve();
        await both.promise;
        return key;
      });
    expect(await Promise.all([run(a, 'webchat:one'), run(b, 'webchat:two')])).toEqual(['webchat:one', 'webchat:two']);
  });

  it('releases the lock when the work throws', async () => {
    await expect(a.hold('webchat:fails', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await b.hold('webchat:fails', async () => 'next')).toBe('next');
  });

  it('stores no conversation key in Redis, only its hash', async () => {
    const entered = deferred();
    const release = deferred();
    const held = a.hold('whatsapp:96899887766', async () => {
      entered.resolve();
      await release.promise;
    });
    await entered.promise;
    const keys = await clients[2]!.keys('test:turn:*');
    release.resolve();
    await held;
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('96899887766');
    expect(keys[0]).toBe(a.keyOf('whatsapp:96899887766'));
  });

  it('takes over a lock whose holder died once it expires, and fails a turn that waited past its deadline', async () => {
    const short = new RedisConversationLocks(clients[1]!, { prefix: 'test:turn', waitMs: 0 });
    // A holder that died: its lock stays until its TTL.
    await clients[2]!.set(a.keyOf('webchat:dead'), 'dead-holder', 'PX', 60_000);
    await expect(short.hold('webchat:dead', async () => 'never')).rejects.toBeInstanceOf(ConversationLockError);
    await clients[2]!.pexpire(a.keyOf('webchat:dead'), 1);
    const waiting = new RedisConversationLocks(clients[1]!, { prefix: 'test:turn' });
    expect(await waiting.hold('webchat:dead', async () => 'taken over')).toBe('taken over');
  });
});
