import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { timeOrderedId } from '../../bot/core/ids.js';
import { Templates } from '../../bot/core/templates.js';
import { messageIdOf } from '../../channels/webchat/index.js';
import { ChatClient, type Running, startTawasul } from '../helpers/app.js';

const t = new Templates();

describe('bad input gets a clear, bounded answer and never corrupts stored data', () => {
  let run: Running;
  let chat: ChatClient;
  const post = (body: string | Buffer, type = 'application/json', cid?: string): Promise<Response> =>
    fetch(`${run.base}/api/webchat/conversations/${cid ?? chat.conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': type, ...chat.auth },
      body,
    });

  beforeAll(async () => {
    run = await startTawasul();
    chat = await ChatClient.open(run.base);
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it('answers empty, whitespace-only and emoji-only messages politely', async () => {
    expect(await chat.say('')).toBe(t.render('ar', 'empty'));
    expect(await chat.say('   \n\t ')).toBe(t.render('ar', 'empty'));
    expect(await chat.say('😀🙏🌹')).toBe(t.render('ar', 'empty'));
  });

  it('answers an over-long message politely and refuses a 100 KB body with 413', async () => {
    expect(await chat.say('ا'.repeat(5000))).toBe(t.render('ar', 'too_long', { max: 4000 }));
    const r = await post(JSON.stringify({ text: 'a'.repeat(100 * 1024) }));
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: { reason: string; message: string } }).error.reason).toBe('payload_too_large');
  });

  it('refuses malformed JSON, unknown fields, wrong types and non-JSON bodies with a reason', async () => {
    let r = await post('{"text": "hi"');
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { reason: string; message: string } }).error.reason).toBe('malformed_json');
    r = await post(JSON.stringify({ text: 'hi', admin: true }));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { reason: string; message: string } }).error.message).toMatch(/admin|unrecognized/i);
    r = await post(JSON.stringify({ text: 42 }));
    expect(r.status).toBe(400);
    r = await post(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02]), 'application/octet-stream');
    expect(r.status).toBe(415);
    r = await post(JSON.stringify({ text: 'hi' }), 'application/json', 'not-a-uuid');
    expect(r.status).toBe(400);
    // An unknown conversation and a wrong secret are refused alike.
    r = await post(JSON.stringify({ text: 'hi' }), 'application/json', '2b1c6c3e-93a4-4c1f-9d7e-8f1f7f0f0f0f');
    expect(r.status).toBe(401);
  });

  it('answers binary garbage as unreadable', async () => {
    expect(await chat.say('\u0000\u0001\uFFFD\uFFFD\u0000\uFFFD')).toBe(t.render('ar', 'unreadable'));
  });

  it('gives a duplicated delivery no second turn: a retried POST gets the first replies again', async () => {
    const first = await chat.post({ text: 'السلام عليكم', clientMessageId: 'dup-1' });
    const again = await chat.post({ text: 'السلام عليكم', clientMessageId: 'dup-1' });
    expect(first.replies.length).toBeGreaterThan(0);
    expect(again).toEqual({ duplicate: true, replies: first.replies });
    const turns = (await run.app.engine.deps.conversations.transcript(chat.key)).filter((e) => e.direction === 'in' && e.text === 'السلام عليكم');
    expect(turns).toHaveLength(1);
    // The same client id in another conversation is another message.
    const other = await ChatClient.open(run.base);
    expect((await other.post({ text: 'السلام عليكم', clientMessageId: 'dup-1' })).duplicate).toBe(false);
  });

  it('keys a time-ordered client id (as the page mints) by time: retried, it is a duplicate; in another conversation, another message', async () => {
    const id = timeOrderedId();
    const first = await chat.post({ text: 'شكرا', clientMessageId: id });
    expect(await chat.post({ text: 'شكرا', clientMessageId: id })).toEqual({ duplicate: true, replies: first.replies });
    const other = await ChatClient.open(run.base);
    expect((await other.post({ text: 'شكرا', clientMessageId: id })).duplicate).toBe(false);
    // The ledger's id starts with the client id, so that it sorts by time; any other client id follows the conversation.
    const ids = run.app.sql.db.prepare(`SELECT message_id FROM inbox WHERE channel = 'webchat' AND message_id LIKE ?`).pluck().all(`%${id}%`);
    expect(ids.sort()).toEqual([`${id}@${chat.conversationId}`, `${id}@${other.conversationId}`].sort());
    expect(messageIdOf(chat.conversationId, 'dup-1')).toBe(`${chat.conversationId}:dup-1`);
    expect(messageIdOf(chat.conversationId, id.toUpperCase())).toBe(`${id.toUpperCase()}@${chat.conversationId}`);
    // A client id that names another conversation never yields one of that conversation's ids (with one
    // separator, a conversation of random id «A» sending client id «B» and conversation «B» sending «A» would meet).
    const older = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
    expect(messageIdOf(older, chat.conversationId)).not.toBe(messageIdOf(chat.conversationId, older));
  });

  it('processes concurrent messages of one conversation in order', async () => {
    const c = await ChatClient.open(run.base);
    const texts = ['ابي اطلب ردم حفرة', 'سالم بن علي الكعبي', '12345678', '92345678', 'تخطي'];
    // Delivered at once without waiting for replies: each must see the state left by the previous one.
    const results = await Promise.all(
      texts.map((text, i) =>
        run.app.engine.handle({
          channel: 'webchat',
          conversationId: c.conversationId,
          id: `c${i}`,
          from: { id: 'r' },
          text,
          receivedAt: run.clock.now(),
          raw: null,
        }),
      ),
    );
    expect(results.map((r) => r.replies.at(-1)!.text)).toEqual([
      t.render('ar', 'ask_name'),
      t.render('ar', 'ask_civilId'),
      t.render('ar', 'ask_phone'),
      t.render('ar', 'ask_email'),
      t.render('ar', 'ask_address'),
    ]);
    const tr = await run.app.engine.deps.conversations.transcript(c.key);
    expect(tr.filter((e) => e.direction === 'in').map((e) => e.text)).toEqual(texts);
    for (let i = 0; i < tr.length - 1; i++) if (tr[i]!.direction === 'in') expect(tr[i + 1]!.direction).toBe('out');
  });

  it('serves its OpenAPI description, which parses and names every web chat route', async () => {
    const r = await fetch(`${run.base}/api/webchat/openapi.yaml`);
    expect(r.status).toBe(200);
    const spec = parse(await r.text()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(['/api/webchat/conversations', '/api/webchat/conversations/{conversationId}/messages']);
  });

  it('stored nothing from any of the bad inputs', async () => {
    expect(await run.app.engine.deps.requests.count()).toBe(0);
  });
});
