/**
 * Conversation locks on Redis, shared by the instances: `SET key token NX PX ttl` to take one,
 * compare-and-PEXPIRE to keep it while a long turn runs, compare-and-DEL to give it up. A waiter
 * retries with a short capped back-off until its deadline, then fails the turn (the delivery is
 * released and retried, never dropped). The key is a hash of the conversation key: no phone
 * number or address reaches Redis. A holder that dies leaves a lock that expires after its TTL.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreError } from '../core/errors.js';
import type { ConversationLocks } from '../engine/conversation-locks.js';
import { RELEASE, RENEW } from './redis-lease.js';

/** Timings of the conversation locks. */
export interface RedisLockOptions {
  /** Lock lifetime without renewal (default 5 s: a dead holder blocks its conversation that long); renewed every third of it while the task runs. */
  ttlMs?: number;
  /** How long a turn waits for the lock before failing (default 10 s). */
  waitMs?: number;
  /** Longest pause between two attempts (default 25 ms; the first retries come sooner). */
  maxBackoffMs?: number;
  /** Key prefix (default `tawasul:turn`). */
  prefix?: string;
}

/** The lock could not be taken in time, or Redis failed: the turn did not run. */
export class ConversationLockError extends StoreError {
  override name = 'ConversationLockError';
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Conversation locks on one Redis. */
export class RedisConversationLocks implements ConversationLocks {
  readonly shared = true;
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly maxBackoffMs: number;
  private readonly prefix: string;

  constructor(
    private readonly client: Redis,
    opts: RedisLockOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 5000;
    this.waitMs = opts.waitMs ?? 10_000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 25;
    this.prefix = opts.prefix ?? 'tawasul:turn';
  }

  /** The Redis key of a conversation key (a hash: no personal data in Redis). */
  keyOf(key: string): string {
    return `${this.prefix}:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
  }

  async hold<T>(key: string, task: () => Promise<T>): Promise<T> {
    const k = this.keyOf(key);
    const token = randomBytes(12).toString('base64url');
    await this.acquire(k, token);
    const renew = setInterval(
      () => {
        this.client.eval(RENEW, 1, k, token, String(this.ttlMs)).catch(() => undefined);
      },
      Math.max(1, Math.floor(this.ttlMs / 3)),
    );
    renew.unref();
    try {
      return await task();
    } finally {
      clearInterval(renew);
      // A failed release leaves the lock to expire; the turn itself has committed.
      await this.client.eval(RELEASE, 1, k, token).catch(() => undefined);
    }
  }

  private async acquire(k: string, token: string): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    for (let attempt = 0; ; attempt++) {
      let ok: string | null;
      try {
        ok = await this.client.set(k, token, 'PX', this.ttlMs, 'NX');
      } catch (err) {
        throw new ConversationLockError(`conversation lock failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      if (ok === 'OK') return;
      if (Date.now() >= deadline) throw new ConversationLockError('conversation lock: another instance held it too long');
      await pause(Math.min(this.maxBackoffMs, 1 + attempt * 2));
    }
  }
}
