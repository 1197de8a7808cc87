/**
 * The web chat behind a round-robin proxy: two instances (each its own data directory and process
 * state) keep the conversations' secrets on one PostgreSQL, so a conversation opened on one is read
 * and written on the other, and a wrong secret is refused by both.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../bot/http/server.js';
import { migratePostgresModules } from '../../bot/store/postgres/module-migrate.js';
import { webchat } from '../../channels/webchat/index.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { poolPair } from '../helpers/postgres-pair.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';
import { type ChannelTestContext, channelContext } from './helpers/channel-context.js';

describe.skipIf(skipPostgres)('web chat on two instances sharing PostgreSQL', () => {
  const pgServer = usePostgres();
  const tmp = tempDir('tawasul-webchat-pg-');
  const clock = new ManualClock(new Date('2026-12-02T06:00:00Z'));
  const instances: Array<{ test: ChannelTestContext; server: Server; base: string }> = [];
  let end: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const pools = await poolPair(await pgServer.database(), (p) => migratePostgresModules(p, webchat.postgres));
    end = pools.end;
    for (const [name, pool] of [
      ['a', pools.one],
      ['b', pools.two],
    ] as const) {
      const test = channelContext({ channelId: 'webchat', dataDir: join(tmp.dir, name), clock, postgres: pool });
      const adapter = webchat.create(test.ctx, webchat.options.parse({}));
      const app = createHttpApp(test.ctx.logger, (a) => {
        const router = express.Router();
        adapter.routes?.(router);
        a.use(router);
      });
      const server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      instances.push({ test, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    }
  });
  afterAll(async () => {
    for (const i of instances) {
      i.server.closeAllConnections();
      await new Promise<void>((resolve) => i.server.close(() => resolve()));
      await i.test.close();
    }
    await end();
    tmp.cleanup();
  });

  const open = async (base: string): Promise<{ conversationId: string; secret: string }> => {
    const r = await fetch(`${base}/api/webchat/conversations`, { method: 'POST' });
    expect(r.status).toBe(201);
    return (await r.json()) as { conversationId: string; secret: string };
  };
  const messages = (base: string, cid: string, secret: string): Promise<Response> =>
    fetch(`${base}/api/webchat/conversations/${cid}/messages`, { headers: { authorization: `Bearer ${secret}` } });

  it("a conversation opened on one instance is read and written with its secret on the other, and its record is the opener's", async () => {
    const [a, b] = instances;
    const chat = await open(a!.base);
    expect(await a!.test.ctx.engine.deps.conversations.get(`webchat:${chat.conversationId}`)).toMatchObject({ owner: 'bot' });
    const read = await messages(b!.base, chat.conversationId, chat.secret);
    expect(read.status).toBe(200);
    const post = await fetch(`${b!.base}/api/webchat/conversations/${chat.conversationId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${chat.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'مرحبا', clientMessageId: 'c-1' }),
    });
    expect(post.status).toBe(200);
    expect(b!.test.received.map((m) => m.conversationId)).toEqual([chat.conversationId]);
  });

  it("refuses, on either instance, a wrong secret or another conversation's", async () => {
    const [a, b] = instances;
    const one = await open(a!.base);
    const two = await open(b!.base);
    for (const i of [a!, b!]) {
      expect((await messages(i.base, one.conversationId, two.secret)).status).toBe(401);
      expect((await messages(i.base, one.conversationId, 'x'.repeat(43))).status).toBe(401);
      expect((await messages(i.base, two.conversationId, two.secret)).status).toBe(200);
    }
  });
});
