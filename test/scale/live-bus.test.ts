/**
 * Console live events across instances: an instance that appends an event to the shared log nudges
 * the others over Redis pub/sub, and their hubs fan it out to their own streams. Two instances here
 * share one SQLite file (standing in for the shared store) and one redis-server.
 */
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../bot/console/auth.js';
import { LiveHub } from '../../bot/console/live.js';
import { RedisBus } from '../../bot/scale/live-bus.js';
import { connectRedis } from '../../bot/scale/redis.js';
import { SqliteConsoleQueries } from '../../bot/store/sqlite/console-queries.js';
import { SqliteConsoleStore } from '../../bot/store/sqlite/console-store.js';
import { SqliteSystemNotifications } from '../../bot/store/sqlite/notify-system.js';
import type { RequestRecord } from '../../bot/store/types.js';
import { type ChannelTestContext, channelContext } from '../channels/helpers/channel-context.js';
import { Conditions } from '../helpers/conditions.js';
import { skipRedis, useRedis } from '../helpers/redis.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';

const principal = (role: Principal['role'], departments: string[] = []): Principal => ({
  actor: `console:${role}`,
  username: role,
  displayName: role,
  role,
  departments,
  via: 'session',
});

/** A console's SSE stream, recorded. */
function stream(changes: Conditions): { req: Request; res: Response; text(): string } {
  const chunks: string[] = [];
  const res = {
    writeHead: () => res,
    write: (chunk: string) => {
      chunks.push(chunk);
      changes.notify();
      return true;
    },
    on: () => res,
    end: () => undefined,
  };
  const req = { get: () => undefined, query: {} };
  return { req: req as unknown as Request, res: res as unknown as Response, text: () => chunks.join('') };
}

describe.skipIf(skipRedis)('console live events across instances (real redis-server on loopback)', () => {
  const redis = useRedis();
  const clients: Redis[] = [];
  const buses: RedisBus[] = [];
  const contexts: ChannelTestContext[] = [];
  const hubs: LiveHub[] = [];
  const tmp = tempDir('tawasul-live-');
  afterAll(async () => {
    for (const h of hubs) h.stop();
    for (const b of buses) await b.close();
    for (const c of clients) c.disconnect();
    for (const t of contexts) await t.close();
    tmp.cleanup();
  });
  const bus = async (instance: string): Promise<RedisBus> => {
    const c = await connectRedis(redis.server().url);
    clients.push(c);
    const b = new RedisBus(c, instance);
    buses.push(b);
    return b;
  };

  it('delivers a nudge to the other instances, not back to its sender', async () => {
    const [a, b] = [await bus('instance-a'), await bus('instance-b')];
    const got = { a: [] as string[], b: [] as string[] };
    const changes = new Conditions();
    a.subscribe('test', (m) => {
      got.a.push(m);
      changes.notify();
    });
    b.subscribe('test', (m) => got.b.push(m));
    await Promise.all([a.listen(), b.listen()]);
    b.publish('test', '42');
    await changes.until(() => got.a.length === 1, 'instance a to hear instance b');
    expect(got).toEqual({ a: ['42'], b: [] });
  });

  it('a request filed on instance B reaches the supervisor streaming from instance A, and only those allowed to see it', async () => {
    const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
    const hub = async (instance: string): Promise<LiveHub> => {
      const t = channelContext({ channelId: 'webchat', dataDir: tmp.dir, clock });
      contexts.push(t);
      const b = await bus(instance);
      const h = new LiveHub({
        store: new SqliteConsoleStore(t.ctx.sql),
        queries: new SqliteConsoleQueries(t.ctx.sql),
        // Only its system notifications are read (the stream's starting point).
        sla: { system: new SqliteSystemNotifications(t.ctx.sql) } as never,
        engine: t.ctx.engine,
        config: t.ctx.config,
        clock,
        logger: t.ctx.logger,
        bus: b,
      });
      hubs.push(h);
      h.start();
      await b.listen();
      return h;
    };
    const [onA, onB] = [await hub('instance-a'), await hub('instance-b')];
    const changes = new Conditions();
    const supervisor = stream(changes);
    const agent = stream(changes);
    await onA.stream(supervisor.req, supervisor.res, principal('supervisor'));
    await onA.stream(agent.req, agent.res, principal('agent'));

    const filed = { reference: 'BUR-2026-AB12-CD34', serviceId: 'waste-collection', status: 'new', department: 'municipality' } as unknown as RequestRecord;
    onB.requestChanged(filed, 'filed');
    await changes.until(() => supervisor.text().includes('BUR-2026-AB12-CD34'), 'the event from instance B on instance A');
    expect(supervisor.text()).toMatch(/event: request\ndata: .*"reason":"filed"/);
    expect(agent.text()).not.toContain('BUR-2026-AB12-CD34'); // agents see chats, not requests

    // Instance A's own events still go out once, in order after B's.
    onA.requestChanged({ ...filed, status: 'in_progress' } as unknown as RequestRecord, 'status');
    await changes.until(() => supervisor.text().includes('"status":"in_progress"'), "instance A's own event on instance A");
    const ids = [...supervisor.text().matchAll(/^id: (\d+)\nevent: request/gm)].map((m) => Number(m[1]));
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBeGreaterThan(ids[0]!);
  });
});
