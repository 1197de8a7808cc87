/**
 * The e-mail adapter reads its IMAP mailbox only while it holds the lease
 * `imap:<user>@<host>/<mailbox>`: while another instance holds it, no IMAP connection is opened;
 * once that one gives it up, this instance opens the mailbox.
 */
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../bot/scale/redis.js';
import { RedisLeaseStore } from '../../bot/scale/redis-lease.js';
import { redisScale } from '../../bot/scale/scale.js';
import { createEmailAdapter, emailOptions } from '../../channels/email/index.js';
import { channelContext } from '../channels/helpers/channel-context.js';
import { freePort } from '../channels/helpers/dovecot.js';
import { skipRedis, useRedis } from '../helpers/redis.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

describe.skipIf(skipRedis)('IMAP reading under a lease (real redis-server on loopback)', () => {
  const redis = useRedis();
  const clients: Redis[] = [];
  const tmp = tempDir('tawasul-imap-lease-');
  afterAll(() => {
    for (const c of clients) c.disconnect();
    tmp.cleanup();
  });
  const connect = async (): Promise<Redis> => {
    const c = await connectRedis(redis.server().url);
    clients.push(c);
    return c;
  };

  it('opens the mailbox only once the other instance gives the lease up', async () => {
    // Nothing listens on the IMAP port: a connection attempt shows up as "IMAP connect failed" in the log.
    const [imapPort, smtpPort] = [await freePort(), await freePort()];
    const env = {
      TAWASUL_IMAP_URL: `imap://Helpdesk%40bur.gov.om:mail-pass@127.0.0.1:${imapPort}`,
      TAWASUL_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    };
    const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
    const logs: string[] = [];
    const t = channelContext({ channelId: 'email', dataDir: tmp.dir, clock, env, logs });
    t.ctx.scale = redisScale(await connect(), { instance: 'instance-2', leaseTimings: { ttlMs: 1500, renewMs: 300, retryMs: 50 } });
    const adapter = createEmailAdapter(t.ctx, emailOptions.parse({ ...t.ctx.channel.options, imap: { enabled: true, syncSeconds: 3600 } }));
    const name = adapter.reading!.lease;
    expect(name).toBe('imap:helpdesk@bur.gov.om@127.0.0.1/INBOX');

    const other = new RedisLeaseStore(await connect());
    const held = (await other.acquire(name, 'instance-1', 60_000))!;
    await adapter.start!();
    try {
      expect(adapter.reading!.running).toBe(false);
      expect(logs.some((l) => l.includes('IMAP'))).toBe(false); // no connection attempted

      const started = once(adapter.reading!, 'started');
      await other.release(held); // instance 1 stops
      await started;
      expect(adapter.reading!.running).toBe(true);
      expect(logs.some((l) => l.includes('IMAP connect failed'))).toBe(true);
      expect(logs.join('\n')).not.toContain('mail-pass');
    } finally {
      await adapter.stop!();
      await t.close();
    }
  });
});
