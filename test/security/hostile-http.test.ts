import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../channels/whatsapp-cloud/inbound.js';
import { textMessage, WA_ENV, webhookBody } from '../channels/helpers/whatsapp-cloud-harness.js';
import { type Edge, rawConnection, startEdge } from './edge.js';

const SECRET = WA_ENV.WHATSAPP_APP_SECRET;
const head = (path: string, headers: Record<string, string | number>): string =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
const statusOf = (raw: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
const inboxCount = (e: Edge): number => e.app.sql.db.prepare('SELECT COUNT(*) FROM inbox').pluck().get() as number;

describe('hostile HTTP on the webhooks and the web chat', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge({ security: { bodyTimeoutMs: 300, headersTimeoutMs: 500, requestTimeoutMs: 5000, timeoutCheckMs: 100 } });
  });
  afterAll(async () => {
    await e.close();
  });

  it('refuses a webhook declaring a body over 256 KB before reading a byte of it (413, connection closed)', async () => {
    const raw = JSON.stringify(webhookBody([]));
    const c = rawConnection(e.port);
    // Headers only: the 10 MB body is never sent; the answer must come anyway.
    c.write(head('/webhooks/whatsapp', { 'content-type': 'application/json', 'content-length': 10 * 1024 * 1024, 'x-hub-signature-256': sign(raw, SECRET) }));
    const answer = await c.closed;
    expect(statusOf(answer)).toBe(413);
    expect(answer).toContain('payload_too_large');
  });

  it('refuses a webhook without a signature or with a malformed one before reading the body (401)', async () => {
    for (const sig of [undefined, 'sha256=abc', 'md5=00']) {
      const c = rawConnection(e.port);
      // 200 KB announced (under the cap) and never sent: the answer must not wait for it.
      c.write(head('/webhooks/whatsapp', { 'content-type': 'application/json', 'content-length': 200 * 1024, ...(sig ? { 'x-hub-signature-256': sig } : {}) }));
      const answer = await c.closed;
      expect(statusOf(answer)).toBe(401);
    }
  });

  it('stops reading a chunked webhook body at the cap (413) and stores nothing', async () => {
    const before = inboxCount(e);
    const c = rawConnection(e.port);
    c.write(
      head('/webhooks/whatsapp', { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }),
    );
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let i = 0; i < 6; i++) c.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    const answer = await c.closed;
    expect(statusOf(answer)).toBe(413);
    expect(inboxCount(e)).toBe(before);
  });

  it('refuses forged deliveries (403): counted in tawasul_http_refused_total, logged at a bounded rate, nothing stored', async () => {
    const before = await e.metric('tawasul_http_refused_total', { reason: 'bad_signature', route: '/webhooks/whatsapp' });
    const linesBefore = e.logs.filter((l) => l.includes('requests refused')).length;
    const raw = JSON.stringify(webhookBody([textMessage('wamid.forged', '96891234567', 'hello')]));
    const statuses = new Map<number, number>();
    for (let i = 0; i < 500; i += 25) {
      const batch = await Promise.all(
        Array.from({ length: 25 }, () =>
          fetch(`${e.base}/webhooks/whatsapp`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw, 'not-the-secret') },
            body: raw,
          }).then((r) => r.status),
        ),
      );
      for (const s of batch) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    expect([...statuses]).toEqual([[403, 500]]);
    expect(await e.metric('tawasul_http_refused_total', { reason: 'bad_signature', route: '/webhooks/whatsapp' })).toBe(before + 500);
    const lines = e.logs.filter((l) => l.includes('requests refused')).length - linesBefore;
    expect(lines).toBeGreaterThanOrEqual(1);
    expect(lines).toBeLessThanOrEqual(5);
    expect(e.app.sql.db.prepare("SELECT COUNT(*) FROM inbox WHERE message_id = 'wamid.forged'").pluck().get()).toBe(0);
    // The genuine delivery still goes through.
    const ok = await fetch(`${e.base}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw, SECRET) },
      body: raw,
    });
    expect(ok.status).toBe(200);
  });

  it('times out a body that trickles in (408) and headers that never end', async () => {
    const opened = (await (await fetch(`${e.base}/api/webchat/conversations`, { method: 'POST' })).json()) as { conversationId: string; secret: string };
    const body = c0();
    function c0() {
      const c = rawConnection(e.port);
      c.write(
        head(`/api/webchat/conversations/${opened.conversationId}/messages`, {
          'content-type': 'application/json',
          'content-length': 100,
          authorization: `Bearer ${opened.secret}`,
        }),
      );
      c.write('{"text":');
      return c;
    }
    const answer = await body.closed;
    expect(statusOf(answer)).toBe(408);
    expect(answer).toContain('body_timeout');

    const slowHeaders = rawConnection(e.port);
    slowHeaders.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const closedBy = await slowHeaders.closed;
    expect(statusOf(closedBy)).toBe(408);
  });
});

describe('per-address limits behind a reverse proxy (X-Forwarded-For)', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge({ security: { perAddress: { points: 30, durationSec: 60 }, refusalsPerAddress: { points: 5, durationSec: 60, blockSec: 300 } } });
  });
  afterAll(async () => {
    await e.close();
  });

  it('answers 429 with Retry-After past the per-address rate, on every endpoint, for that address only', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await fetch(`${e.base}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.10' } })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    const refused = await fetch(`${e.base}/webhooks/whatsapp?hub.mode=subscribe`, { headers: { 'x-forwarded-for': '198.51.100.10' } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${e.base}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.11' } })).status).toBe(200);
  });

  it('blocks an address after repeated refusals (forged signatures), even for genuine requests, for a while', async () => {
    const raw = JSON.stringify(webhookBody([]));
    const post = (sig: string, addr: string): Promise<number> =>
      fetch(`${e.base}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig, 'x-forwarded-for': addr },
        body: raw,
      }).then((r) => r.status);
    const forged = [];
    for (let i = 0; i < 6; i++) forged.push(await post(sign(raw, 'wrong'), '203.0.113.66'));
    expect(forged.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(await post(sign(raw, SECRET), '203.0.113.66')).toBe(429);
    expect(await post(sign(raw, SECRET), '203.0.113.67')).toBe(200);
    expect(await e.metric('tawasul_http_refused_total', { reason: 'blocked' })).toBeGreaterThan(0);
  });
});

describe('Bot Framework endpoint with an app id', () => {
  let e: Edge;
  beforeAll(async () => {
    e = await startEdge({ env: { MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_APP_PASSWORD: 'not-used-here' } });
  });
  afterAll(async () => {
    await e.close();
  });

  it('refuses a request without a token before reading its body (401), and a body over 256 KB (413)', async () => {
    const c = rawConnection(e.port);
    c.write(head('/api/messages', { 'content-type': 'application/json', 'content-length': 200 * 1024 }));
    expect(statusOf(await c.closed)).toBe(401);
    const d = rawConnection(e.port);
    d.write(head('/api/messages', { 'content-type': 'application/json', 'content-length': 50 * 1024 * 1024, authorization: 'Bearer x' }));
    expect(statusOf(await d.closed)).toBe(413);
  });
});
