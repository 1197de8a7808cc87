/**
 * The X adapter on two instances sharing one Redis and one database (the same SQLite file stands in
 * for the shared store): only the instance holding the lease `x:<handle>` polls the account, so each
 * DM is answered once; when that instance stops, the other takes the polling over and answers what
 * arrives next, and the per-window send quota is counted once for both.
 */
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../bot/scale/redis.js';
import { redisScale } from '../../bot/scale/scale.js';
import { createXAdapter, type XAdapter, xOptions } from '../../channels/x/index.js';
import { type ChannelTestContext, channelContext } from '../channels/helpers/channel-context.js';
import { type FakeAccount, FakeX } from '../channels/helpers/x-fake.js';
import { skipRedis, useRedis } from '../helpers/redis.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

const GOV: FakeAccount = { id: '1500000000000000001', username: 'alburaimigov', accessToken: 'token-gov' };
const ENV = {
  X_ALBURAIMIGOV_APP_KEY: 'app-key',
  X_ALBURAIMIGOV_APP_SECRET: 'app-secret',
  X_ALBURAIMIGOV_ACCESS_TOKEN: GOV.accessToken,
  X_ALBURAIMIGOV_ACCESS_SECRET: 'secret-gov',
};

describe.skipIf(skipRedis)('X polling under a lease, two instances on one Redis', () => {
  const redis = useRedis();
  const server = setupServer();
  const clients: Redis[] = [];
  const contexts: ChannelTestContext[] = [];
  const adapters: XAdapter[] = [];
  const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
  const fake = new FakeX(clock, [GOV]);
  const tmp = tempDir('tawasul-x-lease-');
  beforeAll(() => {
    server.listen({ onUnhandledRequest: 'error' });
    server.resetHandlers(...fake.handlers());
  });
  afterAll(async () => {
    for (const a of adapters) await a.stop?.();
    for (const t of contexts) await t.close();
    for (const c of clients) c.disconnect();
    server.close();
    tmp.cleanup();
  });

  /** One instance of the X channel with its own Redis connection, on the shared database file. */
  const instance = async (n: number): Promise<XAdapter> => {
    const client = await connectRedis(redis.server().url);
    clients.push(client);
    const t = channelContext({ channelId: 'x-alburaimigov', dataDir: tmp.dir, clock, env: ENV });
    contexts.push(t);
    t.ctx.scale = redisScale(client, { instance: `instance-${n}`, leaseTimings: { ttlMs: 1500, renewMs: 300, retryMs: 50 } });
    const a = createXAdapter(
      t.ctx,
      xOptions.parse({
        ...t.ctx.channel.options,
        handle: GOV.username,
        workerPollMs: 50,
        limits: { dmPerWindow: 3, windowMinutes: 60, minTimeMs: 0, maxConcurrent: 1 },
      }),
    );
    adapters.push(a);
    expect(a.polling.lease).toBe(`x:${GOV.username}`);
    return a;
  };

  it('one instance polls; each DM is answered once; a stopped holder hands polling to the other', async () => {
    const clean = await connectRedis(redis.server().url);
    clients.push(clean);
    await clean.del(`tawasul:lease:{x:${GOV.username}}`, `tawasul:rl:send:x:${GOV.username}`); // a fresh lease and quota
    const first = fake.user('saeed');
    fake.dm(GOV, { text: 'السلام عليكم، عندي شكوى', sender_id: first });
    const [a, b] = [await instance(1), await instance(2)];
    await a.start!();
    expect(a.polling.running).toBe(true);
    await fake.changes.until(() => fake.sent(GOV).length === 1, 'the first DM answered');
    await a.worker.runOnce(); // its send recorded
    // The second instance starts while the first polls: it waits for the lease. (Its outbox worker
    // runs on every instance; claiming outbox rows across instances is the shared store's job.)
    await b.start!();
    expect(b.polling.running).toBe(false);
    expect(fake.requests.filter((r) => r.path.includes('dm_events'))).toHaveLength(1); // only the holder read the DMs

    const takeover = once(b.polling, 'started');
    await a.stop!();
    await takeover;
    expect(b.polling.running).toBe(true);
    const second = fake.user('khalid');
    fake.dm(GOV, { text: 'متى موعد جمع النفايات؟', sender_id: second });
    clock.advance(60_000); // the next poll is due
    await fake.changes.until(() => fake.sent(GOV).length >= 2, 'the second DM answered by the other instance');
    await b.worker.runOnce();
    expect(fake.sent(GOV).map((s) => s.to)).toEqual([first, second]); // each answered once
    expect(await clean.get(`tawasul:rl:send:x:${GOV.username}`)).toBe('2'); // one quota counted for both instances
  });
});
