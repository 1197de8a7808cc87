/**
 * Jobs one instance at a time runs (the X poller, the IMAP reader): two instances compete for one
 * lease; only the holder runs the job; when it stops the other starts at once, and when it dies
 * the other takes over once the lease expires. Waits on the jobs' events, never on a fixed delay.
 */
import { once } from 'node:events';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/core/logger.js';
import { type Fence, FencedOutError, SqliteJobFences } from '../../bot/scale/job-fence.js';
import { type LeaseGrant, type LeaseStore, MemoryLeaseStore } from '../../bot/scale/lease.js';
import { type Job, LeasedJob } from '../../bot/scale/leased-job.js';
import { connectRedis } from '../../bot/scale/redis.js';
import { inProcessScale, LEASE_TIMINGS, redisScale, type Scale } from '../../bot/scale/scale.js';
import { coreMigrations } from '../../bot/store/schema.js';
import { SqliteXCursors } from '../../channels/x/store.js';
import { skipRedis, useRedis } from '../helpers/redis.js';
import { channelStoreMigrations, openFromTemplate, schemaTemplate } from '../helpers/sqlite.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

let run = 0;
const fresh = (label: string): string => `${label}-${process.pid}-${++run}`;

/** A job that counts how many instances run it at once. */
class Probe {
  running = 0;
  most = 0;
  starts = 0;
  job(): { start(): void; stop(): Promise<void> } {
    let mine = false;
    return {
      start: () => {
        mine = true;
        this.starts++;
        this.most = Math.max(this.most, ++this.running);
      },
      stop: async () => {
        if (mine) this.running--;
        mine = false;
      },
    };
  }
}

/** A lease store whose instance can be cut off (every call fails, as when its process died or lost the network). */
function cuttable(store: LeaseStore): LeaseStore & { cut(): void } {
  let cut = false;
  const guard = <T>(fn: () => Promise<T>): Promise<T> => (cut ? Promise.reject(new Error('unreachable')) : fn());
  return {
    cut: () => {
      cut = true;
    },
    acquire: (n, h, t) => guard(() => store.acquire(n, h, t)),
    renew: (g: LeaseGrant) => guard(() => store.renew(g)),
    release: (g: LeaseGrant) => guard(() => store.release(g)),
    holder: (n) => guard(() => store.holder(n)),
  };
}

const jobs: LeasedJob[] = [];
afterEach(async () => {
  for (const j of jobs.splice(0)) await j.stop();
});
const leased = (scale: Scale | undefined, clock: ManualClock, name: string, probe: Probe): LeasedJob => {
  const j = new LeasedJob(scale, clock, name, probe.job(), silentLogger, 'x-alburaimigov');
  jobs.push(j);
  return j;
};

describe('leased jobs in process (embedded default)', () => {
  const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));

  it('uses a lease TTL of at most 30 s, renewed, so another instance takes over within a minute', () => {
    expect(LEASE_TIMINGS.ttlMs).toBeLessThanOrEqual(30_000);
    expect(LEASE_TIMINGS.renewMs).toBeLessThan(LEASE_TIMINGS.ttlMs);
    expect(LEASE_TIMINGS.ttlMs + LEASE_TIMINGS.retryMs).toBeLessThanOrEqual(60_000);
  });

  it('runs the job as soon as start resolves when there is no Redis, and stops it on stop', async () => {
    const probe = new Probe();
    const j = leased(undefined, clock, 'x:alburaimigov', probe);
    await j.start();
    expect(j.running).toBe(true);
    expect(probe.running).toBe(1);
    await j.stop();
    expect(probe.running).toBe(0);
  });

  it('a second holder takes over on the injected clock once the first one is cut off past the TTL', async () => {
    const shared = new MemoryLeaseStore(clock);
    const timings = { ttlMs: 30_000, renewMs: 10_000, retryMs: 5 };
    const scaleOf = (store: LeaseStore): Scale => ({ ...inProcessScale(clock), leases: store, leaseTimings: timings });
    const probe = new Probe();
    const storeA = cuttable(shared);
    const a = leased(scaleOf(storeA), clock, 'imap:helpdesk@mail.bur.gov.om/INBOX', probe);
    const b = leased(scaleOf(shared), clock, 'imap:helpdesk@mail.bur.gov.om/INBOX', probe);
    await a.start();
    await b.start();
    expect([a.running, b.running]).toEqual([true, false]);
    storeA.cut(); // instance A dies: no renewal, no release
    const started = once(b, 'started');
    clock.advance(30_000); // the lease expires on the shared store's clock
    await started;
    expect(b.running).toBe(true);
    expect(probe.starts).toBe(2);
  });

  it("hands each start the job's next epoch, so the cut-off holder's cursor writes are refused after the take-over", async () => {
    const t = tempDir('tawasul-fence-');
    const sql = openFromTemplate(await schemaTemplate([...coreMigrations, ...channelStoreMigrations]), join(t.dir, 'tawasul.sqlite'));
    const fences = new SqliteJobFences(sql);
    const cursors = new SqliteXCursors(sql, 'x-alburaimigov');
    const shared = new MemoryLeaseStore(clock);
    const scaleOf = (store: LeaseStore): Scale => ({ ...inProcessScale(clock), leases: store, leaseTimings: { ttlMs: 30_000, renewMs: 10_000, retryMs: 5 } });
    const given: Array<Fence | undefined> = [];
    const job = (): Job => ({ start: (f) => void given.push(f), stop: () => undefined });
    const storeA = cuttable(shared);
    const a = new LeasedJob(scaleOf(storeA), clock, 'x:alburaimigov', job(), silentLogger, 'x-alburaimigov', fences);
    const b = new LeasedJob(scaleOf(shared), clock, 'x:alburaimigov', job(), silentLogger, 'x-alburaimigov', fences);
    jobs.push(a, b);
    await a.start();
    await b.start();
    await cursors.advance('dms', '1860000000000000007', clock.now(), given[0]);
    storeA.cut();
    const started = once(b, 'started');
    clock.advance(30_000);
    await started;
    expect(given.map((f) => f?.epoch)).toEqual([1, 2]);
    // A still believes it holds the account (it has not renewed yet): its write is refused, the cursor kept.
    await expect(cursors.advance('dms', '1860000000000000001', clock.now(), given[0])).rejects.toBeInstanceOf(FencedOutError);
    expect(await cursors.cursor('dms')).toBe('1860000000000000007');
    for (const j of jobs.splice(0)) await j.stop();
    sql.close();
    t.cleanup();
  });
});

describe.skipIf(skipRedis)('leased jobs across instances (real redis-server on loopback)', () => {
  const redis = useRedis();
  const clients: Redis[] = [];
  const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
  afterAll(() => {
    for (const c of clients) c.disconnect();
  });
  /** One instance: its own connection; a TTL short enough for a test, long enough for a loaded machine. */
  const instance = async (n: number): Promise<{ scale: Scale; client: Redis }> => {
    const client = await connectRedis(redis.server().url);
    clients.push(client);
    return { client, scale: redisScale(client, { instance: `instance-${n}`, leaseTimings: { ttlMs: 1500, renewMs: 300, retryMs: 50 } }) };
  };

  it('runs the job on one instance only; a stopped holder hands it over at once', async () => {
    const name = fresh('x:alburaimigov');
    const probe = new Probe();
    const [one, two] = [await instance(1), await instance(2)];
    const a = leased(one.scale, clock, name, probe);
    const b = leased(two.scale, clock, name, probe);
    await Promise.all([a.start(), b.start()]);
    expect(probe.running).toBe(1);
    const [holder, other] = a.running ? [a, b] : [b, a];
    expect(other.running).toBe(false);
    const takeover = once(other, 'started');
    await holder.stop();
    await takeover;
    expect(other.running).toBe(true);
    expect(probe.most).toBe(1); // never two at once
  });

  it('when the holder dies (its Redis connection gone), it stops its job and another instance takes over within the TTL', async () => {
    const name = fresh('imap:helpdesk@mail.bur.gov.om/INBOX');
    const probe = new Probe();
    const one = await instance(1);
    const a = leased(one.scale, clock, name, probe);
    await a.start();
    expect(a.running).toBe(true);
    const b = leased((await instance(2)).scale, clock, name, probe);
    await b.start();
    expect(b.running).toBe(false);
    const [stopped, started] = [once(a, 'stopped'), once(b, 'started')];
    one.client.disconnect();
    await Promise.all([stopped, started]);
    expect([a.running, b.running]).toEqual([false, true]);
    expect(probe.running).toBe(1);
  });
});
