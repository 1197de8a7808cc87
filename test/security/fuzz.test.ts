/**
 * Fuzzing every public endpoint with fast-check payloads over real HTTP: arbitrary bytes and JSON,
 * wrong content types and charsets, documentation-shaped envelopes with arbitrary contents, signed
 * and forged. Every answer must be below 500, and nothing may be stored for a refused request.
 * FUZZ_TOTAL (default 10,000) payloads in all, spread over the endpoints; e.g.
 * `FUZZ_TOTAL=100000 npx vitest run test/security/fuzz.test.ts` for 10,000 per endpoint.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../channels/whatsapp-cloud/inbound.js';
import { WA_ENV } from '../channels/helpers/whatsapp-cloud-harness.js';
import { type Edge, startEdge } from './edge.js';

const TOTAL = Number(process.env.FUZZ_TOTAL ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zz',
  'application/*+json',
  'application/vnd.api+json',
  '',
);
const text = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('BUR-2026-7K4Q-9M2X 92345678', 'السلام عليكم', 'ابي اطلب ردم حفره', '٩٢٣٤٥٦٧٨', '\u0000\u202e', ' '.repeat(5000)),
);
const anyBody: fc.Arbitrary<Uint8Array | string> = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ unit: 'binary', maxLength: 2000 }),
  fc.uint8Array({ maxLength: 2000 }),
  fc.constantFrom(
    '',
    '{',
    '{"text":',
    'null',
    '[]',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"text":"a","text":"b"}',
    '\u0000'.repeat(100),
  ),
);
const validChat = fc.record({ text, clientMessageId: fc.string({ minLength: 1, maxLength: 100 }) }, { requiredKeys: ['text'] }).map((o) => JSON.stringify(o));
const looseChat = fc
  .record(
    {
      text: fc.oneof(text, fc.anything()),
      clientMessageId: fc.oneof(fc.string({ maxLength: 120 }), fc.anything()),
      location: fc.oneof(fc.record({ latitude: fc.double(), longitude: fc.double(), label: fc.string() }), fc.anything()),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o) ?? '{}');
const chatBody = fc.oneof({ arbitrary: validChat, weight: 3 }, { arbitrary: looseChat, weight: 1 });
const waEnvelope = fc
  .record(
    {
      object: fc.constantFrom('whatsapp_business_account', 'page', 'x'),
      entry: fc.array(
        fc.record({
          id: fc.oneof(fc.string(), fc.anything()),
          changes: fc.array(
            fc.record({
              field: fc.constantFrom('messages', 'statuses', 'x'),
              value: fc.oneof(
                fc.anything(),
                fc.record(
                  {
                    messaging_product: fc.constant('whatsapp'),
                    metadata: fc.record({ phone_number_id: fc.oneof(fc.constant('999'), fc.string()) }),
                    contacts: fc.array(fc.record({ wa_id: fc.string(), profile: fc.anything() }), { maxLength: 3 }),
                    messages: fc.array(
                      fc.record(
                        {
                          from: fc.oneof(fc.constant('96891234567'), fc.string()),
                          id: fc.string(),
                          type: fc.constantFrom('text', 'image', 'location', 'interactive', 'sticker', 'x'),
                          text: fc.anything(),
                          image: fc.anything(),
                          location: fc.anything(),
                          interactive: fc.anything(),
                        },
                        { requiredKeys: ['from', 'id', 'type'] },
                      ),
                      { maxLength: 3 },
                    ),
                  },
                  { requiredKeys: [] },
                ),
              ),
            }),
            { maxLength: 3 },
          ),
        }),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));
const activity = fc
  .record(
    {
      type: fc.constantFrom('message', 'conversationUpdate', 'typing', 'invoke', 'x'),
      id: fc.string(),
      channelId: fc.constantFrom('emulator', 'msteams', 'webchat', ''),
      serviceUrl: fc.oneof(fc.webUrl(), fc.constant('http://203.0.113.1/'), fc.anything()),
      conversation: fc.oneof(fc.record({ id: fc.string() }), fc.anything()),
      from: fc.oneof(fc.record({ id: fc.string(), name: fc.string() }), fc.anything()),
      recipient: fc.anything(),
      text: fc.oneof(text, fc.anything()),
      attachments: fc.anything(),
      membersAdded: fc.anything(),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o) ?? '{}');
const segment = fc.oneof(fc.uuid(), fc.string({ maxLength: 60 }).map(encodeURIComponent), fc.constantFrom('..', '%2e%2e', '%00', 'x'.repeat(3000)));
const query = fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 60 }), { maxKeys: 4 }).map((d) => new URLSearchParams(d).toString());

/** The endpoints, each with the cases to send. */
function endpoints(conversations: Array<{ id: string; secret: string }>): Array<[string, fc.Arbitrary<Case>]> {
  const conv = fc.constantFrom(...conversations.map((c) => c.id));
  // Mostly the conversation's own secret (so bodies reach validation), sometimes none or a forged one.
  const secretOf = new Map(conversations.map((c) => [c.id, c.secret]));
  const auth = (c: string): fc.Arbitrary<Record<string, string>> =>
    fc.oneof(
      fc.constant({ authorization: `Bearer ${secretOf.get(c) ?? 'none'}` }),
      fc.constant({ authorization: `Bearer ${secretOf.get(c) ?? 'none'}` }),
      fc.constant({}),
      fc.string({ maxLength: 80 }).map((s) => ({ authorization: `Bearer ${s.replace(/[\r\n]/g, '')}` })),
    );
  const sigHeader = (body: string | Uint8Array): fc.Arbitrary<Record<string, string>> =>
    fc.oneof(
      fc.constant({ 'x-hub-signature-256': sign(Buffer.from(body), WA_ENV.WHATSAPP_APP_SECRET) }),
      fc.constant({ 'x-hub-signature-256': sign(Buffer.from(body), 'forged') }),
      fc.string({ maxLength: 80 }).map((s) => ({ 'x-hub-signature-256': s.replace(/[\r\n]/g, '') })),
      fc.constant({}),
    );
  return [
    [
      'POST /api/webchat/conversations',
      fc
        .record({ body: anyBody, ct: contentType })
        .map(({ body, ct }) => ({ method: 'POST', path: '/api/webchat/conversations', headers: ct ? { 'content-type': ct } : {}, body })),
    ],
    [
      'POST /api/webchat/conversations/{id}/messages',
      fc
        .record({
          c: fc.oneof(conv, conv, conv, segment),
          body: fc.oneof(chatBody, chatBody, anyBody),
          ct: fc.oneof(fc.constant('application/json'), fc.constant('application/json'), contentType),
        })
        .chain(({ c, body, ct }) =>
          auth(c).map((a) => ({
            method: 'POST',
            path: `/api/webchat/conversations/${c}/messages`,
            headers: { ...(ct ? { 'content-type': ct } : {}), ...a },
            body,
          })),
        ),
    ],
    [
      'GET /api/webchat/conversations/{id}/messages',
      fc
        .record({ c: fc.oneof(conv, segment), q: query })
        .chain(({ c, q }) => auth(c).map((a) => ({ method: 'GET', path: `/api/webchat/conversations/${c}/messages?${q}`, headers: a }))),
    ],
    [
      'GET / and the OpenAPI file',
      fc
        .record({ p: fc.constantFrom('/', '/api/webchat/openapi.yaml', '/healthz', '/metrics'), q: query })
        .map(({ p, q }) => ({ method: 'GET', path: `${p}?${q}`, headers: {} })),
    ],
    ['GET /webhooks/whatsapp (verification)', query.map((q) => ({ method: 'GET', path: `/webhooks/whatsapp?${q}`, headers: {} }))],
    [
      'POST /webhooks/whatsapp',
      fc
        .oneof(waEnvelope, anyBody)
        .chain((body) =>
          sigHeader(body).map((h) => ({ method: 'POST', path: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', ...h }, body })),
        ),
    ],
    [
      'POST /api/messages (Bot Framework)',
      fc
        .record({ body: fc.oneof(activity, anyBody), ct: contentType })
        .map(({ body, ct }) => ({ method: 'POST', path: '/api/messages', headers: ct ? { 'content-type': ct } : {}, body })),
    ],
    [
      '/api/agent and /api/admin',
      fc
        .record({
          m: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
          p: fc.constantFrom(
            '/api/agent/conversations',
            '/api/agent/requests/BUR-2026-7K4Q-9M2X',
            '/api/agent/conversations/webchat:x/take',
            '/api/admin/holidays',
            '/api/admin/reports/sla',
          ),
          auth: fc.oneof(
            fc.constant(''),
            fc.string({ maxLength: 80 }).map((s) => `Bearer ${s.replace(/[\r\n]/g, '')}`),
            fc.constant('Bearer test-agent-token-0123456789abcdef'),
          ),
          body: anyBody,
        })
        .map(({ m, p, auth, body }) => ({
          method: m,
          path: p,
          headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
          ...(m === 'GET' ? {} : { body }),
        })),
    ],
    [
      'any other path and method',
      fc
        .record({ m: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), segs: fc.array(segment, { maxLength: 4 }), body: anyBody })
        .map(({ m, segs, body }) => ({
          method: m,
          path: `/${segs.join('/')}`,
          headers: { 'content-type': 'application/json' },
          ...(m === 'GET' ? {} : { body }),
        })),
    ],
  ];
}

describe(`fuzzing every public endpoint (${TOTAL} payloads, seed ${SEED})`, () => {
  let e: Edge;
  const conversations: Array<{ id: string; secret: string }> = [];
  beforeAll(async () => {
    e = await startEdge();
    for (let i = 0; i < 4; i++) {
      const body = (await (await fetch(`${e.base}/api/webchat/conversations`, { method: 'POST' })).json()) as { conversationId: string; secret: string };
      conversations.push({ id: body.conversationId, secret: body.secret });
    }
  });
  afterAll(async () => {
    await e.close();
  });

  it('never answers 5xx, and stores nothing for what it refuses', async () => {
    const db = e.app.sql.db;
    const count = (sql: string): number => db.prepare(sql).pluck().get() as number;
    const conversationsBefore = count('SELECT COUNT(*) FROM conversations');
    const list = endpoints(conversations);
    const per = Math.ceil(TOTAL / list.length);
    const statuses = new Map<string, Map<number, number>>();
    const fiveXX: Array<{ endpoint: string; c: Case; status: number }> = [];
    let created = 0;
    let chatAccepted = 0;
    for (const [name, arb] of list) {
      const cases = fc.sample(arb, { numRuns: per, seed: SEED });
      const byStatus = new Map<number, number>();
      statuses.set(name, byStatus);
      for (let i = 0; i < cases.length; i += 16) {
        await Promise.all(
          cases.slice(i, i + 16).map(async (c) => {
            let status: number;
            try {
              const r = await fetch(`${e.base}${c.path}`, { method: c.method, headers: c.headers, ...(c.body !== undefined ? { body: c.body } : {}) });
              await r.arrayBuffer();
              status = r.status;
            } catch {
              status = 0; // the server closed the connection (refused before reading): not a 5xx
            }
            byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
            if (status >= 500) fiveXX.push({ endpoint: name, c, status });
            if (name === 'POST /api/webchat/conversations' && status === 201) created++;
            if (name.includes('/messages') && c.method === 'POST' && status === 200 && c.path.startsWith('/api/webchat')) chatAccepted++;
          }),
        );
      }
    }
    console.log(JSON.stringify(Object.fromEntries([...statuses].map(([k, v]) => [k, Object.fromEntries(v)]))));
    expect(fiveXX.slice(0, 3)).toEqual([]);
    // Nothing stored for a refusal: conversations only for 201s, no request filed, no WhatsApp message
    // (no fuzzed envelope carries our phone number id), inbound web chat turns only for 200s.
    expect(count('SELECT COUNT(*) FROM conversations') - conversationsBefore).toBe(created);
    expect(count('SELECT COUNT(*) FROM requests')).toBe(0);
    expect(count("SELECT COUNT(*) FROM inbox WHERE channel = 'whatsapp'")).toBe(0);
    expect(count("SELECT COUNT(*) FROM inbox WHERE channel = 'webchat'")).toBeLessThanOrEqual(chatAccepted);
    const health = await fetch(`${e.base}/healthz`);
    expect(health.status).toBe(200);
  }, 600_000);
});
