/**
 * Provider rate limits shared by every Tawasul instance: "at most N sends per window" per provider
 * account (a WhatsApp number, an X account). In-process for the embedded default, in Redis when
 * several instances send for the same account (rate-limiter-flexible's atomic Lua counter, which
 * works on Redis 7 — bottleneck's Redis clustering does not).
 *
 * The limiter only counts; it never waits. The outbox worker keeps its own ordering (earliest
 * first-response deadline first) and asks the limiter before each send: `take` grants a unit or
 * says when the window reopens. Windows are fixed and whole seconds (rate-limiter-flexible's
 * model): a quota of N per window can see up to 2N sends across one window boundary, so set the
 * quota to the provider's limit for its own window length.
 */
import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { StoreError } from '../core/errors.js';

/** At most `points` units per `durationSeconds` window, per key. */
export interface Quota {
  points: number;
  durationSeconds: number;
}

/** The answer to `take`. */
export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

/** A rate limit shared by the instances that use the same backing store. */
export interface ProviderLimiter {
  /** Takes `cost` units of `key`'s quota now, or says how long until the window reopens. */
  take(key: string, cost?: number): Promise<RateDecision>;
  /**
   * Gives `cost` units back (a granted send that did not happen). Call it right after the `take`:
   * a refund after the window turned over is credited to the next window instead.
   */
  refund(key: string, cost?: number): Promise<void>;
}

function checkQuota(q: Quota): void {
  if (!Number.isInteger(q.points) || q.points < 1) throw new RangeError('quota points must be a positive integer');
  if (!Number.isInteger(q.durationSeconds) || q.durationSeconds < 1) throw new RangeError('quota durationSeconds must be a positive integer');
}

class FlexibleLimiter implements ProviderLimiter {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly backend: string,
  ) {}

  async take(key: string, cost = 1): Promise<RateDecision> {
    try {
      const res = await this.limiter.consume(key, cost);
      return { allowed: true, remaining: res.remainingPoints };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { allowed: false, retryAfterMs: Math.max(1, err.msBeforeNext) };
      // Fail closed: no send without a unit (the outbox keeps the message and retries later).
      throw new StoreError(`${this.backend} rate limiter unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async refund(key: string, cost = 1): Promise<void> {
    try {
      await this.limiter.reward(key, cost);
    } catch (err) {
      throw new StoreError(`${this.backend} rate limiter unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

/** The in-process limiter (embedded default: one instance sends for each account). */
export function memoryLimiter(quota: Quota): ProviderLimiter {
  checkQuota(quota);
  return new FlexibleLimiter(new RateLimiterMemory({ points: quota.points, duration: quota.durationSeconds }), 'in-process');
}

/**
 * The limiter in Redis: every instance built with the same `name` and quota on the same Redis
 * shares one counter per key (`tawasul:rl:<name>:<key>`). Fails closed with a StoreError when
 * Redis is unreachable.
 */
export function redisLimiter(client: Redis, name: string, quota: Quota): ProviderLimiter {
  checkQuota(quota);
  return new FlexibleLimiter(
    new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `tawasul:rl:${name}`,
      points: quota.points,
      duration: quota.durationSeconds,
      rejectIfRedisNotReady: true,
    }),
    'Redis',
  );
}
