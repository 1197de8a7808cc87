import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Templates } from '../../bot/core/templates.js';
import { type Running, startTawasul } from '../helpers/app.js';
import { sampleRequest } from '../store/request-store-contract.js';
import { openConversation, say } from './helpers.js';

const t = new Templates();
const locked = (lang: 'ar' | 'en'): string => t.render(lang, 'status_locked', { callCentre: '+968 2564 3286' });
const notFound = (lang: 'ar' | 'en'): string => t.render(lang, 'status_not_found', { callCentre: '+968 2564 3286' });

describe('status look-ups are limited across conversations, in SQL', () => {
  let run: Running;
  beforeAll(async () => {
    run = await startTawasul();
  });
  afterAll(async () => {
    await run.cleanup();
  });

  it('a known reference: guessing phones over fresh conversations and addresses locks it, even for the right phone', async () => {
    const rec = await run.app.engine.deps.requests.create(sampleRequest({ filedAt: run.clock.now() }));
    const replies: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = await openConversation(run.base, `198.51.100.${i + 1}`);
      replies.push(await say(run.base, c.id!, `status ${rec.reference} phone 9${String(1000000 + i)}`, `198.51.100.${i + 1}`));
    }
    expect(replies.slice(0, 5).every((r) => r.includes(notFound('en')))).toBe(true);
    expect(replies[5]).toContain(locked('en'));
    // The resident's own phone, from yet another conversation and address, is locked out for the window too.
    const c = await openConversation(run.base, '198.51.100.50');
    expect(await say(run.base, c.id!, `status ${rec.reference} phone 92345678`, '198.51.100.50')).toContain(locked('en'));
    // After the window (injected clock) the resident gets the status.
    run.clock.advance(61 * 60 * 1000);
    const d = await openConversation(run.base, '198.51.100.51');
    expect(await say(run.base, d.id!, `status ${rec.reference} phone 92345678`, '198.51.100.51')).toContain(rec.reference);
  });

  it('a known phone: walking references over fresh conversations locks the phone, and the lock survives a restart', async () => {
    const rec = await run.app.engine.deps.requests.create(
      sampleRequest({ filedAt: run.clock.now(), applicant: { name: 'x', civilId: '23456789', phone: '97777777' } }),
    );
    for (let i = 0; i < 5; i++) {
      const c = await openConversation(run.base, `203.0.113.${i + 1}`);
      await say(run.base, c.id!, `status BUR-2026-AAAA-${'CDEFG'[i]}${'HJKMN'[i]}PQ phone 97777777`, `203.0.113.${i + 1}`);
    }
    run = await run.restart();
    const c = await openConversation(run.base, '203.0.113.99');
    expect(await say(run.base, c.id!, `status ${rec.reference} phone 97777777`, '203.0.113.99')).toContain(locked('en'));
  });

  it('one client address: failures on many references and phones lock that address only', async () => {
    const attacker = '192.0.2.7';
    let last = '';
    for (let i = 0; i < 11; i++) {
      const c = await openConversation(run.base, attacker);
      last = await say(run.base, c.id!, `status BUR-2026-${'ACDEFGHJKMN'[i]}7K4-9M2X phone 9${String(2000000 + i)}`, attacker);
    }
    expect(last).toContain(locked('en'));
    const rec = await run.app.engine.deps.requests.create(
      sampleRequest({ filedAt: run.clock.now(), applicant: { name: 'y', civilId: '34567890', phone: '98888888' } }),
    );
    const mine = await openConversation(run.base, attacker);
    expect(await say(run.base, mine.id!, `status ${rec.reference} phone 98888888`, attacker)).toContain(locked('en'));
    const other = await openConversation(run.base, '192.0.2.8');
    expect(await say(run.base, other.id!, `status ${rec.reference} phone 98888888`, '192.0.2.8')).toContain(rec.reference);
  });

  it('stores the subjects of failed look-ups as keyed hashes, never in the clear', () => {
    const rows = run.app.sql.db.prepare('SELECT scope, subject FROM security_lookup_failures').all() as Array<{ scope: string; subject: string }>;
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.subject).toMatch(/^[0-9a-f]{64}$/);
    // Whole values only: a short run such as 9777 turns up inside a random hex digest now and then.
    expect(JSON.stringify(rows)).not.toMatch(/92345678|97777777|98888888|910000\d\d|920000\d\d|192\.0\.2|198\.51\.100|203\.0\.113|BUR-/);
  });
});

describe('web chat conversation creation is limited per client address', () => {
  let run: Running;
  beforeAll(async () => {
    run = await startTawasul({ env: { TAWASUL_AGENT_TOKENS: 'amal:test-agent-token-0123456789abcdef', TAWASUL_RATE_LIMIT_CONVERSATIONS: '5/600' } });
  });
  afterAll(async () => {
    await run.cleanup();
  });

  it('answers 429 with Retry-After past the limit, for that address only', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await openConversation(run.base, '198.51.100.200')).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    const refused = await openConversation(run.base, '198.51.100.200');
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await openConversation(run.base, '198.51.100.201')).status).toBe(201);
    // Direct loopback connections (local tools) are not limited unless TAWASUL_RATE_LIMIT_LOOPBACK=on.
    for (let i = 0; i < 7; i++) expect((await openConversation(run.base)).status).toBe(201);
  });
});
