import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../bot/console/auth.js';
import { type LiveHub, visible } from '../../bot/console/live.js';
import { type Running, startTawasul } from '../helpers/app.js';
import { addAccount, ConsoleClient } from './helpers.js';

type Roles = [agent: number, department: number, supervisor: number, admin: number];
const Q = 'from=2026-11-01&to=2026-11-30';
// Each route and what each role gets: 403 where the role may not; 400/404 where it may, with a bad body or an unknown id.
const MATRIX: Array<[method: 'GET' | 'POST', path: string, expected: Roles]> = [
  ['GET', '/conversations', [200, 403, 200, 403]],
  ['GET', '/canned-replies', [200, 403, 200, 403]],
  ['POST', '/conversations/999999/take', [404, 403, 404, 403]],
  ['GET', '/requests', [200, 200, 200, 403]],
  ['POST', '/requests', [400, 403, 400, 403]],
  ['GET', '/requests/BUR-2026-99999', [404, 404, 404, 403]],
  ['POST', '/requests/BUR-2026-99999/actions', [403, 404, 404, 403]],
  ['GET', '/services', [200, 200, 200, 200]],
  ['GET', '/notifications', [403, 200, 200, 200]],
  ['GET', `/sla/report?${Q}`, [403, 403, 200, 200]],
  ['GET', '/sla/live', [403, 403, 200, 200]],
  ['GET', '/calendar/holidays', [403, 403, 200, 200]],
  ['POST', '/calendar/holidays', [403, 403, 403, 400]],
  ['GET', '/accounts', [403, 403, 403, 200]],
  ['POST', '/accounts', [403, 403, 403, 400]],
  ['GET', '/audit', [403, 403, 403, 200]],
];

describe('console role boundaries', () => {
  let run: Running;
  const clients: ConsoleClient[] = [];
  beforeAll(async () => {
    run = await startTawasul();
    const users = [
      ['amal', 'agent', []],
      ['hamad', 'department', ['municipal-equipment']],
      ['sara', 'supervisor', []],
      ['root', 'admin', []],
    ] as const;
    for (const [u, role, deps] of users) await addAccount(run, u, role, [...deps]);
    for (const [u] of users) clients.push(await new ConsoleClient(run.base).signIn(u));
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it.each(MATRIX)('%s %s → agent, department, supervisor, admin', async (method, path, expected) => {
    const got: number[] = [];
    for (const c of clients) got.push((await c.raw(method, `/api/console${path}`, method === 'POST' ? {} : undefined)).status);
    expect(got).toEqual(expected);
  });

  it('live events reach only the roles that may see them', () => {
    const p = (role: Principal['role'], departments: string[] = []): Principal => ({
      actor: role,
      username: role,
      displayName: role,
      role,
      departments,
      via: 'session',
    });
    const chat = { audience: 'chats', type: 'conversation' } as const;
    const mine = { audience: 'requests', type: 'request', department: 'training' } as const;
    const escalation = { audience: 'requests', type: 'notification', department: 'training' } as const;
    expect([visible(p('agent'), chat), visible(p('agent'), mine), visible(p('agent'), escalation)]).toEqual([true, false, false]);
    expect([visible(p('department', ['training']), chat), visible(p('department', ['training']), mine), visible(p('department', ['health']), mine)]).toEqual([
      false,
      true,
      false,
    ]);
    expect([visible(p('supervisor'), chat), visible(p('supervisor'), mine)]).toEqual([true, true]);
    expect([visible(p('admin'), chat), visible(p('admin'), mine), visible(p('admin'), escalation)]).toEqual([false, false, true]);
    expect((run.app.console.hub as LiveHub).streams).toBe(0);
  });
});
