/**
 * The console on PostgreSQL (real PostgreSQL on loopback): two instances, each its own engine, SLA
 * engine and console built with `postgres`, share one database. A staff member signs in on either,
 * sees the same chats, notes and requests on both, and an event written by one instance reaches a
 * stream served by the other (no bus here: the other instance finds it at its next look at the log).
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { type Console, createConsole } from '../../bot/console/index.js';
import { silentLogger } from '../../bot/core/logger.js';
import { Templates } from '../../bot/core/templates.js';
import { deliveryEmitter } from '../../bot/delivery/events.js';
import { Engine } from '../../bot/engine/engine.js';
import { attachSla, type Sla } from '../../bot/sla/attach.js';
import { openPostgresStores, type PostgresStores } from '../../bot/store/postgres/stores.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';
import { memoryTransports } from '../sla/harness.js';
import { ConsoleClient, PASSWORD, POTHOLE_FIELDS, SseReader } from './helpers.js';

interface Instance {
  base: string;
  console: Console;
  stores: PostgresStores;
  close(): Promise<void>;
}

describe.skipIf(skipPostgres)('the console on PostgreSQL, two instances on one database', () => {
  const pgServer = usePostgres();
  const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
  const open: Instance[] = [];
  afterEach(async () => {
    for (const i of open.splice(0)) await i.close();
  });

  async function instance(url: string): Promise<Instance> {
    const t = tempDir('tawasul-pgconsole-');
    const stores = await openPostgresStores(url);
    // The instance's own SQLite still holds what has not moved yet (the notification outbox).
    const sql: SqliteDatabase = migratedSqlite(join(t.dir, 'tawasul.sqlite'));
    const config = loadConfig({});
    const engine = new Engine({
      deps: {
        config,
        templates: new Templates(),
        calendar: new WorkingCalendar(config.calendar),
        classifier: { classify: async () => ({ language: 'ar', intent: 'unknown', service: null, confidence: 1 }) },
        requests: stores.requests,
        conversations: stores.turn.conversations,
        clock,
        logger: silentLogger,
      },
      state: stores.turn.state,
      inbox: stores.turn.inbox,
      transactions: stores.transactions,
    });
    const sla: Sla = attachSla({
      ...engine.deps,
      sql,
      store: stores.sla,
      events: engine.events,
      delivery: deliveryEmitter(),
      env: {},
      agentTokens: new Map(),
      transports: memoryTransports(),
    });
    await sla.ready();
    const staff = createConsole({ config, engine, sql, sla, clock, logger: silentLogger, env: {}, agentTokens: new Map(), postgres: stores.pool, pollMs: 25 });
    staff.start();
    const app = express().use(staff.router);
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = (server.address() as { port: number }).port;
    const i: Instance = {
      base: `http://127.0.0.1:${port}`,
      console: staff,
      stores,
      async close() {
        staff.stop();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
        await sla.stop();
        await stores.close();
        sql.close();
        t.cleanup();
      },
    };
    open.push(i);
    return i;
  }

  it('serves the same accounts, chats, notes and requests from either instance, and one instance sees the other’s live events', async () => {
    const url = await pgServer.database();
    const [a, b] = [await instance(url), await instance(url)];
    for (const [username, role, departments] of [
      ['amal', 'agent', []],
      ['sara', 'supervisor', []],
      ['hamad', 'department', ['municipal-equipment']],
    ] as const)
      await a.console.accounts.add({ username, role, departments: [...departments], password: PASSWORD, displayName: username });

    // An account made on A signs in on B; its session is good on A too (one session table).
    const agentB = await new ConsoleClient(b.base).signIn('amal');
    const agentA = Object.assign(new ConsoleClient(a.base), { cookie: agentB.cookie, csrf: agentB.csrf });
    const supervisorB = await new ConsoleClient(b.base).signIn('sara');
    const stream = await SseReader.open(b.base, supervisorB);

    // A chat waiting in the shared queue is listed by both, with the same id.
    const conversations = a.stores.turn.conversations;
    await conversations.touch('whatsapp:96891234567', 'whatsapp', '96891234567', 'ar', clock.now());
    await conversations.enqueue('whatsapp:96891234567', clock.now());
    const [onA, onB] = [(await agentA.get('/api/console/conversations')).body, (await agentB.get('/api/console/conversations')).body];
    expect(onA.conversations).toHaveLength(1);
    expect(onB.conversations).toEqual(onA.conversations);
    const chat = onB.conversations[0];
    expect(chat.label).not.toContain('91234567');

    // A note written through A is read through B.
    expect((await agentA.post(`/api/console/conversations/${chat.id}/notes`, { text: 'يتصل بعد الظهر' })).status).toBe(201);
    const detail = (await agentB.get(`/api/console/conversations/${chat.id}`)).body;
    expect(detail.notes.map((n: { text: string }) => n.text)).toEqual(['يتصل بعد الظهر']);

    // A request filed through A for that chat: B lists it (masked), and B's stream carries A's event.
    const filed = await agentA.post('/api/console/requests', { serviceId: 'potholes', conversationId: chat.id, fields: POTHOLE_FIELDS });
    expect(filed.status).toBe(201);
    const reference = filed.body.request.reference as string;
    const event = await stream.next((e) => e.event === 'request' && e.data.reference === reference);
    expect(event.data.reason).toBe('filed');
    const head = await new ConsoleClient(b.base).signIn('hamad');
    const list = (await head.get('/api/console/requests')).body;
    expect(list.total).toBe(1);
    expect(list.requests[0]).toMatchObject({ reference, department: 'municipal-equipment', escalationLevel: 0 });
    expect(list.requests[0].applicant.phone).not.toContain('1234567');
    expect((await head.get('/api/console/requests?department=training')).body.total).toBe(0);
    const related = (await agentB.get(`/api/console/conversations/${chat.id}`)).body.related.requests;
    expect(related.map((r: { reference: string }) => r.reference)).toEqual([reference]);
    expect((await supervisorB.get('/api/console/sla/live')).body).toMatchObject({ waiting: 1, openRequests: 1, overdueRequests: 0 });

    // A stream reconnecting to A with B's last event id gets nothing twice, and A's next event.
    const again = await SseReader.open(a.base, supervisorB, event.id);
    expect(again.events.filter((e) => e.event === 'request')).toEqual([]);
    expect((await head.post(`/api/console/requests/${reference}/actions`, { action: 'accept' })).status).toBe(201);
    const accepted = await stream.next((e) => e.event === 'request' && e.data.reason === 'accept');
    expect(Number(accepted.id)).toBeGreaterThan(Number(event.id));
    await again.next((e) => e.event === 'request' && e.data.reason === 'accept');
    stream.close();
    again.close();
  });
});
