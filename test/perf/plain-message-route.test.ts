/**
 * The web chat's message POST served on plain node:http objects (bot/http/plain-json.ts, the plain
 * form of its direct route) answers every request as the same route through Express's router does
 * (a near miss with a trailing slash takes the router): status, body and headers, for ordinary
 * messages, every refusal of the body, the secret and the id, and what the plain route leaves to
 * the Express chain. Behind it: the same guards (rate limit shared with the other routes, blocking
 * after refusals) and one turn for a client message id sent twice at once.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, startEdge } from '../security/edge.js';

/** One HTTP exchange on its own connection: status, the headers of interest, the body. */
async function exchange(base: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Record<string, unknown>> {
  const url = new URL(path, base);
  const method = body ? 'POST' : 'GET';
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...(body ? { 'content-length': String(body.length) } : {}), connection: 'close', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = res.headers;
        resolve({
          status: res.statusCode,
          body: Buffer.concat(chunks).toString('utf8'),
          type: h['content-type'],
          length: h['content-length'],
          cache: h['cache-control'],
          authenticate: h['www-authenticate'],
          etag: h.etag,
          retryAfter: h['retry-after'],
          encoding: h['transfer-encoding'],
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a conversation from `address`: its id and secret. */
async function open(e: Edge, address = '192.0.2.1'): Promise<{ cid: string; secret: string }> {
  const r = (await (await fetch(`${e.base}/api/webchat/conversations`, { method: 'POST', headers: { 'x-forwarded-for': address } })).json()) as {
    conversationId: string;
    secret: string;
  };
  return { cid: r.conversationId, secret: r.secret };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const text = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('the plain message route answers as the router does', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge();
  });
  afterAll(async () => {
    await e.close();
  });

  it('for messages, bodies, secrets and ids of every kind', async () => {
    const message = text(JSON.stringify({ text: 'شكرا' }));
    // [what, headers besides the secret, body, how the secret is sent, the conversation id used]
    type Case = [string, Record<string, string>, Buffer, ('right' | 'none' | 'wrong' | 'basic')?, ('own' | 'unknown' | 'bad')?];
    const cases: Case[] = [
      ['message', JSON_TYPE, message],
      ['message with a client id', JSON_TYPE, text(JSON.stringify({ text: 'السلام عليكم', clientMessageId: 'c-1' }))],
      ['client id alone', JSON_TYPE, text(JSON.stringify({ clientMessageId: 'c-2' }))],
      ['location', JSON_TYPE, text(JSON.stringify({ text: 'هنا', location: { latitude: 24.25, longitude: 55.79, label: 'البريمي' } }))],
      ['charset', { 'content-type': 'application/json; charset=utf-8' }, message],
      ['charset upper case', { 'content-type': 'Application/JSON;charset=UTF-8' }, message],
      ['byte-order mark', JSON_TYPE, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), message])],
      ['empty body', JSON_TYPE, Buffer.alloc(0)],
      ['whitespace only', JSON_TYPE, text(' \n\t ')],
      ['not an object (strict)', JSON_TYPE, text('  "hello"')],
      ['a number (strict)', JSON_TYPE, text('42')],
      ['an array', JSON_TYPE, text('[1, 2]')],
      ['malformed', JSON_TYPE, text('{"text":')],
      ['invalid UTF-8', JSON_TYPE, Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
      ['unknown field', JSON_TYPE, text(JSON.stringify({ text: 'x', admin: true }))],
      ['__proto__ field', JSON_TYPE, text('{"text":"x","__proto__":{"admin":true}}')],
      ['text not a string', JSON_TYPE, text(JSON.stringify({ text: 42 }))],
      ['empty client id', JSON_TYPE, text(JSON.stringify({ text: 'x', clientMessageId: '' }))],
      ['client id too long', JSON_TYPE, text(JSON.stringify({ text: 'x', clientMessageId: 'c'.repeat(101) }))],
      ['body over 64 KB', JSON_TYPE, text(JSON.stringify({ text: 'ا'.repeat(40_000) }))],
      ['text/plain', { 'content-type': 'text/plain' }, message],
      ['no content type', {}, message],
      ['+json type', { 'content-type': 'application/vnd.api+json' }, message],
      ['latin1 charset', { 'content-type': 'application/json; charset=latin1' }, message],
      ['gzip', { ...JSON_TYPE, 'content-encoding': 'gzip' }, gzipSync(message)],
      ['unknown encoding', { ...JSON_TYPE, 'content-encoding': 'snappy' }, message],
      ['no secret', JSON_TYPE, message, 'none'],
      ['wrong secret', JSON_TYPE, message, 'wrong'],
      ['basic, not bearer', JSON_TYPE, message, 'basic'],
      ['unknown conversation', JSON_TYPE, message, 'right', 'unknown'],
      ['id not a UUID', JSON_TYPE, message, 'right', 'bad'],
    ];
    for (const [i, [what, headers, body, secretKind = 'right', idKind = 'own']] of cases.entries()) {
      // An address per case: the refusals of one case do not block the next.
      const address = `192.0.2.${10 + i}`;
      const answers = [];
      for (const tail of ['', '/']) {
        const { cid, secret } = await open(e, address);
        const id = idKind === 'own' ? cid : idKind === 'unknown' ? '2b1c6c3e-93a4-4c1f-9d7e-8f1f7f0f0f0f' : 'not-a-uuid';
        const auth: Record<string, string> =
          secretKind === 'right'
            ? { authorization: `Bearer ${secret}` }
            : secretKind === 'wrong'
              ? { authorization: `Bearer ${'x'.repeat(43)}` }
              : secretKind === 'basic'
                ? { authorization: `Basic ${secret}` }
                : {};
        answers.push(await exchange(e.base, `/api/webchat/conversations/${id}/messages${tail}`, { ...headers, ...auth, 'x-forwarded-for': address }, body));
      }
      expect({ what, ...answers[0] }).toEqual({ what, ...answers[1] });
      expect(answers[0]!.etag, what).toBeUndefined();
    }
  });

  it('for transcript polls of every kind', async () => {
    // [what, query, extra headers, how the secret is sent]
    type Case = [string, string, Record<string, string>, ('right' | 'none' | 'wrong')?];
    const cases: Case[] = [
      ['no query', '', {}],
      ['empty query', '?', {}],
      ['after 0', '?after=0', {}],
      ['after the first', '?after=FIRST', {}],
      ['after with zeros', '?after=000FIRST', {}],
      ['after negative', '?after=-1', {}],
      ['after not a number', '?after=abc', {}],
      ['after twice', '?after=FIRST&after=2', {}],
      ['another parameter', '?after=FIRST&x=2', {}],
      ['conditional', '', { 'if-none-match': '*' }],
      ['no secret', '', {}, 'none'],
      ['wrong secret', '', {}, 'wrong'],
    ];
    for (const [i, [what, query, headers, secretKind = 'right']] of cases.entries()) {
      const address = `192.0.2.${100 + i}`;
      const answers = [];
      for (const tail of ['', '/']) {
        const { cid, secret } = await open(e, address);
        const auth: Record<string, string> =
          secretKind === 'right' ? { authorization: `Bearer ${secret}` } : secretKind === 'wrong' ? { authorization: `Bearer ${'x'.repeat(43)}` } : {};
        const said = await exchange(
          e.base,
          `/api/webchat/conversations/${cid}/messages`,
          { ...JSON_TYPE, authorization: `Bearer ${secret}`, 'x-forwarded-for': address },
          text(JSON.stringify({ text: 'السلام عليكم' })),
        );
        expect(said.status).toBe(200);
        // Sequence numbers are global: the query and the answer are written relative to the conversation's first.
        const first = (await e.app.engine.deps.conversations.transcript(`webchat:${cid}`))[0]!.seq;
        const path = `/api/webchat/conversations/${cid}/messages${tail}${query.replaceAll('FIRST', String(first))}`;
        const a = await exchange(e.base, path, { ...headers, ...auth, 'x-forwarded-for': address });
        // A conditional poll gets Express's 304, without a body.
        const json = (a.body ? JSON.parse(a.body as string) : {}) as { messages?: Array<{ seq: number }> };
        for (const m of json.messages ?? []) m.seq -= first;
        answers.push({ ...a, body: json });
      }
      expect({ what, ...answers[0] }).toEqual({ what, ...answers[1] });
    }
  });

  it('serves an ordinary message and poll without Express (its response methods are not called), near misses through it', async () => {
    const proto = e.app.http.response as { json: (...args: unknown[]) => unknown };
    const json = proto.json;
    let calls = 0;
    proto.json = function (this: unknown, ...args: unknown[]) {
      calls++;
      return json.apply(this, args);
    };
    try {
      const statuses = [];
      for (const tail of ['', '/']) {
        const { cid, secret } = await open(e, '192.0.2.3');
        const path = `/api/webchat/conversations/${cid}/messages${tail}`;
        statuses.push((await exchange(e.base, path, { ...JSON_TYPE, authorization: `Bearer ${secret}` }, text(JSON.stringify({ text: 'شكرا' })))).status);
        statuses.push((await exchange(e.base, `${path}?after=0`, { authorization: `Bearer ${secret}` })).status);
        statuses.push(calls);
      }
      // Opening a conversation goes through Express (one call each).
      expect(statuses).toEqual([200, 200, 1, 200, 200, 4]);
    } finally {
      proto.json = json;
    }
  });

  it('counts a refused body under the route pattern on both paths', async () => {
    const label = { reason: 'malformed_json', route: '/api/webchat/conversations/:cid/messages' };
    const before = await e.metric('tawasul_http_refused_total', label);
    for (const tail of ['', '/']) {
      const { cid, secret } = await open(e, '192.0.2.2');
      const r = await exchange(e.base, `/api/webchat/conversations/${cid}/messages${tail}`, { ...JSON_TYPE, authorization: `Bearer ${secret}` }, text('{'));
      expect(r.status).toBe(400);
    }
    expect(await e.metric('tawasul_http_refused_total', label)).toBe(before + 2);
  });

  it('gives a client message id sent twice at once one turn and the same replies', async () => {
    const { cid, secret } = await open(e);
    const body = text(JSON.stringify({ text: 'السلام عليكم', clientMessageId: 'twice' }));
    const headers = { ...JSON_TYPE, authorization: `Bearer ${secret}` };
    const path = `/api/webchat/conversations/${cid}/messages`;
    const [a, b] = await Promise.all([exchange(e.base, path, headers, body), exchange(e.base, path, headers, body)]);
    const answers = [JSON.parse(a.body as string), JSON.parse(b.body as string)] as Array<{ duplicate: boolean; replies: unknown[] }>;
    expect(answers.map((x) => x.duplicate).sort()).toEqual([false, true]);
    expect(answers[0]!.replies).toEqual(answers[1]!.replies);
    const inbound = (await e.app.engine.deps.conversations.transcript(`webchat:${cid}`)).filter((m) => m.direction === 'in');
    expect(inbound).toHaveLength(1);
  });
});

describe('the plain message route behind the per-address guards', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge({ security: { perAddress: { points: 6, durationSec: 60 }, refusalsPerAddress: { points: 3, durationSec: 60, blockSec: 300 } } });
  });
  afterAll(async () => {
    await e.close();
  });

  it('shares the rate limit with the other routes: 429 with Retry-After past it, for that address only', async () => {
    const addr = '198.51.100.20';
    const { cid, secret } = await open(e, addr);
    const headers = { ...JSON_TYPE, authorization: `Bearer ${secret}`, 'x-forwarded-for': addr };
    const say = (): Promise<Record<string, unknown>> =>
      exchange(e.base, `/api/webchat/conversations/${cid}/messages`, headers, text(JSON.stringify({ text: 'شكرا' })));
    const statuses: unknown[] = [];
    // Six requests a minute: the conversation's creation, two health checks, three messages.
    for (let i = 0; i < 2; i++) statuses.push((await fetch(`${e.base}/healthz`, { headers: { 'x-forwarded-for': addr } })).status);
    for (let i = 0; i < 3; i++) statuses.push((await say()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const refused = await say();
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body as string)).toMatchObject({ error: { reason: 'rate_limited' } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(await e.metric('tawasul_http_refused_total', { reason: 'rate_limited', route: '/api/webchat/conversations/:cid/messages' })).toBe(1);
    expect((await fetch(`${e.base}/healthz`, { headers: { 'x-forwarded-for': addr } })).status).toBe(429);
    expect((await fetch(`${e.base}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.21' } })).status).toBe(200);
  });

  it('blocks an address after repeated refused bodies, then refuses its ordinary messages too', async () => {
    const addr = '198.51.100.30';
    const { cid, secret } = await open(e, addr);
    const headers = { ...JSON_TYPE, authorization: `Bearer ${secret}`, 'x-forwarded-for': addr };
    const path = `/api/webchat/conversations/${cid}/messages`;
    const bad: unknown[] = [];
    // Three refusals a minute are allowed; the fourth blocks the address.
    for (let i = 0; i < 4; i++) bad.push((await exchange(e.base, path, headers, text('{'))).status);
    expect(bad).toEqual([400, 400, 400, 400]);
    const blocked = await exchange(e.base, path, headers, text(JSON.stringify({ text: 'شكرا' })));
    expect(blocked.status).toBe(429);
    expect(JSON.parse(blocked.body as string)).toMatchObject({ error: { reason: 'blocked' } });
  });
});
