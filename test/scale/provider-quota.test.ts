/**
 * The provider quota hook of the outbox worker: two instances (two workers, each on its own outbox,
 * as two processes have) sending for one provider account share one Redis-backed quota; a refused
 * unit keeps the item queued until the window reopens; an unreachable Redis sends nothing (fail closed).
 */
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/core/logger.js';
import { Outbox } from '../../bot/delivery/outbox.js';
import { OutboxWorker } from '../../bot/delivery/outbox-worker.js';
import { laneQuota, ProviderQuota, quotaOf } from '../../bot/delivery/provider-quota.js';
import type { OutboxItem } from '../../bot/delivery/types.js';
import { connectRedis } from '../../bot/scale/redis.js';
import { redisScale } from '../../bot/scale/scale.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import type { ChannelContext } from '../../channels/types.js';
import { Conditions } from '../helpers/conditions.js';
import { skipRedis, useRedis } from '../helpers/redis.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

const reply = (text: string) => ({ text, language: 'en' as const, kind: 'answer' as const });
let run = 0;

describe('quotaOf', () => {
  it('reads the window quota an adapter declares (its reservoir) in whole seconds, none without one', () => {
    expect(quotaOf({ reservoir: { amount: 200, refreshMs: 15 * 60_000 } })).toEqual({ points: 200, durationSeconds: 900 });
    expect(quotaOf({ maxConcurrent: 1, minTimeMs: 1000 })).toBeUndefined();
  });
});

describe.skipIf(skipRedis)('provider quota shared through Redis (real redis-server on loopback)', () => {
  const redis = useRedis();
  const clients: Redis[] = [];
  const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
  let tmp: ReturnType<typeof tempDir>;
  let dbs: SqliteDatabase[];
  let workers: OutboxWorker[];
  let sent: Array<{ instance: number; text: string }>;
  let sends: Conditions;
  let logs: string[];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        cb();
      },
    }),
  });

  afterAll(() => {
    for (const c of clients) c.disconnect();
  });
  beforeEach(() => {
    tmp = tempDir();
    dbs = [];
    workers = [];
    sent = [];
    sends = new Conditions();
    logs = [];
  });
  afterEach(async () => {
    for (const w of workers) await w.stop();
    for (const d of dbs) d.close();
    tmp.cleanup();
  });

  const connect = async (): Promise<Redis> => {
    const c = await connectRedis(redis.server().url);
    clients.push(c);
    return c;
  };

  /** One instance: its own outbox (its own database) and a worker whose quota is counted on `client`. */
  const instance = (n: number, client: Redis, account: string, quota: { points: number; durationSeconds: number }) => {
    const sql = migratedSqlite(`${tmp.dir}/instance-${n}.sqlite`);
    dbs.push(sql);
    const outbox = new Outbox(sql);
    const limits = { reservoir: { amount: quota.points, refreshMs: quota.durationSeconds * 1000 }, account };
    const ctx = { channel: { id: 'x-alburaimigov', type: 'x' }, clock, logger, scale: redisScale(client) } as unknown as ChannelContext;
    const worker = new OutboxWorker({
      outbox,
      channel: 'x-alburaimigov',
      limits,
      clock,
      logger,
      transport: async (item: OutboxItem) => {
        sent.push({ instance: n, text: item.reply.text });
        sends.notify();
        return { providerMessageId: `p${sent.length}` };
      },
      ...laneQuota(ctx, limits),
    });
    workers.push(worker);
    const put = (count: number) => {
      for (let i = 0; i < count; i++) outbox.enqueue([{ channel: 'x-alburaimigov', conversationId: `c${n}-${i}`, reply: reply(`${n}/${i}`) }], clock.now());
    };
    return { outbox, worker, put, pending: () => outbox.list('x-alburaimigov', 'pending') };
  };

  it('holds the quota across two instances: what one sent, the other cannot send in the same window', async () => {
    const account = `alburaimigov-${process.pid}-${++run}`;
    const a = instance(1, await connect(), account, { points: 3, durationSeconds: 3600 });
    const b = instance(2, await connect(), account, { points: 3, durationSeconds: 3600 });
    a.put(4);
    b.put(4);
    const [na, nb] = await Promise.all([a.worker.runOnce(), b.worker.runOnce()]);
    expect(na + nb).toBe(3);
    expect(sent).toHaveLength(3);
    // Refused items stay queued, untouched (no attempt recorded); neither worker tries again in this window.
    expect(a.pending().length + b.pending().length).toBe(5);
    expect([...a.pending(), ...b.pending()].every((i) => i.attempts === 0)).toBe(true);
    expect(await a.worker.runOnce()).toBe(0);
    expect(await b.worker.runOnce()).toBe(0);
    expect(sent).toHaveLength(3);
    const c = await connect();
    expect(Number(await c.get(`tawasul:rl:send:x:${account}`))).toBeGreaterThanOrEqual(3);
    expect(logs.some((l) => l.includes('provider quota spent'))).toBe(true);
  });

  it('after a refusal the worker runs its next pass by itself once the window reopens', async () => {
    const account = `alburaimigov-${process.pid}-${++run}`;
    const a = instance(1, await connect(), account, { points: 1, durationSeconds: 1 });
    a.put(2);
    expect(await a.worker.runOnce()).toBe(1);
    expect(await a.worker.runOnce()).toBe(0); // refused: waiting for the next window
    await sends.until(() => sent.length === 2, 'the second send in the next window, without another call');
    await a.worker.runOnce(); // after the pass that sent it
    expect(a.pending()).toHaveLength(0);
  });

  it('fails closed: with Redis unreachable nothing is sent and the items stay queued; they go out once it is back', async () => {
    const account = `alburaimigov-${process.pid}-${++run}`;
    const client = await connect();
    const a = instance(1, client, account, { points: 10, durationSeconds: 3600 });
    a.put(2);
    client.disconnect(); // the instance loses Redis
    expect(await a.worker.runOnce()).toBe(0);
    expect(sent).toHaveLength(0);
    expect(a.pending().map((i) => i.attempts)).toEqual([0, 0]);
    expect(logs.some((l) => l.includes('fail closed') && l.includes(`x:${account}`))).toBe(true);
    await client.connect();
    await sends.until(() => sent.length === 2, 'the held items to go out once Redis answers again');
    await a.worker.runOnce(); // after the pass that sent them
    expect(a.pending()).toHaveLength(0);
  });

  it('answers a limiter failure as a refusal, logging no error text', async () => {
    const failing = {
      take: async () => {
        throw new Error('connect ECONNREFUSED redis://:s3cret@10.0.0.5:6379');
      },
      refund: async () => undefined,
    };
    const q = new ProviderQuota(failing, 'email:helpdesk@bur.gov.om', logger, 'email', 250);
    expect(await q.take()).toBe(250);
    expect(logs.join('\n')).not.toContain('s3cret');
  });
});
