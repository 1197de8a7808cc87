/**
 * The shortened HTTP path keeps its behaviour: API answers carry no ETag (nothing hashes them), the
 * page keeps its weak ETag and still revalidates, and the agent API, health and 404 answer as before
 * with the adapters' routers mounted first. The message POST, served ahead of the router (a direct
 * route), answers and refuses exactly as the same route does through the router (a near miss).
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

/** Opens a web chat conversation: its id and the bearer header. */
async function open(): Promise<{ cid: string; auth: Record<string, string> }> {
  const { conversationId, secret } = (await (await fetch(`${t.base}/api/webchat/conversations`, { method: 'POST' })).json()) as {
    conversationId: string;
    secret?: string;
  };
  return { cid: conversationId, auth: secret ? { authorization: `Bearer ${secret}` } : {} };
}

/** The status, headers of interest and JSON of a POST of `body` to `path`. */
async function post(
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; json: unknown; type: string | null; cache: string | null }> {
  const r = await fetch(`${t.base}${path}`, { method: 'POST', headers, body });
  return { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control'), json: await r.json() };
}

/** Total of a counter's series whose labels include `labels`, from /metrics. */
async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${t.base}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('the message POST ahead of the router', () => {
  it('answers and refuses like the same route through the router (trailing slash), refusals counted under the route', async () => {
    const cases: Array<[string, (cid: string) => Record<string, string>, string]> = [
      ['message', () => ({ 'content-type': 'application/json' }), JSON.stringify({ text: 'شكرا' })],
      ['malformed JSON', () => ({ 'content-type': 'application/json' }), '{"text":'],
      ['unknown field', () => ({ 'content-type': 'application/json' }), JSON.stringify({ text: 'x', extra: 1 })],
      ['not JSON', () => ({ 'content-type': 'text/plain' }), 'hello'],
    ];
    for (const [what, headers, body] of cases) {
      const a = await open();
      const b = await open();
      const direct = await post(`/api/webchat/conversations/${a.cid}/messages`, { ...headers(a.cid), ...a.auth }, body);
      const routed = await post(`/api/webchat/conversations/${b.cid}/messages/`, { ...headers(b.cid), ...b.auth }, body);
      expect({ what, ...direct }).toEqual({ what, ...routed });
    }
    const a = await open();
    const json = { 'content-type': 'application/json', ...a.auth };
    const label = { reason: 'malformed_json', route: '/api/webchat/conversations/:cid/messages' };
    const before = await counter('tawasul_http_refused_total', label);
    expect((await post(`/api/webchat/conversations/${a.cid}/messages`, json, '{"text":')).status).toBe(400);
    expect((await post(`/api/webchat/conversations/${a.cid}/messages/`, json, '{"text":')).status).toBe(400);
    expect(await counter('tawasul_http_refused_total', label)).toBe(before + 2);
  });
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
