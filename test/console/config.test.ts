import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, startTawasul } from '../helpers/app.js';
import { addAccount, ConsoleClient } from './helpers.js';

describe('configuration overlay: escalation contacts of the roles', () => {
  let run: Running;
  let admin: ConsoleClient;
  beforeAll(async () => {
    run = await startTawasul();
    writeFileSync(join(run.dataDir, 'config.local.yaml'), '# kept by the console\nroles:\n  - { id: training-manager, email: old@example.om }\n', {
      mode: 0o600,
    });
    await addAccount(run, 'root', 'admin');
    await addAccount(run, 'sara', 'supervisor');
    admin = await new ConsoleClient(run.base).signIn('root');
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it('an admin sets a role contact: written to the overlay (comments kept, 0600) and applied without a restart', async () => {
    const r = await admin.raw('PUT', '/api/console/config/roles/training-manager', { email: 'training.manager@example.om', phone: '+96891234567' });
    expect(r.status).toBe(200);
    const file = join(run.dataDir, 'config.local.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# kept by the console');
    expect(text).toContain('training.manager@example.om');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run.app.console.sla.ctx.roles.get('training-manager')).toMatchObject({ email: 'training.manager@example.om', phone: '+96891234567' });
    const roles = (await admin.get('/api/console/config/roles')).body.roles as Array<{ id: string; email: string | null }>;
    expect(roles.find((x) => x.id === 'training-manager')!.email).toBe('training.manager@example.om');
    expect((await admin.raw('PUT', '/api/console/config/roles/training-manager', { phone: '' })).status).toBe(200);
    expect(run.app.console.sla.ctx.roles.get('training-manager')!.phone).toBeUndefined();
  });

  it('refuses bad input, unknown roles and other roles', async () => {
    const phone = await admin.raw('PUT', '/api/console/config/roles/training-manager', { phone: 'call me' });
    expect(phone.status).toBe(400);
    expect(phone.body.error.field).toBe('phone');
    expect((await admin.raw('PUT', '/api/console/config/roles/training-manager', { email: 'x@' })).body.error.field).toBe('email');
    expect((await admin.raw('PUT', '/api/console/config/roles/chief-of-moon', { email: 'a@b.om' })).status).toBe(404);
    const sara = await new ConsoleClient(run.base).signIn('sara');
    expect((await sara.raw('PUT', '/api/console/config/roles/training-manager', { email: 'a@b.om' })).status).toBe(403);
    expect((await sara.get('/api/console/config/roles')).status).toBe(403);
  });
});
