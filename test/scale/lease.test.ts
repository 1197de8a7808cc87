import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type LeaseGrant, LeaseKeeper, type LeaseStore, MemoryLeaseStore } from '../../bot/scale/lease.js';
import { connectRedis } from '../../bot/scale/redis.js';
import { RedisLeaseStore } from '../../bot/scale/redis-lease.js';
import { skipRedis, useRedis } from '../helpers/redis.js';
import { ManualClock } from '../helpers/tmp.js';

/** Lease stores as separate instances see them, and a way to let a TTL run out. */
interface LeaseHarness {
  /** A store for one more instance (its own connection). */
  instance(): Promise<LeaseStore>;
  /** The instance that took `store` dies: no renewal, no release, its connection gone. */
  kill(store: LeaseStore): Promise<void>;
  /** Returns once the lease `name` taken with `ttlMs` has expired. */
  expire(name: string, ttlMs: number): Promise<void>;
}

let run = 0;
const fresh = (label: string): string => `${label}-${process.pid}-${++run}`;

function leaseContract(label: string, harness: () => LeaseHarness, ttlMs: number): void {
  describe(`LeaseStore contract: ${label}`, () => {
    it('grants a lease to one holder at a time, even when instances race for it', async () => {
      const h = harness();
      const stores = await Promise.all(Array.from({ length: 8 }, () => h.instance()));
      const name = fresh('x-poller:alburaimigov');
      const grants = await Promise.all(stores.map((s, i) => s.acquire(name, `instance-${i}`, ttlMs)));
      const won = grants.filter((g): g is LeaseGrant => g !== undefined);
      expect(won).toHaveLength(1);
      expect(await stores[0]!.holder(name)).toEqual({ holder: won[0]!.holder, token: won[0]!.token, expiresInMs: expect.any(Number) });
    });

    it('lets another instance take a released lease at once, with a greater fencing token', async () => {
      const h = harness();
      const [a, b] = [await h.instance(), await h.instance()];
      const name = fresh('imap:helpdesk');
      const first = (await a.acquire(name, 'a', ttlMs))!;
      expect(await b.acquire(name, 'b', ttlMs)).toBeUndefined();
      expect(await a.renew(first)).toBe(true);
      await a.release(first);
      const second = (await b.acquire(name, 'b', ttlMs))!;
      expect(second.token).toBeGreaterThan(first.token);
      expect(await a.renew(first)).toBe(false); // the old grant is gone for good
      await a.release(first); // and releasing it again does not free the new holder's lease
      expect((await b.holder(name))?.holder).toBe('b');
    });

    it('is taken over by another holder within its TTL after the first dies', async () => {
      const h = harness();
      const [a, b] = [await h.instance(), await h.instance()];
      const name = fresh('x-cursor');
      const first = (await a.acquire(name, 'a', ttlMs))!;
      await h.kill(a);
      const left = (await b.holder(name))?.expiresInMs;
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(ttlMs); // it will expire within one TTL of the last renewal
      expect(await b.acquire(name, 'b', ttlMs)).toBeUndefined(); // not before
      await h.expire(name, ttlMs);
      const second = (await b.acquire(name, 'b', ttlMs))!;
      expect(second.holder).toBe('b');
      expect(second.token).toBeGreaterThan(first.token); // a write fenced by the dead holder's token is refused
      expect(await b.renew(first)).toBe(false);
      await b.release(first);
      expect((await b.holder(name))?.token).toBe(second.token);
    });
  });
}

describe('leases in process (embedded default)', () => {
  const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
  const store = new MemoryLeaseStore(clock);
  leaseContract(
    'in-process',
    () => ({
      instance: async () => store,
      kill: async () => undefined,
      expire: async (_name, ttl) => clock.advance(ttl),
    }),
    30_000,
  );

  it('expires exactly at the TTL on the injected clock', async () => {
    const s = new MemoryLeaseStore(clock);
    const g = (await s.acquire('job', 'a', 1000))!;
    clock.advance(999);
    expect(await s.acquire('job', 'b', 1000)).toBeUndefined();
    expect((await s.holder('job'))?.expiresInMs).toBe(1);
    expect(await s.renew(g)).toBe(true);
    clock.advance(1000);
    expect((await s.acquire('job', 'b', 1000))?.token).toBe(g.token + 1);
  });

  it('a LeaseKeeper stopped while its first acquisition is under way leaves the lease free', async () => {
    const s = new MemoryLeaseStore(clock);
    const k = new LeaseKeeper(s, 'x-poller', 'a', { ttlMs: 30_000 });
    k.start();
    await k.stop();
    expect(k.grant).toBeUndefined();
    expect(await s.holder('x-poller')).toBeUndefined();
  });
});

describe.skipIf(skipRedis)('leases in Redis (real redis-server on loopback)', () => {
  const redis = useRedis();
  const clients = new Map<LeaseStore, Redis>();
  const open: Redis[] = [];
  afterAll(() => {
    for (const c of open) c.disconnect();
  });
  const connect = async (): Promise<Redis> => {
    const c = await connectRedis(redis.server().url);
    open.push(c);
    return c;
  };
  const TTL = 2000; // generous: a loaded machine must not stall past it between two steps

  leaseContract(
    'redis',
    () => ({
      async instance() {
        const c = await connect();
        const s = new RedisLeaseStore(c);
        clients.set(s, c);
        return s;
      },
      async kill(store) {
        clients.get(store)!.disconnect();
      },
      async expire(name, ttl) {
        // Redis keeps its own time, which a test cannot move. The lease key carries an expiry within
        // one TTL (checked here); what reaching it does, the key going away, is done now instead of waited for.
        const c = await connect();
        const key = `tawasul:lease:{${name}}`;
        const left = await c.pttl(key);
        expect(left).toBeGreaterThan(0);
        expect(left).toBeLessThanOrEqual(ttl);
        expect(await c.pexpire(key, 0)).toBe(1);
        expect(await c.exists(key)).toBe(0);
      },
    }),
    TTL,
  );

  it('a LeaseKeeper renews while alive; when its instance loses Redis, it reports the lease lost and another keeper takes the job', async () => {
    const [c1, c2] = [await connect(), await connect()];
    const name = fresh('imap:helpdesk@bur.gov.om');
    const k1 = new LeaseKeeper(new RedisLeaseStore(c1), name, 'instance-1', { ttlMs: 3000, renewMs: 250, retryMs: 100 });
    const k2 = new LeaseKeeper(new RedisLeaseStore(c2), name, 'instance-2', { ttlMs: 3000, renewMs: 250, retryMs: 100 });
    const acquired1 = once(k1, 'acquired');
    k1.start();
    const [g1] = (await acquired1) as [LeaseGrant];
    k2.start();
    // k1 renews several times; k2 keeps trying meanwhile and never gets it.
    for (let i = 0; i < 3; i++) await once(k1, 'renewed');
    expect(k2.grant).toBeUndefined();
    const lost = once(k1, 'lost');
    const acquired2 = once(k2, 'acquired');
    c1.disconnect(); // instance 1 is cut off from Redis (its timers keep running)
    const [[lostGrant], [g2]] = (await Promise.all([lost, acquired2])) as [[LeaseGrant], [LeaseGrant]];
    expect(lostGrant.token).toBe(g1.token);
    expect(k1.grant).toBeUndefined();
    expect(g2.holder).toBe('instance-2');
    expect(g2.token).toBeGreaterThan(g1.token);
    await k1.stop();
    await k2.stop();
    expect(await new RedisLeaseStore(c2).holder(name)).toBeUndefined(); // stop released it
  });

  it('stop releases at once so that the next instance does not wait for the TTL', async () => {
    const [c1, c2] = [await connect(), await connect()];
    const name = fresh('x-poller');
    const k1 = new LeaseKeeper(new RedisLeaseStore(c1), name, 'a', { ttlMs: 60_000 });
    const got = once(k1, 'acquired');
    k1.start();
    await got;
    await k1.stop();
    expect(await new RedisLeaseStore(c2).acquire(name, 'b', 60_000)).toBeDefined();
  });
});
