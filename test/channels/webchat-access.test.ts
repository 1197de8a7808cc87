/** Web chat access: the conversation id alone opens nothing; the secret travels in a header; only its hash is stored. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, type Running, startTawasul } from '../helpers/app.js';

describe('web chat access', () => {
  let run: Running;
  let chat: ChatClient;
  beforeAll(async () => {
    run = await startTawasul();
    chat = await ChatClient.open(run.base);
    await chat.say('ابي اطلب ردم حفرة');
    await chat.say('سالم بن علي الكعبي');
    await chat.say('12345678');
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  const url = (cid = chat.conversationId): string => `${run.base}/api/webchat/conversations/${cid}/messages`;

  it('creating a conversation returns its id (a UUID version 7, later ones sorting after) and a secret', async () => {
    expect(chat.conversationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Its first 48 bits are the creation time (the injected clock), so later conversations sort after.
    const time = (cid: string): number => Number.parseInt(cid.replace('-', '').slice(0, 12), 16);
    run.clock.advance(1);
    const later = await ChatClient.open(run.base);
    expect(time(later.conversationId)).toBe(run.clock.now().getTime());
    expect(later.conversationId > chat.conversationId).toBe(true);
    expect(chat.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("refuses reads and posts without the secret, with a wrong one, or with another conversation's", async () => {
    const other = await ChatClient.open(run.base);
    const cases: Array<[string, Record<string, string>]> = [
      ['none', {}],
      ['wrong', { authorization: `Bearer ${'x'.repeat(43)}` }],
      ['other conversation', other.auth],
      ['not bearer', { authorization: `Basic ${chat.secret}` }],
    ];
    for (const [what, headers] of cases) {
      const get = await fetch(url(), { headers });
      expect(get.status, what).toBe(401);
      const body = await get.text();
      expect(body, what).not.toContain('12345678');
      const post = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ text: 'تأكيد' }) });
      expect(post.status, what).toBe(401);
      expect(post.headers.get('www-authenticate'), what).toMatch(/^Bearer/);
    }
    // Nothing reached the conversation.
    const inbound = (await chat.transcript()).filter((m) => m.direction === 'in').map((m) => m.text);
    expect(inbound).toEqual(['ابي اطلب ردم حفرة', 'سالم بن علي الكعبي', '12345678']);
  });

  it('a secret in the URL is not accepted', async () => {
    const r = await fetch(`${url()}?secret=${chat.secret}&access_token=${chat.secret}`);
    expect(r.status).toBe(401);
  });

  it('reads and posts with the secret', async () => {
    expect((await chat.transcript()).length).toBeGreaterThan(3);
    expect(await chat.say('92345678')).toBeTruthy();
  });

  it('stores only a hash of the secret', () => {
    const db = new Database(join(run.dataDir, 'tawasul.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT secret_hash FROM webchat_access WHERE conversation_id = ?').get(chat.conversationId) as { secret_hash: Buffer };
      expect(row.secret_hash.equals(createHash('sha256').update(chat.secret).digest())).toBe(true);
      const dump = JSON.stringify(db.prepare('SELECT * FROM webchat_access').all());
      expect(dump).not.toContain(chat.secret);
    } finally {
      db.close();
    }
  });
});
