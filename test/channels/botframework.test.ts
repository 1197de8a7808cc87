/**
 * The Bot Framework adapter through botbuilder itself: activities POSTed over loopback HTTP to
 * `/api/messages`, replies captured by a loopback connector (the activities' `serviceUrl`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChannelApiError, NetworkError } from '../../bot/core/errors.js';
import { Inbox } from '../../bot/delivery/inbox.js';
import type { OutboxItem } from '../../bot/delivery/types.js';
import { botFrameworkCredentials } from '../../channels/botframework/auth.js';
import { classifyActivity, toAttachments, toLocation } from '../../channels/botframework/inbound.js';
import { isRetryableStatus, toDeliveryError } from '../../channels/botframework/transport.js';
import { ManualClock } from '../helpers/tmp.js';
import { adapterContract } from './adapter-contract.js';
import { type BotFrameworkApp, startBotFramework } from './helpers/botframework-app.js';
import { FakeConnector, messageActivity } from './helpers/botframework-connector.js';
import { makeBotFrameworkHarness } from './helpers/botframework-harness.js';

const START = new Date('2026-11-22T05:00:00Z');
/**
 * Runs the outbox worker until nothing is due or in flight; while the item picked by `pick` waits
 * for a retry, moves the injected clock to its next attempt and runs again. Returns it once settled.
 */
const settle = async (bf: BotFrameworkApp, clock: ManualClock, pick: (i: OutboxItem) => boolean): Promise<OutboxItem> => {
  for (let pass = 0; pass < 10; pass++) {
    await bf.adapter.worker.drain();
    const item = (await bf.adapter.outbox.list('botframework')).find(pick);
    if (item && item.state !== 'pending') return item;
    if (item) clock.set(item.nextAttemptAt);
  }
  throw new Error('the outbox item did not settle');
};
/** The outbox item answering `inReplyTo`, once it reached a final state. */
const settled = (bf: BotFrameworkApp, clock: ManualClock, inReplyTo: string): Promise<OutboxItem> => settle(bf, clock, (i) => i.inReplyTo === inReplyTo);
/** The inbound ledger's state of an activity id: `done` once its turn ran and its replies were queued. */
const ledger = (bf: BotFrameworkApp, id: string): string | undefined => new Inbox(bf.app.sql).get('botframework', id)?.state;

adapterContract('botframework', makeBotFrameworkHarness);

describe('Bot Framework adapter (anonymous, loopback connector)', () => {
  let connector: FakeConnector;
  let bf: BotFrameworkApp;
  const clock = new ManualClock(START);
  beforeAll(async () => {
    connector = await new FakeConnector().start();
    bf = await startBotFramework({ clock });
  });
  afterAll(async () => {
    await bf?.stop();
    bf?.cleanup();
    await connector?.close();
  });
  afterEach(() => {
    connector.received.length = 0;
    connector.script.length = 0;
  });

  it('answers a message through serviceUrl as a reply to the inbound activity', async () => {
    const res = await bf.post(messageActivity(connector.url, { id: 'm-1', conversationId: 'c-hello' }));
    expect(res.status).toBe(200);
    await connector.waitFor(1);
    const [got] = connector.received;
    expect(got!.conversationId).toBe('c-hello');
    expect(got!.replyToId).toBe('m-1');
    expect(got!.authorization).toBeUndefined();
    expect(got!.activity).toMatchObject({
      type: 'message',
      replyToId: 'm-1',
      textFormat: 'plain',
      locale: 'ar-OM',
      from: { id: 'bot-1' },
      recipient: { id: 'user-1' },
    });
    expect(got!.activity.text).toContain('تواصل');
    expect(await settled(bf, clock, 'm-1')).toMatchObject({ state: 'sent', inReplyTo: 'm-1', providerMessageId: 'sent-1' });
    expect(bf.adapter.outbox.list('botframework')).toHaveLength(1);
  });

  it('keeps only routing data of the conversation reference (no display names)', async () => {
    const ref = await bf.adapter.references.get('c-hello');
    expect(ref).toMatchObject({
      channelId: 'emulator',
      serviceUrl: connector.url,
      conversation: { id: 'c-hello' },
      bot: { id: 'bot-1' },
      user: { id: 'user-1' },
    });
    expect(JSON.stringify(ref)).not.toContain('Resident');
  });

  it('answers a duplicated, retried and concurrent activity id once', async () => {
    const act = messageActivity(connector.url, { id: 'm-dup', conversationId: 'c-dup', text: 'hello' });
    const statuses = await Promise.all(Array.from({ length: 6 }, () => bf.post(act).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect((await bf.post(act)).status).toBe(200);
    // Every POST returned, so every turn ran: the ledger holds one finished claim, the outbox one reply.
    expect(ledger(bf, 'm-dup')).toBe('done');
    expect((await bf.adapter.outbox.list('botframework')).filter((i) => i.inReplyTo === 'm-dup')).toHaveLength(1);
    expect(await settled(bf, clock, 'm-dup')).toMatchObject({ state: 'sent', attempts: 1 });
    expect(connector.received.filter((r) => r.replyToId === 'm-dup')).toHaveLength(1);
  });

  it('acknowledges typing, reactions, updates and member changes with 200 and sends nothing', async () => {
    const base = messageActivity(connector.url, { conversationId: 'c-other' });
    for (const extra of [
      { type: 'typing', id: 'o-1' },
      { type: 'messageReaction', id: 'o-2', reactionsAdded: [{ type: 'like' }] },
      { type: 'messageUpdate', id: 'o-3' },
      { type: 'messageDelete', id: 'o-4' },
      { type: 'endOfConversation', id: 'o-5' },
      { type: 'event', id: 'o-6', name: 'webchat/join' },
      { type: 'conversationUpdate', id: 'o-7', membersAdded: [{ id: 'user-1' }] },
    ]) {
      const res = await bf.post({ ...base, ...extra, text: undefined });
      expect(res.status, extra.type).toBe(200);
    }
    const invoke = await bf.post({ ...base, type: 'invoke', id: 'o-8', name: 'adaptiveCard/action', text: undefined });
    expect(invoke.status).toBe(501);
    // The turns ran before each 200: nothing was queued, and a drained worker sent nothing.
    expect((await bf.adapter.outbox.list('botframework')).filter((i) => i.conversationId === 'c-other')).toHaveLength(0);
    await bf.adapter.worker.drain();
    expect(connector.received).toHaveLength(0);
  });

  it('answers a card-only message with the polite "text only" reply, once', async () => {
    const act = messageActivity(connector.url, {
      id: 'm-card',
      conversationId: 'c-card',
      text: undefined,
      locale: 'en-US',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }],
    });
    expect((await bf.post(act)).status).toBe(200);
    expect((await bf.post(act)).status).toBe(200);
    expect((await bf.adapter.outbox.list('botframework')).filter((i) => i.inReplyTo === 'm-card')).toHaveLength(1);
    expect(await settled(bf, clock, 'm-card')).toMatchObject({ state: 'sent', attempts: 1 });
    expect(connector.received).toHaveLength(1);
    expect(connector.received[0]!.activity.text).toMatch(/text, locations, images and documents only/);
    expect(connector.received[0]!.replyToId).toBe('m-card');
  });

  it('refuses malformed, incomplete and oversized activities with 4xx and keeps serving', async () => {
    expect((await bf.post('{"type": "message",')).status).toBe(400);
    expect((await bf.post('[1,2]')).status).toBe(400);
    expect((await bf.post({ text: 'no type' })).status).toBe(400);
    const noConversation = messageActivity(connector.url, { id: 'm-bad' });
    delete noConversation.conversation;
    const bad = await bf.post(noConversation);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('conversation');
    expect((await bf.post(messageActivity('ftp://example.org/', { id: 'm-ftp' }))).status).toBe(400);
    expect((await bf.post(messageActivity(connector.url, { id: 'm-big', text: 'x'.repeat(300 * 1024) }))).status).toBe(413);
    expect((await bf.post(messageActivity(connector.url, { id: 'm-after', conversationId: 'c-after' }))).status).toBe(200);
    await connector.waitFor(1);
    expect(connector.received.map((r) => r.replyToId)).toEqual(['m-after']);
  });

  it('in anonymous mode, refuses a serviceUrl outside the allowed hosts', async () => {
    const res = await bf.post(messageActivity('https://attacker.example/', { id: 'm-ssrf', conversationId: 'c-ssrf' }));
    expect(res.status).toBe(403);
    expect(await bf.adapter.references.get('c-ssrf')).toBeUndefined();
    expect((await bf.adapter.outbox.list('botframework')).some((i) => i.conversationId === 'c-ssrf')).toBe(false);
  });

  it('sends agent messages as new activities of the conversation (no replyToId)', async () => {
    await bf.adapter.send('c-hello', [{ text: 'Agent here', language: 'en', kind: 'agent', quickReplies: ['Yes', 'No'] }]);
    await connector.waitFor(1);
    const got = connector.received[0]!;
    expect(got.replyToId).toBeUndefined();
    expect(got.activity.replyToId).toBeUndefined();
    expect(got.activity).toMatchObject({ text: 'Agent here', locale: 'en-US' });
    expect(got.activity.suggestedActions?.actions.map((a) => a.title)).toEqual(['Yes', 'No']);
  });

  it('records an agent message to an unknown conversation as failed, not lost', async () => {
    await bf.adapter.send('c-never-seen', [{ text: 'hello?', language: 'en', kind: 'agent' }]);
    const failed = await settle(bf, clock, (i) => i.conversationId === 'c-never-seen');
    expect(failed.state).toBe('failed');
    expect(failed.lastError).toContain('no_reference');
  });

  it('retries throttling (429 with Retry-After) and server errors, then delivers once', async () => {
    connector.script.push({ status: 429, retryAfter: '0', code: 'TooManyRequests' }, { status: 503 });
    await bf.post(messageActivity(connector.url, { id: 'm-429', conversationId: 'c-429' }));
    expect(await settled(bf, clock, 'm-429')).toMatchObject({ state: 'sent', attempts: 3 });
    expect(connector.received).toHaveLength(1);
  });

  it('stops on a permanent error (400) and records it', async () => {
    connector.script.push({ status: 400, code: 'BadArgument' });
    await bf.post(messageActivity(connector.url, { id: 'm-400', conversationId: 'c-400' }));
    const item = await settled(bf, clock, 'm-400');
    expect(item).toMatchObject({ state: 'failed', attempts: 1 });
    expect(item.lastError).toContain('BadArgument');
    // settle() drained the worker: nothing is due or in flight, so nothing can still arrive.
    expect(connector.received).toHaveLength(0);
  });

  it('retries a reset connection as a network error', async () => {
    connector.script.push('reset');
    await bf.post(messageActivity(connector.url, { id: 'm-reset', conversationId: 'c-reset' }));
    const item = await settled(bf, clock, 'm-reset');
    expect(item).toMatchObject({ state: 'sent', attempts: 2 });
    expect(item.lastError).toBeUndefined();
  });
});

describe('Bot Framework greeting and timeouts', () => {
  it('greets a member who joins (greetOnJoin), once per activity, and retries a hung connector', async () => {
    const connector = await new FakeConnector().start();
    const clock = new ManualClock(START);
    const bf = await startBotFramework({ clock, options: { greetOnJoin: true, sendTimeoutMs: 300 } });
    try {
      const join = {
        ...messageActivity(connector.url, { id: 'j-1', conversationId: 'c-join', locale: 'en-US' }),
        type: 'conversationUpdate',
        text: undefined,
        membersAdded: [{ id: 'bot-1' }, { id: 'user-1' }],
      };
      expect((await bf.post({ ...join, id: 'j-0', membersAdded: [{ id: 'bot-1' }] })).status).toBe(200);
      expect((await bf.post(join)).status).toBe(200);
      expect((await bf.post(join)).status).toBe(200);
      expect((await bf.adapter.outbox.list('botframework')).filter((i) => i.conversationId === 'c-join')).toHaveLength(1);
      expect(await settled(bf, clock, 'j-1')).toMatchObject({ state: 'sent' });
      expect(connector.received).toHaveLength(1);
      expect(connector.received[0]!.activity.text).toMatch(/^Hello and welcome to Tawasul/);
      expect(connector.received[0]!.replyToId).toBe('j-1');

      connector.script.push('hang');
      await bf.post(messageActivity(connector.url, { id: 'm-hang', conversationId: 'c-join', text: 'hello' }));
      const item = await settled(bf, clock, 'm-hang');
      expect(item).toMatchObject({ state: 'sent', attempts: 2 });
    } finally {
      await bf.stop();
      bf.cleanup();
      await connector.close();
    }
  });
});

describe('Bot Framework adapter with an app id', () => {
  let bf: BotFrameworkApp;
  let connector: FakeConnector;
  beforeAll(async () => {
    connector = await new FakeConnector().start();
    bf = await startBotFramework({ env: { MICROSOFT_APP_ID: '00000000-0000-4000-8000-000000000001', MICROSOFT_APP_PASSWORD: 'not-a-real-secret' } });
  });
  afterAll(async () => {
    await bf?.stop();
    bf?.cleanup();
    await connector?.close();
  });

  it('refuses requests without a token (401) and with a forged one (401), running nothing', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(bf.adapter.anonymous).toBe(false);
      expect((await bf.post(messageActivity(connector.url, { id: 'a-1' }))).status).toBe(401);
      expect((await bf.post(messageActivity(connector.url, { id: 'a-2' }), { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln' })).status).toBe(
        401,
      );
    } finally {
      quiet.mockRestore();
    }
    expect(bf.adapter.outbox.list('botframework')).toHaveLength(0);
    expect(await bf.adapter.references.get('conv-1')).toBeUndefined();
    expect(connector.received).toHaveLength(0);
  });
});

describe('durable outbox across a restart', () => {
  it('sends, after a restart, the replies that could not be delivered before', async () => {
    const connector = await new FakeConnector().start();
    const port = connector.port;
    const clock = new ManualClock(START);
    const retry = { baseMs: 60_000, maxMs: 60_000, maxAttempts: 5 };
    const first = await startBotFramework({ clock, options: { retry } });
    try {
      await connector.close();
      for (let i = 0; i < 3; i++) expect((await first.post(messageActivity(connector.url, { id: `r-${i}`, conversationId: `c-r${i}` }))).status).toBe(200);
      await first.adapter.worker.drain();
      expect((await first.adapter.outbox.list('botframework', 'pending')).filter((x) => x.attempts === 1)).toHaveLength(3);
      await first.stop();

      await connector.start(port);
      const second = await startBotFramework({ clock, dataDir: first.dataDir, options: { retry } });
      try {
        // Items wait for their back-off: restarting does not resend early.
        await second.adapter.worker.drain();
        expect(connector.received).toHaveLength(0);
        clock.advance(60_000);
        await second.adapter.worker.drain();
        expect(connector.received.map((r) => r.replyToId).sort()).toEqual(['r-0', 'r-1', 'r-2']);
        expect(second.adapter.outbox.list('botframework', 'sent')).toHaveLength(3);
      } finally {
        await second.stop();
      }
    } finally {
      first.cleanup();
      await connector.close();
    }
  });
});

describe('Bot Framework rate limits', () => {
  it('spaces sends to one conversation while other conversations go on', async () => {
    const connector = await new FakeConnector().start();
    const bf = await startBotFramework({ options: { limits: { maxConcurrent: 2, minTimeMs: 0, perConversationMinTimeMs: 150 } } });
    try {
      for (const c of ['c-rate', 'c-free']) await bf.post(messageActivity(connector.url, { id: `in-${c}`, conversationId: c }));
      await connector.waitFor(2);
      connector.received.length = 0;
      for (let i = 0; i < 3; i++) await bf.adapter.send('c-rate', [{ text: `n${i}`, language: 'en', kind: 'agent' }]);
      await bf.adapter.send('c-free', [{ text: 'other', language: 'en', kind: 'agent' }]);
      await connector.waitFor(4);
      const rate = connector.received.filter((r) => r.conversationId === 'c-rate');
      expect(rate.map((r) => r.activity.text)).toEqual(['n0', 'n1', 'n2']);
      for (let i = 1; i < rate.length; i++) expect(rate[i]!.at - rate[i - 1]!.at).toBeGreaterThanOrEqual(140);
      const other = connector.received.find((r) => r.conversationId === 'c-free')!;
      expect(other.at).toBeLessThan(rate[2]!.at);
    } finally {
      await bf.stop();
      bf.cleanup();
      await connector.close();
    }
  });
});

describe('activity conversion', () => {
  const now = new Date('2026-11-22T05:00:00Z');
  it('removes the bot mention (Teams), keeps files as references and reads location entities', () => {
    const act = messageActivity('http://localhost:3978/', {
      id: 't-1',
      text: '<at>Tawasul</at> pothole here',
      entities: [
        { type: 'mention', mentioned: { id: 'bot-1', name: 'Tawasul' }, text: '<at>Tawasul</at>' },
        { type: 'GeoCoordinates', latitude: 24.25, longitude: 55.79, name: 'Al Buraimi' },
      ],
      attachments: [
        { contentType: 'text/html', content: '<p>pothole here</p>' },
        { contentType: 'image/jpeg', contentUrl: 'https://cdn.example/p.jpg', name: 'p.jpg' },
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name: 'report.pdf',
          content: { downloadUrl: 'https://files.example/report.pdf', fileType: 'pdf' },
        },
      ],
    });
    const c = classifyActivity(act as never, 'botframework', now);
    expect(c.kind).toBe('message');
    if (c.kind !== 'message') return;
    expect(c.msg).toMatchObject({
      channel: 'botframework',
      conversationId: 'conv-1',
      id: 't-1',
      text: 'pothole here',
      from: { id: 'user-1', name: 'Resident' },
      receivedAt: now,
      location: { latitude: 24.25, longitude: 55.79, label: 'Al Buraimi' },
    });
    expect(c.msg.attachments).toEqual([
      { kind: 'image', mimeType: 'image/jpeg', fileName: 'p.jpg', ref: 'https://cdn.example/p.jpg' },
      { kind: 'document', fileName: 'report.pdf', ref: 'https://files.example/report.pdf' },
    ]);
  });

  it('derives a stable id when a channel omits it, and reads Place entities and inline files', () => {
    const act = messageActivity('http://localhost:3978/', { id: undefined, text: 'hi' });
    const a = classifyActivity(act as never, 'bf', now);
    const b = classifyActivity({ ...act } as never, 'bf', now);
    expect(a.kind === 'message' && b.kind === 'message' && a.msg.id === b.msg.id && a.msg.id.startsWith('sha256:')).toBe(true);
    expect(toLocation([{ type: 'Place', geo: { latitude: 24.2, longitude: 55.8 } }])).toEqual({ latitude: 24.2, longitude: 55.8 });
    expect(toLocation([{ type: 'GeoCoordinates', latitude: 200, longitude: 0 }])).toBeUndefined();
    expect(toAttachments([{ contentType: 'image/png', contentUrl: 'data:image/png;base64,AAAA' }])).toEqual([
      { kind: 'image', mimeType: 'image/png', ref: 'botframework:inline' },
    ]);
  });

  it('greets only members other than the bot', () => {
    const base = messageActivity('http://localhost:3978/', { type: 'conversationUpdate', text: undefined });
    expect(classifyActivity({ ...base, membersAdded: [{ id: 'bot-1' }] } as never, 'bf', now).kind).toBe('ignored');
    expect(classifyActivity({ ...base, membersAdded: [{ id: 'bot-1' }, { id: 'user-1' }] } as never, 'bf', now).kind).toBe('join');
  });
});

describe('error mapping and credentials', () => {
  it('maps connector errors to retryable or permanent Tawasul errors', () => {
    const rest = (statusCode: number | undefined, headers: Record<string, string> = {}, code?: string) =>
      Object.assign(new Error('x'), {
        name: 'RestError',
        statusCode,
        code,
        response: { headers: { get: (n: string) => headers[n] ?? null }, bodyAsText: JSON.stringify({ error: { code: 'Throttled' } }) },
      });
    const e429 = toDeliveryError(rest(429, { 'retry-after': '7' }), 'bf');
    expect(e429).toBeInstanceOf(ChannelApiError);
    expect(e429).toMatchObject({ status: 429, code: 'Throttled', retryable: true, retryAfterSeconds: 7 });
    expect(toDeliveryError(rest(502), 'bf')).toMatchObject({ retryable: true });
    expect(toDeliveryError(rest(403), 'bf')).toMatchObject({ retryable: false, status: 403, credential: false });
    // A refused token or app password: retried while the queue pauses (bot/delivery/outbox-worker.ts), never failed for it.
    expect(toDeliveryError(rest(401), 'bf')).toMatchObject({ retryable: true, status: 401, credential: true });
    expect(toDeliveryError(Object.assign(new Error('AADSTS7000222'), { name: 'ServerError', errorCode: 'invalid_client' }), 'bf')).toMatchObject({
      retryable: true,
      credential: true,
    });
    expect(toDeliveryError(rest(undefined, {}, 'ECONNREFUSED'), 'bf')).toBeInstanceOf(NetworkError);
    expect(toDeliveryError(Object.assign(new Error('t'), { name: 'TimeoutError' }), 'bf')).toBeInstanceOf(NetworkError);
    expect([408, 412, 429, 500, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 501].some(isRetryableStatus)).toBe(false);
  });

  it('reads credentials from the environment only, and refuses half-configured ones', () => {
    expect(botFrameworkCredentials({})).toMatchObject({ anonymous: true, appId: '' });
    expect(botFrameworkCredentials({ MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw' })).toMatchObject({
      anonymous: false,
      appId: 'id',
      appType: 'MultiTenant',
    });
    expect(() => botFrameworkCredentials({ MICROSOFT_APP_PASSWORD: 'pw' })).toThrow(/MICROSOFT_APP_ID/);
    expect(() => botFrameworkCredentials({ MICROSOFT_APP_ID: 'id' })).toThrow(/MICROSOFT_APP_PASSWORD/);
    expect(() => botFrameworkCredentials({ MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw', MICROSOFT_APP_TYPE: 'SingleTenant' })).toThrow(
      /MICROSOFT_APP_TENANT_ID/,
    );
    expect(() => botFrameworkCredentials({ MICROSOFT_APP_TYPE: 'Weird' })).toThrow(/MICROSOFT_APP_TYPE/);
  });
});
