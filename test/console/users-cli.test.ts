import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTawasul } from '../helpers/app.js';
import { runTawasul } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { ConsoleClient } from './helpers.js';

/** Runs `tawasul users ARGS --data DIR` from source with `input` piped on stdin. */
const users = (dir: string, args: string[], input = '') => runTawasul(['users', ...args, '--data', dir], input);

describe('tawasul users', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('creates the first admin on a fresh install, who can then sign in to the console', async () => {
    const add = await users(t.dir, ['add', 'root', '--role', 'admin', '--name', 'مدير النظام'], 'first admin password\n');
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toContain('added root (admin)');
    expect(add.out).not.toContain('first admin password');
    expect(statSync(join(t.dir, 'tawasul.sqlite')).mode & 0o777).toBe(0o600);
    const dept = await users(t.dir, ['add', 'hamad', '--role', 'department', '--departments', 'municipal-equipment,municipal-health'], 'hamad password 1\n');
    expect(dept.code).toBe(0);
    const list = await users(t.dir, ['list']);
    expect(list.out).toMatch(/^hamad\tdepartment\tmunicipal-equipment,municipal-health\tactive/m);
    expect(list.out).toMatch(/^root\tadmin\t-\tactive\tمدير النظام$/m);

    const run = await startTawasul({ dataDir: t.dir });
    try {
      const c = await new ConsoleClient(run.base).signIn('root', 'first admin password');
      expect((await c.get('/api/console/accounts')).body.accounts).toHaveLength(2);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('disables, re-enables and resets a password; refuses bad input with a reason', async () => {
    expect((await users(t.dir, ['disable', 'hamad'])).code).toBe(0);
    expect((await users(t.dir, ['list'])).out).toMatch(/^hamad\t.*\tdisabled/m);
    expect((await users(t.dir, ['enable', 'hamad'])).code).toBe(0);
    const reset = await users(t.dir, ['reset-password', 'hamad'], 'a brand new password\n');
    expect(reset.code).toBe(0);
    const role = await users(t.dir, ['add', 'xx', '--role', 'boss'], 'whatever password\n');
    expect(role.code).toBe(2);
    expect(role.err).toContain('--role must be one of agent, department, supervisor, admin');
    const dep = await users(t.dir, ['add', 'yy', '--role', 'department', '--departments', 'moon'], 'whatever password\n');
    expect(dep.code).toBe(2);
    expect(dep.err).toContain('unknown department "moon"');
    const weak = await users(t.dir, ['add', 'zz', '--role', 'agent'], 'short\n');
    expect(weak.err).toContain('password: at least 10 characters');
    expect((await users(t.dir, ['disable', 'nobody'])).code).toBe(1);
    expect((await users(t.dir, ['frobnicate'])).code).toBe(2);
  }, 90_000);
});
