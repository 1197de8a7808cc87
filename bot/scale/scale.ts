/**
 * What Tawasul instances share when several run: provider quotas and leases in Redis when
 * `TAWASUL_REDIS_URL` is set, their in-process stand-ins otherwise (the embedded default: one
 * instance, quotas counted in memory, every lease granted to it). Built once at start by
 * `bot/app.ts`, handed to adapters in their context, closed on close.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../engine/context.js';
import { type ConversationLocks, inProcessLocks } from '../engine/conversation-locks.js';
import { type ReadinessCheck, redisCheck } from './health.js';
import { type LeaseKeeperOptions, type LeaseStore, MemoryLeaseStore } from './lease.js';
import { type Bus, localBus, RedisBus } from './live-bus.js';
import { memoryLimiter, type ProviderLimiter, type Quota, redisLimiter } from './rate-limiter.js';
import { connectRedis, redisUrl } from './redis.js';
import { RedisLeaseStore } from './redis-lease.js';
import { RedisConversationLocks } from './redis-locks.js';

/** Lease timings of single-reader jobs: TTL 30 s, renewed every 10 s, retried every 15 s (takeover within 45 s). */
export const LEASE_TIMINGS: Required<LeaseKeeperOptions> = { ttlMs: 30_000, renewMs: 10_000, retryMs: 15_000 };

/** Shared provider quotas and leases of this instance. */
export interface Scale {
  /** `redis` when instances share state through Redis, `in-process` for the embedded default. */
  readonly mode: 'redis' | 'in-process';
  /** This instance's name as a lease holder (host, pid and a random tail). */
  readonly instance: string;
  /** Where leases live. */
  readonly leases: LeaseStore;
  /** Lease TTL, renewal and retry periods. */
  readonly leaseTimings: LeaseKeeperOptions;
  /** The Redis client, when configured. */
  readonly redis?: Redis;
  /** Nudges to the other instances (console live events); nothing in process. */
  readonly bus: Bus;
  /** Per-conversation locks across instances (Redis); a pass-through in process. */
  readonly locks: ConversationLocks;
  /** The readiness checks this adds to `/readyz` (Redis PING when configured). */
  readonly checks: readonly ReadinessCheck[];
  /** The limiter of `quota`: one counter per key, shared by every instance on the same Redis. */
  limiter(quota: Quota): ProviderLimiter;
  /** Closes the Redis connection (nothing in process). */
  close(): Promise<void>;
}

/** A lease-holder name unique to this process. */
function instanceName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** One limiter per quota shape (rate-limiter-flexible fixes points and window per limiter). */
function limiters(make: (quota: Quota) => ProviderLimiter): (quota: Quota) => ProviderLimiter {
  const made = new Map<string, ProviderLimiter>();
  return (quota) => {
    const id = `${quota.points}/${quota.durationSeconds}`;
    const l = made.get(id) ?? make(quota);
    made.set(id, l);
    return l;
  };
}

/** The embedded default: quotas in memory, leases on `clock` (always granted to this one instance). */
export function inProcessScale(clock: Clock, opts: { leaseTimings?: LeaseKeeperOptions } = {}): Scale {
  return {
    mode: 'in-process',
    instance: instanceName(),
    leases: new MemoryLeaseStore(clock),
    leaseTimings: opts.leaseTimings ?? LEASE_TIMINGS,
    bus: localBus,
    locks: inProcessLocks,
    checks: [],
    limiter: limiters(memoryLimiter),
    close: async () => undefined,
  };
}

/** Quotas and leases on `client` (closed by `close`). */
export function redisScale(client: Redis, opts: { leaseTimings?: LeaseKeeperOptions; instance?: string; logger?: Logger } = {}): Scale {
  const instance = opts.instance ?? instanceName();
  const bus = new RedisBus(client, instance, opts.logger);
  return {
    mode: 'redis',
    instance,
    leases: new RedisLeaseStore(client),
    leaseTimings: opts.leaseTimings ?? LEASE_TIMINGS,
    redis: client,
    bus,
    locks: new RedisConversationLocks(client),
    checks: [redisCheck(client)],
    limiter: limiters((quota) => redisLimiter(client, 'send', quota)),
    close: async () => {
      await bus.close();
      if (client.status === 'end') return;
      // QUIT's reply comes before the socket closes: resolve once the client has really ended (bounded).
      const ended = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        timer.unref();
        client.once('end', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await client.quit().catch(() => client.disconnect());
      await ended;
    },
  };
}

/** Where a Redis URL points, without its credentials (for logs). */
export function redactedRedisUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}:${u.port || '6379'}${u.pathname && u.pathname !== '/' ? u.pathname : '/0'}`;
}

/**
 * Redis when `TAWASUL_REDIS_URL` is set (connected now: rejects when it cannot be reached), in-process
 * otherwise; logs which, never the URL's credentials.
 */
export async function openScale(env: NodeJS.ProcessEnv, clock: Clock, logger: Logger): Promise<Scale> {
  const url = redisUrl(env);
  if (!url) {
    logger.info({ scale: 'in-process' }, 'rate limits and leases in process (TAWASUL_REDIS_URL not set): one instance per data directory');
    return inProcessScale(clock);
  }
  const where = redactedRedisUrl(url);
  let client: Redis;
  try {
    client = await connectRedis(url);
  } catch (err) {
    logger.error({ scale: 'redis', redis: where, error: (err as Error)?.name }, 'Redis unreachable at start');
    throw err;
  }
  const scale = redisScale(client, { logger });
  logger.info({ scale: 'redis', redis: where, instance: scale.instance }, 'rate limits and leases shared through Redis');
  return scale;
}
