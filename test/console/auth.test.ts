import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_TOKEN, type Running, startTawasul } from '../helpers/app.js';
import { addAccount, ConsoleClient, PASSWORD } from './helpers.js';

const ADMIN_TOKEN = 'admin-token-0123456789abcdefgh';

describe('console sign-in, sessions, CSRF and tokens', () => {
  let run: Running;
  beforeAll(async () => {
    run = await startTawasul({ env: { TAWASUL_AGENT_TOKENS: `amal:${AGENT_TOKEN}`, TAWASUL_ADMIN_TOKENS: `ops:${ADMIN_TOKEN}` } });
    await addAccount(run, 'amal', 'agent');
    await addAccount(run, 'root', 'admin');
    await addAccount(run, 'locky', 'agent');
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it('signs in with a session cookie that is HttpOnly, SameSite=Strict, and Secure behind HTTPS', async () => {
    const c = await new ConsoleClient(run.base).signIn('amal');
    expect(c.lastSetCookie).toMatch(/HttpOnly/i);
    expect(c.lastSetCookie).toMatch(/SameSite=Strict/i);
    expect(c.lastSetCookie).not.toMatch(/Secure/i);
    expect(c.csrf.length).toBeGreaterThan(20);
    const me = await c.get('/api/console/session');
    expect(me.status).toBe(200);
    expect(me.body.account).toMatchObject({ username: 'amal', role: 'agent' });

    const https = new ConsoleClient(run.base);
    const r = await https.raw('POST', '/api/console/session', { username: 'amal', password: PASSWORD }, { 'x-forwarded-proto': 'https' });
    expect(r.status).toBe(201);
    expect(https.lastSetCookie).toMatch(/;\s*Secure/i);
  });

  it('refuses a wrong password and an unknown user alike, and names a bad field', async () => {
    const c = new ConsoleClient(run.base);
    const wrong = await c.post('/api/console/session', { username: 'amal', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.reason).toBe('bad_credentials');
    const unknown = await c.post('/api/console/session', { username: 'nobody', password: 'whatever-123' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.reason).toBe('bad_credentials');
    const bad = await c.post('/api/console/session', { username: 'amal' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('password');
    const extra = await c.post('/api/console/session', { username: 'amal', password: 'x', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error.field).toBe('admin');
  });

  it('locks an account after five failures in a row, until the lockout has passed (clock)', async () => {
    const c = new ConsoleClient(run.base);
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await c.post('/api/console/session', { username: 'locky', password: `wrong-${i}-password` })).status);
    expect(answers).toEqual([401, 401, 401, 401, 429]);
    const locked = await c.post('/api/console/session', { username: 'locky', password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error.reason).toBe('locked');
    run.clock.advance(16 * 60_000);
    expect((await c.post('/api/console/session', { username: 'locky', password: PASSWORD })).status).toBe(201);
  });

  it('expires an idle session and says so', async () => {
    const c = await new ConsoleClient(run.base).signIn('amal');
    run.clock.advance(20 * 60_000);
    expect((await c.get('/api/console/session')).status).toBe(200); // activity refreshes the idle timer
    run.clock.advance(31 * 60_000);
    const r = await c.get('/api/console/conversations');
    expect(r.status).toBe(401);
    expect(r.body.error.reason).toBe('session_expired');
  });

  it('refuses a state-changing call without the CSRF token, or with a wrong one', async () => {
    const c = await new ConsoleClient(run.base).signIn('root');
    const body = { username: 'newbie', role: 'agent', password: PASSWORD };
    const none = await c.raw('POST', '/api/console/accounts', body, { 'x-csrf-token': '' });
    expect(none.status).toBe(403);
    expect(none.body.error).toMatchObject({ reason: 'csrf', field: 'X-CSRF-Token' });
    const wrong = await c.raw('POST', '/api/console/accounts', body, { 'x-csrf-token': 'x'.repeat(c.csrf.length) });
    expect(wrong.status).toBe(403);
    expect(await run.app.console.accounts.byUsername('newbie')).toBeUndefined();
    expect((await c.post('/api/console/accounts', body)).status).toBe(201);
  });

  it('signs out: the cookie no longer opens anything', async () => {
    const c = await new ConsoleClient(run.base).signIn('amal');
    const cookie = c.cookie;
    expect((await c.raw('DELETE', '/api/console/session')).status).toBe(200);
    const again = new ConsoleClient(run.base);
    again.cookie = cookie;
    expect((await again.get('/api/console/session')).status).toBe(401);
  });

  it('keeps bearer tokens for machine clients, each bound to a role', async () => {
    const agent = new ConsoleClient(run.base, AGENT_TOKEN);
    expect((await agent.get('/api/console/conversations')).status).toBe(200);
    expect((await agent.get('/api/console/accounts')).status).toBe(403);
    const admin = new ConsoleClient(run.base, ADMIN_TOKEN);
    expect((await admin.get('/api/console/accounts')).status).toBe(200);
    expect((await admin.get('/api/console/conversations')).status).toBe(403);
    expect((await new ConsoleClient(run.base, 'nope-nope-nope-nope').get('/api/console/conversations')).status).toBe(401);
    expect((await new ConsoleClient(run.base).get('/api/console/conversations')).status).toBe(401);
  });

  it('a disabled account cannot sign in and its sessions end', async () => {
    await addAccount(run, 'gone', 'agent');
    const victim = await new ConsoleClient(run.base).signIn('gone');
    const admin = await new ConsoleClient(run.base).signIn('root');
    expect((await admin.post('/api/console/accounts/gone/disable')).status).toBe(200);
    expect((await victim.get('/api/console/session')).status).toBe(401);
    expect((await new ConsoleClient(run.base).post('/api/console/session', { username: 'gone', password: PASSWORD })).status).toBe(401);
  });

  it('serves its OpenAPI document', async () => {
    const r = await fetch(`${run.base}/api/console/openapi.yaml`);
    expect(r.status).toBe(200);
    const { parse } = await import('yaml');
    const doc = parse(await r.text()) as { paths: Record<string, unknown> };
    for (const p of [
      '/session',
      '/events',
      '/conversations',
      '/requests/{reference}/actions',
      '/sla/report',
      '/calendar/holidays',
      '/accounts',
      '/audit',
      '/api/agent/requests/{reference}/actions',
      '/api/agent/conversations/{key}/take',
      '/api/admin/holidays',
      '/api/admin/reports/sla',
    ])
      expect(doc.paths).toHaveProperty([p]);
  });
});
