/**
 * The cluster test's own instruments, checked on their own: the round-robin proxy (alternates,
 * skips a backend that refuses, answers 502 for a backend that dies mid-request, streams responses)
 * and the quota measure (passes what a shared fixed-window quota lets out, catches twice the rate).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../channels/helpers/dovecot.js';
import { busiest, quotaBreaches } from './checks.js';
import { RoundRobinProxy } from './proxy.js';

describe('round-robin proxy', () => {
  const servers: Server[] = [];
  let proxy: RoundRobinProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  /** A backend answering its name, or `handler`. */
  const backend = async (name: string, handler?: Parameters<typeof createServer>[1]): Promise<string> => {
    const s = createServer(handler ?? ((_req, res) => res.end(name)));
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };
  const get = async (path = '/'): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${proxy!.url}${path}`);
    return { status: res.status, text: await res.text() };
  };

  it('sends each request to the next backend, and past one that refuses connections', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const dead = `http://127.0.0.1:${await freePort()}`;
    const origins = [a, b];
    proxy = await new RoundRobinProxy(() => origins).start();
    expect([(await get()).text, (await get()).text, (await get()).text, (await get()).text]).toEqual(['a', 'b', 'a', 'b']);
    origins[0] = dead; // killed, not restarted yet
    expect([(await get()).text, (await get()).text]).toEqual(['b', 'b']);
    expect(proxy.forwarded).toEqual([2, 4]);
  });

  it('answers 502 when the backend dies with the request, and passes a stream through as it comes', async () => {
    const dying = await backend('dying', (req) => req.socket.destroy());
    const streaming = await backend('stream', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: ready\ndata: {}\n\n');
    });
    const origins = [dying];
    proxy = await new RoundRobinProxy(() => origins).start();
    expect((await get()).status).toBe(502);
    expect(proxy.cut).toBe(1);
    origins[0] = streaming;
    const res = await fetch(`${proxy.url}/events`);
    const reader = res.body!.getReader();
    const first = await reader.read(); // arrives while the backend keeps the stream open
    expect(new TextDecoder().decode(first.value)).toBe('event: ready\ndata: {}\n\n');
    await reader.cancel();
  });
});

describe('quota measure', () => {
  /** Sends at `perSecond` evenly, for `seconds`, starting at `t0` (ms). */
  const even = (perSecond: number, seconds: number, t0 = 0): number[] => Array.from({ length: perSecond * seconds }, (_, i) => t0 + (i * 1000) / perSecond);

  it('counts the busiest span', () => {
    expect(busiest([0, 100, 200, 1500, 1600], 1000)).toBe(3);
    expect(busiest([], 1000)).toBe(0);
  });

  it("passes a shared fixed-window quota, bursts at each window's start included, and catches two instances each at the quota", () => {
    // A shared quota of 3 per whole-second window, spent at once at the end of one window and the start of the next.
    const bursts = Array.from({ length: 8 }, (_, w) => [0, 1, 2].map((k) => w * 1000 + (w % 2 ? 997 + k : k))).flat();
    expect(quotaBreaches(bursts, 3, 4)).toEqual([]);
    expect(quotaBreaches(even(3, 8), 3, 4)).toEqual([]);
    // Two instances each spacing its own sends at 3 per second: 6 per second together.
    expect(quotaBreaches([...even(3, 8), ...even(3, 8, 10)], 3, 4)).toEqual([
      '12 sends within 2 s (quota 3/s allows at most 9)',
      '18 sends within 3 s (quota 3/s allows at most 12)',
      '24 sends within 4 s (quota 3/s allows at most 15)',
    ]);
  });
});
