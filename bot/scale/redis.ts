/**
 * The Redis connection of the scale-out path: one ioredis client per process from
 * TAWASUL_REDIS_URL, failing fast (no offline queue) so that a missing Redis shows up as an error
 * at the caller (limiter, lease, /readyz) instead of commands piling up in memory.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS). */
const redisUrlSchema = z.url({ protocol: /^rediss?$/, hostname: /^\S+$/ });

/** The Redis URL from the environment, undefined when Redis is not configured (embedded mode). */
export function redisUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.TAWASUL_REDIS_URL;
  if (url === undefined || url === '') return undefined;
  if (!redisUrlSchema.safeParse(url).success) {
    throw new ConfigError('TAWASUL_REDIS_URL: expected redis://[:password@]host:port[/db] or rediss://…', 'environment', 'TAWASUL_REDIS_URL');
  }
  return url;
}

/**
 * A client on `url`, connected (rejects when Redis cannot be reached within 5 s). Later it
 * reconnects by itself, backing off to 2 s; commands sent meanwhile fail at once.
 */
export async function connectRedis(url: string): Promise<Redis> {
  // Loaded only when Redis is configured: the embedded default never pays for the driver.
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    connectionName: 'tawasul',
  });
  // Without a listener a connection error would be an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw err;
  }
  return client;
}
