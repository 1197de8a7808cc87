/**
 * Leases in Redis, shared by every instance: `SET lease value NX PX ttl` taken together with the
 * next fencing token (`INCR` of a counter that never expires) in one Lua script, so a grant and its
 * token are atomic; renew and release act only when the stored value is still this grant's
 * (compare-and-PEXPIRE, compare-and-DEL). Both keys share a hash tag (one Redis Cluster slot).
 */
import type { Redis } from 'ioredis';
import { StoreError } from '../core/errors.js';
import type { LeaseGrant, LeaseHolder, LeaseStore } from './lease.js';

const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. ':' .. ARGV[1], 'NX', 'PX', ARGV[2])
return token`;
/** Extends KEYS[1] by ARGV[2] ms while it still holds ARGV[1] (a lease's or a lock's own value). */
export const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
/** Deletes KEYS[1] while it still holds ARGV[1]. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
const HOLDER = `return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}`;

/** The lease store on Redis (keys `tawasul:lease:{name}` and `tawasul:lease:{name}:fence`). */
export class RedisLeaseStore implements LeaseStore {
  constructor(
    private readonly client: Redis,
    private readonly prefix = 'tawasul:lease',
  ) {}

  private keys(name: string): [string, string] {
    const k = `${this.prefix}:{${name}}`;
    return [k, `${k}:fence`];
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new StoreError(`Redis lease ${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError('ttlMs must be a positive integer');
    const [key, fence] = this.keys(name);
    const token = await this.run('acquire', () => this.client.eval(ACQUIRE, 2, key, fence, holder, String(ttlMs)));
    return token === null ? undefined : { name, holder, token: Number(token), ttlMs };
  }

  async renew(grant: LeaseGrant): Promise<boolean> {
    const [key] = this.keys(grant.name);
    return (await this.run('renew', () => this.client.eval(RENEW, 1, key, `${grant.token}:${grant.holder}`, String(grant.ttlMs)))) === 1;
  }

  async release(grant: LeaseGrant): Promise<void> {
    const [key] = this.keys(grant.name);
    await this.run('release', () => this.client.eval(RELEASE, 1, key, `${grant.token}:${grant.holder}`));
  }

  async holder(name: string): Promise<LeaseHolder | undefined> {
    const [key] = this.keys(name);
    const [value, ttl] = (await this.run('read', () => this.client.eval(HOLDER, 1, key))) as [string | null, number];
    if (value === null || ttl <= 0) return undefined;
    const i = value.indexOf(':');
    return { token: Number(value.slice(0, i)), holder: value.slice(i + 1), expiresInMs: ttl };
  }
}
