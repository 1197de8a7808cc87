/**
 * The shortened HTTP path keeps its behaviour: API answers carry no ETag (nothing hashes them), the
 * page keeps its weak ETag and still revalidates, and the agent API, health and 404 answer as before
 * with the adapters' routers mounted first.
 */
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weakEtagExceptJson } from '../../bot/http/server.js';
import { AGENT_TOKEN, type Running, startTawasul } from '../helpers/app.js';

let t: Running;
beforeAll(async () => {
  t = await startTawasul();
});
afterAll(async () => {
  await t.cleanup();
});

describe('HTTP path', () => {
  it('answers a web chat message without an ETag', async () => {
    const { conversationId, secret } = (await (await fetch(`${t.base}/api/webchat/conversations`, { method: 'POST' })).json()) as {
      conversationId: string;
      secret?: string;
    };
    const r = await fetch(`${t.base}/api/webchat/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
      body: JSON.stringify({ text: 'السلام عليكم' }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBeNull();
    expect(((await r.json()) as { replies: unknown[] }).replies.length).toBeGreaterThan(0);
  });

  it('keeps a weak ETag on the page, and a matching If-None-Match gets 304', async () => {
    const first = await fetch(`${t.base}/`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    // node:http, not fetch: fetch adds Cache-Control: no-cache to a conditional request.
    const status = await new Promise<number>((resolve, reject) => {
      get(`${t.base}/`, { headers: { 'if-none-match': etag! } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject);
    });
    expect(status).toBe(304);
  });

  it('still routes the agent API, health and unknown paths', async () => {
    expect((await fetch(`${t.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.base}/api/agent/conversations`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` } })).status).not.toBe(404);
    expect((await fetch(`${t.base}/api/agent/conversations`)).status).toBe(401);
    const missing = await fetch(`${t.base}/no/such/route`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { reason: 'not_found', message: 'no such route' } });
  });

  it('computes the same weak ETag as Express for non-JSON bodies, none for JSON', () => {
    expect(weakEtagExceptJson(Buffer.from('<html>hi</html>'))).toBe('W/"f-SS6Y63VLWIkrLtPSkoMRfVWQOl0"');
    expect(weakEtagExceptJson('{"a":1}')).toBeUndefined();
    expect(weakEtagExceptJson(' \n[1]')).toBeUndefined();
  });
});
