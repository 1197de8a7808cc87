import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../bot/core/errors.js';
import { memoryLimiter, type ProviderLimiter, type Quota, redisLimiter } from '../../bot/scale/rate-limiter.js';
import { connectRedis } from '../../bot/scale/redis.js';
import { freePort } from '../channels/helpers/dovecot.js';
import { skipRedis, useRedis } from '../helpers/redis.js';

/** Limiters that share one quota, as separate instances would. */
interface LimiterHarness {
  clients(n: number, quota: Quota): Promise<ProviderLimiter[]>;
}

let run = 0;
/** A key no other test uses. */
const fresh = (label: string): string => `${label}-${process.pid}-${++run}`;

function limiterContract(name: string, harness: () => LimiterHarness): void {
  describe(`ProviderLimiter contract: ${name}`, () => {
    it('never grants more than the quota to two clients sharing it, however the calls interleave', async () => {
      const [a, b] = await harness().clients(2, { points: 10, durationSeconds: 60 });
      const key = fresh('whatsapp:968');
      const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a! : b!).take(key)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
      for (const d of decisions.filter((x) => !x.allowed)) {
        expect(d.retryAfterMs).toBeGreaterThan(0);
        expect(d.retryAfterMs).toBeLessThanOrEqual(60_000);
      }
    });

    it('holds the quota across four clients in a burst', async () => {
      const clients = await harness().clients(4, { points: 30, durationSeconds: 60 });
      const key = fresh('x:alburaimigov');
      const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => clients[i % 4]!.take(key)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(30);
    });

    it('counts each key (provider account) on its own', async () => {
      const [a, b] = await harness().clients(2, { points: 2, durationSeconds: 60 });
      const one = fresh('acct-1');
      const two = fresh('acct-2');
      expect((await a!.take(one)).allowed).toBe(true);
      expect((await b!.take(one)).allowed).toBe(true);
      expect((await a!.take(one)).allowed).toBe(false);
      expect(await b!.take(two)).toEqual({ allowed: true, remaining: 1 });
    });

    it('takes several units at once and gives units back', async () => {
      const [a, b] = await harness().clients(2, { points: 10, durationSeconds: 60 });
      const key = fresh('batch');
      expect(await a!.take(key, 4)).toEqual({ allowed: true, remaining: 6 });
      expect(await b!.take(key, 4)).toEqual({ allowed: true, remaining: 2 });
      expect((await a!.take(key, 4)).allowed).toBe(false);
      const k2 = fresh('refund');
      expect((await a!.take(k2, 10)).allowed).toBe(true);
      expect((await b!.take(k2)).allowed).toBe(false);
      await b!.refund(k2, 2); // e.g. a granted send found nothing to send
      expect((await a!.take(k2)).allowed).toBe(true);
    });

    it('refuses a quota that is not whole positive units', async () => {
      await expect(harness().clients(1, { points: 0, durationSeconds: 1 })).rejects.toThrow(RangeError);
      await expect(harness().clients(1, { points: 5, durationSeconds: 0.5 })).rejects.toThrow(RangeError);
    });
  });
}

limiterContract('in-process', () => ({
  async clients(n, quota) {
    const shared = memoryLimiter(quota); // one process: every sender uses the same limiter
    return Array.from({ length: n }, () => shared);
  },
}));

describe.skipIf(skipRedis)('Redis provider limiter (real redis-server on loopback)', () => {
  const redis = useRedis();
  const open: Redis[] = [];
  afterAll(() => {
    for (const c of open) c.disconnect();
  });
  const connect = async (): Promise<Redis> => {
    const c = await connectRedis(redis.server().url);
    open.push(c);
    return c;
  };

  limiterContract('redis', () => ({
    async clients(n, quota) {
      // Each client has its own connection, like separate instances.
      const conns = await Promise.all(Array.from({ length: n }, connect));
      return conns.map((c) => redisLimiter(c, 'contract', quota));
    },
  }));

  it('keeps limiters of different names apart on the same key', async () => {
    const c = await connect();
    const wa = redisLimiter(c, 'whatsapp', { points: 1, durationSeconds: 60 });
    const x = redisLimiter(c, 'x', { points: 1, durationSeconds: 60 });
    const key = fresh('same');
    expect((await wa.take(key)).allowed).toBe(true);
    expect((await x.take(key)).allowed).toBe(true);
    expect((await wa.take(key)).allowed).toBe(false);
  });

  it('fails closed with a StoreError while its Redis connection is down, and recovers when it is back', async () => {
    const [c, admin] = await Promise.all([connect(), connect()]);
    const l = redisLimiter(c, 'outage', { points: 5, durationSeconds: 60 });
    const key = fresh('outage');
    expect((await l.take(key)).allowed).toBe(true);
    await admin.client('KILL', 'ID', String(await c.client('ID'))); // the server drops the connection
    if (c.status === 'ready') await once(c, 'close'); // ioredis sets its status before emitting the event
    await expect(l.take(key)).rejects.toBeInstanceOf(StoreError);
    if (c.status !== 'ready') await once(c, 'ready'); // it reconnects on its own
    expect(await l.take(key)).toEqual({ allowed: true, remaining: 3 });
  });

  it('refuses to connect to a Redis that is not there', async () => {
    const port = await freePort();
    await expect(connectRedis(`redis://127.0.0.1:${port}`)).rejects.toThrow();
  });
});
