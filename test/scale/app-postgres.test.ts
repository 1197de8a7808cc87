/**
 * TAWASUL_DATABASE_URL selects PostgreSQL for the application's stores: a resident's request filed
 * through the web chat lands in PostgreSQL (request, transcript, inbound ledger), nothing in the
 * instance's local SQLite file; a second instance on another data directory and the same database
 * answers the resident's status look-up; personal fields are sealed at rest; /readyz checks PostgreSQL and Redis.
 */

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Templates } from '../../bot/core/templates.js';
import { ChatClient, type Running, startTawasul } from '../helpers/app.js';
import { Conditions } from '../helpers/conditions.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { skipRedis, useRedis } from '../helpers/redis.js';

const t = new Templates();
const ADMIN_TOKEN = 'admin-token-0123456789abcdef0123';
const REF = /BUR-2026-[0-9A-Z]{4}-[0-9A-Z]{4}/;

/** The instance opened no database file and wrote nothing into the in-memory embedded stores. */
function expectNothingLocal(r: Running): void {
  expect(existsSync(join(r.dataDir, 'tawasul.sqlite'))).toBe(false);
  const tables = r.app.sql.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'")
    .pluck()
    .all() as string[];
  expect(tables.length).toBeGreaterThan(10);
  expect(tables.filter((table) => (r.app.sql.db.prepare(`SELECT COUNT(*) FROM "${table}"`).pluck().get() as number) > 0)).toEqual([]);
}

describe.skipIf(skipPostgres || skipRedis)('the application on PostgreSQL and Redis', () => {
  const postgres = usePostgres();
  const redis = useRedis();
  const running: Running[] = [];
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    for (const r of running) await r.cleanup();
    for (const p of pools) await p.end();
  });

  it('refuses to start on PostgreSQL without shared agent tokens, naming the variable', async () => {
    await expect(startTawasul({ env: { TAWASUL_DATABASE_URL: await postgres.database() } })).rejects.toThrow(/TAWASUL_AGENT_TOKENS/);
  });

  it('keeps every turn and request in PostgreSQL and serves them from any instance', async () => {
    const url = await postgres.database();
    const env = {
      TAWASUL_AGENT_TOKENS: 'amal:test-agent-token-0123456789abcdef',
      TAWASUL_ADMIN_TOKENS: `admin:${ADMIN_TOKEN}`,
      TAWASUL_DATABASE_URL: url,
      TAWASUL_REDIS_URL: redis.server().url,
      TAWASUL_DATA_KEY: randomBytes(32).toString('base64'),
    };
    const one = await startTawasul({ env });
    running.push(one);
    expect(one.app.scale.mode).toBe('redis');

    const ready = await fetch(`${one.base}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });

    const chat = await ChatClient.open(one.base);
    expect(await chat.say('ابي اطلب ردم حفره قدام البيت')).toContain(t.render('ar', 'ask_name'));
    await chat.say('سالم بن علي الكعبي');
    await chat.say('12345678');
    await chat.say('92345678');
    let reply = await chat.say('تخطي');
    for (let i = 0; i < 6 && !reply.includes(t.render('ar', 'confirm').split('\n').at(-1)!); i++) {
      reply = await chat.say(reply.includes(t.render('ar', 'ask_description')) ? 'حفرة عميقة في الشارع الرئيسي تسبب حوادث' : 'تخطي');
    }
    const reference = REF.exec(await chat.say('تأكيد'))?.[0];
    expect(reference).toBeDefined();

    const pool = new pg.Pool({ connectionString: url, max: 1 });
    pools.push(pool);
    const count = async (q: string, ...args: unknown[]): Promise<number> => Number((await pool.query(q, args)).rows[0].n);
    expect(await count('SELECT COUNT(*) AS n FROM requests WHERE reference = $1', reference)).toBe(1);
    // Personal fields are sealed at rest (TAWASUL_DATA_KEY), in PostgreSQL as in SQLite.
    expect(one.app.encrypted).toBe(true);
    const raw = JSON.stringify((await pool.query('SELECT * FROM requests WHERE reference = $1', [reference])).rows[0]);
    expect(raw).not.toContain('92345678');
    expect(raw).not.toContain('سالم');
    expect((await one.app.engine.deps.requests.get(reference!))?.applicant.phone).toBe('92345678');
    expect(await count("SELECT COUNT(*) AS n FROM transcript WHERE key = $1 AND direction = 'in'", chat.key)).toBeGreaterThanOrEqual(6);
    expect(await count("SELECT COUNT(*) AS n FROM inbox WHERE channel = 'webchat' AND state = 'done'")).toBeGreaterThanOrEqual(6);

    const two = await startTawasul({ env, clock: one.clock });
    running.push(two);
    const other = await ChatClient.open(two.base);
    expect(await other.say(`وين وصل طلبي ${reference} 92345678`)).toContain(t.render('ar', 'status_filed'));
    // The resident's own conversation continues on the second instance (secret and transcript shared).
    const same = new ChatClient(two.base, chat.conversationId, chat.secret);
    expect(await same.say(`${reference} 92345678`)).toContain(t.render('ar', 'status_filed'));
    expect((await same.transcript()).filter((l) => l.direction === 'in').length).toBe((await chat.transcript()).filter((l) => l.direction === 'in').length);
    // A holiday an admin adds through one instance reaches the other's working calendar (Redis nudge).
    const calendar = two.app.console.sla.ctx.calendar;
    const replaced = new Conditions();
    const replace = calendar.replace.bind(calendar);
    calendar.replace = (c) => {
      replace(c);
      replaced.notify();
    };
    const name = { ar: 'عطلة رسمية', en: 'Public holiday' };
    await one.app.console.sla.holidays.setHoliday({ id: 'extra-day', from: '2026-11-30', name }, 'admin:test', one.clock.now());
    await replaced.until(() => calendar.holidays().some((h) => h.id === 'extra-day'), 'the holiday on the second instance');
    expect(calendar.isWorkingDay('2026-11-30')).toBe(false);

    // A role's escalation contact an admin sets through one instance is used by the other.
    const ctx = two.app.console.sla.ctx;
    const configured = new Conditions();
    const setConfig = ctx.setConfig.bind(ctx);
    ctx.setConfig = (c) => {
      setConfig(c);
      configured.notify();
    };
    const put = await fetch(`${one.base}/api/console/config/roles/training-manager`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'training.manager@example.om' }),
    });
    expect(put.status).toBe(200);
    await configured.until(() => ctx.roles.get('training-manager')?.email === 'training.manager@example.om', 'the contact on the second instance');
    expect(readFileSync(join(two.dataDir, 'config.local.yaml'), 'utf8')).toContain('training.manager@example.om');
    // A third instance started later reads it at start.
    const three = await startTawasul({ env, clock: one.clock });
    running.push(three);
    expect(three.app.console.sla.ctx.roles.get('training-manager')?.email).toBe('training.manager@example.om');

    // No database file in either data directory, and the embedded stores the modules built stay empty.
    for (const r of [one, two]) expectNothingLocal(r);
  });
});
