/**
 * The adapter-contract harness of the Bot Framework channel: the adapter built from a test
 * ChannelContext (manual clock, captured logs), its `/api/messages` route served over loopback
 * HTTP, activities shaped like the Emulator's, and replies captured by a FakeConnector (the
 * activities' `serviceUrl`), which also scripts the connector's 429 / 400 answers and dropped sockets.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { RateLimits } from '../../../bot/delivery/outbox-worker.js';
import { createHttpApp } from '../../../bot/http/server.js';
import { type BotFrameworkAdapter, botframework } from '../../../channels/botframework/index.js';
import { ManualClock, tempDir } from '../../helpers/tmp.js';
import type { AdapterHarness, FailureMode } from '../adapter-contract.js';
import { FakeConnector, messageActivity } from './botframework-connector.js';
import { type ChannelTestContext, channelContext } from './channel-context.js';

const CHANNEL = 'botframework';
/** The limits under contract: Teams' per-conversation pacing is the one that matters. */
const LIMITS = { maxConcurrent: 4, minTimeMs: 0, perConversationMinTimeMs: 500 };

interface Instance {
  test: ChannelTestContext;
  adapter: BotFrameworkAdapter;
  server: Server;
  base: string;
}

/** Builds a fresh harness (one per contract test). */
export async function makeBotFrameworkHarness(): Promise<AdapterHarness> {
  const tmp = tempDir('tawasul-bf-contract-');
  const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
  const connector = await new FakeConnector().start();
  const logs: string[] = [];
  const inflight = new Set<Promise<unknown>>();

  const boot = async (): Promise<Instance> => {
    const test = channelContext({ channelId: CHANNEL, dataDir: tmp.dir, clock, logs });
    const options = botframework.options.parse({ pollMs: 60_000, sendTimeoutMs: 2000, limits: LIMITS, retry: { baseMs: 1000, maxMs: 60_000, maxAttempts: 5 } });
    const adapter = botframework.create(test.ctx, options) as BotFrameworkAdapter;
    const app = createHttpApp(test.ctx.logger, (a) => {
      const router = express.Router();
      adapter.routes?.(router);
      a.use(router);
    });
    await adapter.start?.();
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return { test, adapter, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
  const shutdown = async (i: Instance): Promise<void> => {
    await Promise.allSettled([...inflight]);
    await i.adapter.stop?.();
    i.server.closeAllConnections();
    await new Promise<void>((resolve) => i.server.close(() => resolve()));
    await i.test.close();
  };

  let cur = await boot();
  const post = async (body: string): Promise<{ status: number }> => {
    const p = fetch(`${cur.base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    inflight.add(p);
    try {
      const res = await p;
      await res.arrayBuffer();
      return { status: res.status };
    } finally {
      inflight.delete(p);
    }
  };
  const activity = (providerId: string, from: string, over: Record<string, unknown>): string =>
    JSON.stringify(
      messageActivity(connector.url, {
        id: providerId,
        conversationId: `conv-${from}`,
        from: { id: `user-${from}`, name: `Resident ${from}` },
        locale: 'ar-OM',
        ...over,
      }),
    );

  return {
    channelId: CHANNEL,
    clock,
    limits: { maxConcurrent: LIMITS.maxConcurrent, minTimeMs: LIMITS.minTimeMs, perRecipientMinTimeMs: LIMITS.perConversationMinTimeMs } satisfies RateLimits,
    get engine() {
      return cur.test.ctx.engine;
    },
    get outbox() {
      return cur.adapter.outbox;
    },
    get received() {
      return cur.test.received;
    },
    logs,
    deliverText: (providerId, text, from) => post(activity(providerId, from, { text })),
    deliverMalformed: () => post('{"type":"message","id":'),
    deliverUnsupported: (providerId, from) =>
      post(activity(providerId, from, { type: 'messageReaction', text: undefined, reactionsAdded: [{ type: 'like' }] })),
    async drain() {
      await Promise.allSettled([...inflight]);
      // The worker's own drain: waits for a pass in progress, then runs passes until none attempts
      // anything and no send is in flight (these limits have no reservoir window to wait for).
      await cur.adapter.worker.drain();
    },
    sent: () => connector.received.map((r) => ({ to: r.conversationId, text: r.activity.text ?? '', at: r.at })),
    failNext(n: number, mode: FailureMode) {
      for (let i = 0; i < n; i++) {
        connector.script.push(
          mode === 'network' ? 'reset' : mode === 'throttle' ? { status: 429, code: 'TooManyRequests' } : { status: 400, code: 'BadArgument' },
        );
      }
    },
    async restart() {
      await shutdown(cur);
      cur = await boot();
    },
    async close() {
      await shutdown(cur);
      await connector.close();
      tmp.cleanup();
    },
  };
}
