/**
 * The application picks its scale path at start: in process without TAWASUL_REDIS_URL, Redis with
 * it (one client, closed on close); it logs which, never the URL's password; /readyz checks the
 * database and, when configured, Redis.
 */
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../bot/core/errors.js';
import { createLogger } from '../../bot/core/logger.js';
import { connectRedis } from '../../bot/scale/redis.js';
import { redactedRedisUrl } from '../../bot/scale/scale.js';
import { freePort } from '../channels/helpers/dovecot.js';
import { AGENT_TOKEN, startTawasul } from '../helpers/app.js';
import { skipRedis, useRedis } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

const TOKENS = { TAWASUL_AGENT_TOKENS: `amal:${AGENT_TOKEN}` };

function capture(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        cb();
      },
    }),
  });
  return { logger, lines };
}

describe('scale path without Redis (embedded default)', () => {
  it('stays in process, says so at start, and /readyz checks the database', async () => {
    const { logger, lines } = capture();
    const r = await startTawasul({ logger, env: TOKENS });
    try {
      expect(r.app.scale.mode).toBe('in-process');
      expect(lines.some((l) => l.includes('"scale":"in-process"'))).toBe(true);
      const res = await fetch(`${r.base}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
    } finally {
      await r.cleanup();
    }
  });

  it('refuses a TAWASUL_REDIS_URL that is not a Redis URL, naming the variable', async () => {
    await expect(startTawasul({ env: { ...TOKENS, TAWASUL_REDIS_URL: 'http://cache:6379' } })).rejects.toThrow(ConfigError);
    await expect(startTawasul({ env: { ...TOKENS, TAWASUL_REDIS_URL: 'redis://' } })).rejects.toThrow(/TAWASUL_REDIS_URL/);
  });

  it('names where Redis is without its credentials', () => {
    expect(redactedRedisUrl('redis://tawasul:s3cret@redis:6379/2')).toBe('redis://redis:6379/2');
    expect(redactedRedisUrl('rediss://:s3cret@cache.bur.gov.om')).toBe('rediss://cache.bur.gov.om:6379/0');
  });
});

describe.skipIf(skipRedis)('scale path with Redis (real redis-server on loopback)', () => {
  const redis = useRedis();
  const admins: Redis[] = [];
  afterAll(() => {
    for (const c of admins) c.disconnect();
  });

  it('connects once, logs the path without the password, checks Redis in /readyz, and closes the client on close', async () => {
    const admin = await connectRedis(redis.server().url);
    admins.push(admin);
    await admin.call('ACL', 'SETUSER', 'tawasul', 'on', '>s3cret-redis-pass', '~*', '&*', '+@all');
    const url = redis.server().url.replace('redis://', 'redis://tawasul:s3cret-redis-pass@');
    const { logger, lines } = capture();
    const r = await startTawasul({ logger, env: { ...TOKENS, TAWASUL_REDIS_URL: url } });
    try {
      expect(r.app.scale.mode).toBe('redis');
      expect(lines.some((l) => l.includes('"scale":"redis"') && l.includes(`127.0.0.1:${redis.server().port}`))).toBe(true);
      const ready = await fetch(`${r.base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
      expect(r.app.scale.redis!.status).toBe('ready');
    } finally {
      await r.cleanup();
    }
    expect(r.app.scale.redis!.status).toBe('end'); // closed with the app
    expect(lines.join('\n')).not.toContain('s3cret-redis-pass');

    const again = await startTawasul({ logger, env: { ...TOKENS, TAWASUL_REDIS_URL: url } });
    try {
      again.app.scale.redis!.disconnect(); // the instance loses Redis
      const lost = await fetch(`${again.base}/readyz`);
      expect(lost.status).toBe(503);
      expect(await lost.json()).toEqual({ status: 'unavailable', checks: { database: 'ok', redis: 'unreachable' } });
    } finally {
      await again.cleanup();
    }
  });

  it('closes Redis and releases the data directory even when a channel fails to stop', async () => {
    const t = tempDir('tawasul-close-');
    const first = await startTawasul({ dataDir: t.dir, env: { ...TOKENS, TAWASUL_REDIS_URL: redis.server().url } });
    const webchat = first.app.adapters.get('webchat')!;
    webchat.stop = async () => {
      throw new Error('channel stuck');
    };
    await expect(first.app.close()).rejects.toThrow('channel stuck');
    expect(first.app.scale.redis!.status).toBe('end');
    // The lock on the data directory was released: a new instance starts on it.
    const second = await startTawasul({ dataDir: t.dir, env: { ...TOKENS, TAWASUL_REDIS_URL: redis.server().url } });
    await second.cleanup();
    t.cleanup();
  });

  it('refuses to start when the configured Redis cannot be reached, without logging the password', async () => {
    const { logger, lines } = capture();
    const port = await freePort();
    await expect(startTawasul({ logger, env: { ...TOKENS, TAWASUL_REDIS_URL: `redis://:s3cret@127.0.0.1:${port}` } })).rejects.toThrow();
    expect(lines.some((l) => l.includes('Redis unreachable at start'))).toBe(true);
    expect(lines.join('\n')).not.toContain('s3cret');
  });
});
