/**
 * `tawasul import-sqlite`: a SQLite data directory written by the SQLite stores (personal fields
 * encrypted) is copied into a fresh PostgreSQL schema, its sealed values as they are, and read back
 * through the PostgreSQL stores with the same key; a second import into the same database is refused.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteAccountStore } from '../../bot/console/accounts.js';
import { Outbox } from '../../bot/delivery/outbox.js';
import { SqlStateStore } from '../../bot/engine/state.js';
import { FieldCipher } from '../../bot/security/field-cipher.js';
import { SqliteConversationStore } from '../../bot/store/conversation-store.js';
import { PostgresAccountStore } from '../../bot/store/postgres/account-store.js';
import { PostgresConsoleStore } from '../../bot/store/postgres/console-store.js';
import { openPostgresStores } from '../../bot/store/postgres/stores.js';
import { migrateCore } from '../../bot/store/schema.js';
import { SqliteConsoleStore } from '../../bot/store/sqlite/console-store.js';
import { SqliteSlaStore } from '../../bot/store/sqlite/sla-store.js';
import { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { SqliteRequestStore } from '../../bot/store/sqlite-request-store.js';
import { runTawasul } from '../helpers/cli.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { sampleRequest } from '../store/request-store-contract.js';

const t0 = new Date('2026-11-22T06:00:00Z');
const at = (min: number): Date => new Date(t0.getTime() + min * 60_000);
const clock = { now: () => t0 };
const KEY = randomBytes(32).toString('hex');
const CONV = 'webchat:abc';
const PERSONAL = 'applicant_name, civil_id, phone, email';

let t: ReturnType<typeof tempDir> | undefined;
afterEach(() => t?.cleanup());

/** A data directory written by the SQLite stores; returns what was written. */
async function pilotDataDir(dir: string) {
  const sql = new SqliteDatabase(join(dir, 'tawasul.sqlite'));
  await migrateCore(sql);
  const cipher = FieldCipher.fromEnv({ TAWASUL_DATA_KEY: KEY })!;
  const requests = new SqliteRequestStore(sql, undefined, undefined, { cipher });
  await requests.create(sampleRequest({ filedAt: at(-10), conversationKey: 'webchat:old' }));
  const filed = await requests.create(sampleRequest({ sourceKey: 'webchat\u0000m-1' }));
  const request = await requests.act(filed.reference, { actor: 'agent:sara', at: at(30), status: 'in_progress', note: 'الفريق في الطريق', assignee: 'sara' });
  const sla = new SqliteSlaStore(sql);
  const timer = {
    requestId: request.id,
    kind: 'escalation' as const,
    level: 1,
    reference: request.reference,
    role: 'supervisor',
    baseAt: +t0,
    dueAt: +at(600),
    fireAt: +at(300),
  };
  await sla.timers.upsert(timer);
  const conv = new SqliteConversationStore(sql);
  conv.touch(CONV, 'webchat', 'abc', 'ar', at(0));
  conv.append({ key: CONV, direction: 'in', author: 'resident', text: 'في حفرة أمام البيت', at: at(0) });
  conv.append({ key: CONV, direction: 'out', author: 'bot', text: 'تم تسجيل بلاغك', kind: 'filed', at: at(1) });
  conv.enqueue(CONV, at(2));
  new SqlStateStore(sql).save(CONV, { language: 'ar', lastIntent: 'file_request' } as never, at(60 * 24));
  const [item] = new Outbox(sql).enqueue(
    [{ channel: 'webchat', conversationId: 'abc', reply: { text: 'تم تسجيل بلاغك', language: 'ar', kind: 'filed' }, meta: { to: 'abc' } }],
    at(1),
  );
  // A notification: a row of the same outbox table (channel notify-sms), its dedupe key the source_key.
  await sla.notices.enqueue(
    {
      dedupeKey: 'accepted:2:sms',
      channel: 'sms',
      recipient: { kind: 'applicant', id: String(request.id) },
      language: 'ar',
      purpose: 'accepted',
      requestId: request.id,
      reference: request.reference,
      body: 'تم استلام بلاغك',
      window: 'any',
    },
    +at(1),
    +at(1),
  );
  await new SqliteAccountStore(sql, clock).add({ username: 'sara', displayName: 'Sara', role: 'supervisor', password: 'correct horse battery 9' });
  const consoleStore = new SqliteConsoleStore(sql);
  await consoleStore.addNote(CONV, 'sara', 'يتصل بعد الظهر', at(3));
  const consoleId = await consoleStore.idOf(CONV);
  const transcript = conv.transcript(CONV);
  sql.close();
  await sql.closed();
  return { request, timer, outboxId: item!.id, transcript, consoleId };
}

// Each test spawns the CLI through tsx, slow on a loaded machine.
describe.skipIf(skipPostgres)('tawasul import-sqlite', { timeout: 120_000 }, () => {
  const pg = usePostgres();

  it('copies a pilot data directory into an empty PostgreSQL database, then refuses a second import', async () => {
    t = tempDir('tawasul-import-');
    const written = await pilotDataDir(t.dir);
    const url = await pg.database();
    const env = { TAWASUL_DATABASE_URL: url, TAWASUL_DATA_KEY: KEY };

    const first = await runTawasul(['import-sqlite', '--data', t.dir], '', env);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    for (const line of [
      'copied requests: 2 row(s)',
      'copied request_events: 4 row(s)',
      'copied sla_timers: 1 row(s)',
      'copied conversations: 1 row(s)',
      'copied transcript: 2 row(s)',
      'copied conversation_state: 1 row(s)',
      'copied outbox: 2 row(s)',
      'copied console_accounts: 1 row(s)',
      'copied notify_system: 0 row(s)',
      'copied console_conversations: 1 row(s)',
      'copied console_notes: 1 row(s)',
    ]) {
      expect(first.out).toContain(`${line}\n`);
    }
    expect(first.out).toContain('personal fields: 8 encrypted value(s) copied as they are, 0 encrypted now, 0 in clear\n');

    // The sealed values are the SQLite ones, byte for byte: nothing was opened on the way.
    const sqlite = new SqliteDatabase(join(t.dir, 'tawasul.sqlite'));
    const sealedOnSqlite = sqlite.db.prepare(`SELECT reference, ${PERSONAL} FROM requests ORDER BY id`).all();
    sqlite.close();
    await sqlite.closed();
    const stores = await openPostgresStores(url, { cipher: FieldCipher.fromEnv({ TAWASUL_DATA_KEY: KEY })! });
    try {
      expect((await stores.pool.query(`SELECT reference, ${PERSONAL} FROM requests ORDER BY id`)).rows).toEqual(sealedOnSqlite);
      expect(stores.requests.encrypted).toBe(true);
      const got = await stores.requests.get(written.request.reference);
      expect(got).toEqual({ ...written.request, sourceKey: undefined });
      expect(got?.applicant.civilId).toBe('12345678');
      // The console's chat ids and notes carry over: links to a chat stay good.
      const consoleStore = new PostgresConsoleStore(stores.pool);
      expect(await consoleStore.keyOf(written.consoleId)).toBe(CONV);
      expect((await consoleStore.notes(CONV)).map((n) => [n.author, n.text, n.at])).toEqual([['sara', 'يتصل بعد الظهر', at(3)]]);
      expect(got?.history.map((e) => [e.type, e.status ?? e.note])).toEqual(written.request.history.map((e) => [e.type, e.status ?? e.note]));
      expect(await stores.sla.timers.rows(written.request.id)).toEqual([{ ...written.timer, firedAt: null }]);
      expect(await stores.turn.conversations.get(CONV)).toMatchObject({ owner: 'queue', language: 'ar', queuedAt: at(2) });
      expect((await stores.turn.conversations.transcript(CONV)).map((e) => [e.seq, e.direction, e.text, e.at])).toEqual(
        written.transcript.map((e) => [e.seq, e.direction, e.text, e.at]),
      );
      expect(await stores.turn.state.load(CONV, at(5))).toMatchObject({ language: 'ar' });
      expect(await stores.turn.outbox.get(written.outboxId)).toMatchObject({ state: 'pending', meta: { to: 'abc' }, reply: { text: 'تم تسجيل بلاغك' } });
      const [notice] = await stores.sla.notices.list({ reference: written.request.reference });
      expect(notice).toMatchObject({ channel: 'sms', purpose: 'accepted', body: 'تم استلام بلاغك', status: 'pending', nextAttemptAt: +at(1) });
      const again = {
        dedupeKey: 'accepted:2:sms',
        channel: 'sms',
        recipient: { kind: 'applicant', id: '1' },
        language: 'ar',
        purpose: 'accepted',
        body: '-',
        window: 'any',
      } as const;
      expect(await stores.sla.notices.enqueue(again, +at(2), +at(2))).toBe(false);
      const signIn = await new PostgresAccountStore(stores.pool, clock).signIn('sara', 'correct horse battery 9');
      expect(signIn).toMatchObject({ ok: true, account: { username: 'sara', role: 'supervisor' } });

      // Ids carry on past the copied ones (identity sequences set).
      const next = await stores.requests.create(sampleRequest({ conversationKey: 'webchat:new' }));
      expect(next.id).toBeGreaterThan(written.request.id);
      expect(next.history[0]?.status).toBe('filed');
      const seq = await stores.turn.conversations.append({ key: CONV, direction: 'out', author: 'agent:sara', text: 'مرحبا', at: at(40) });
      expect(seq).toBe(3);
    } finally {
      await stores.close();
    }

    const again = await runTawasul(['import-sqlite', '--data', t.dir], '', env);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(
      /tawasul import-sqlite: the PostgreSQL database holds 3 request\(s\) and 1 conversation\(s\) already: import into an empty database; nothing was copied/,
    );
  });

  it('copies encrypted fields without the key (it reads none of them); the PostgreSQL stores then want the key', async () => {
    t = tempDir('tawasul-import-');
    const written = await pilotDataDir(t.dir);
    const url = await pg.database();
    const r = await runTawasul(['import-sqlite', '--data', t.dir], '', { TAWASUL_DATABASE_URL: url, TAWASUL_DATA_KEY: '' });
    expect(r.err).toBe('');
    expect(r.out).toContain('personal fields: 8 encrypted value(s) copied as they are, 0 encrypted now, 0 in clear\n');
    await expect(openPostgresStores(url)).rejects.toThrow(/TAWASUL_DATA_KEY: the request store holds encrypted personal data/);
    const stores = await openPostgresStores(url, { cipher: FieldCipher.fromEnv({ TAWASUL_DATA_KEY: KEY })! });
    try {
      expect((await stores.requests.get(written.request.reference))?.applicant.phone).toBe('92345678');
    } finally {
      await stores.close();
    }
  });

  it('refuses a key that did not write the directory and copies nothing', async () => {
    t = tempDir('tawasul-import-');
    await pilotDataDir(t.dir);
    const url = await pg.database();
    const other = randomBytes(32).toString('hex');
    const r = await runTawasul(['import-sqlite', '--data', t.dir], '', { TAWASUL_DATABASE_URL: url, TAWASUL_DATA_KEY: other });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/requests\.applicant_name is sealed with a key that is neither TAWASUL_DATA_KEY nor TAWASUL_DATA_KEY_OLD.*; nothing was copied/);
    const stores = await openPostgresStores(url);
    try {
      expect(await stores.requests.count()).toBe(0);
      expect((await stores.pool.query('SELECT COUNT(*)::int AS n FROM console_accounts')).rows[0].n).toBe(0);
    } finally {
      await stores.close();
    }
  });

  it('seals on the way the personal fields a directory holds in clear (rows from before the key), with the key given', async () => {
    t = tempDir('tawasul-import-');
    const sql = new SqliteDatabase(join(t.dir, 'tawasul.sqlite'));
    await migrateCore(sql);
    const plain = await new SqliteRequestStore(sql).create(sampleRequest());
    sql.close();
    await sql.closed();
    const url = await pg.database();
    const r = await runTawasul(['import-sqlite', '--data', t.dir], '', { TAWASUL_DATABASE_URL: url, TAWASUL_DATA_KEY: KEY });
    expect(r.out).toContain('personal fields: 0 encrypted value(s) copied as they are, 4 encrypted now, 0 in clear\n');
    const stores = await openPostgresStores(url, { cipher: FieldCipher.fromEnv({ TAWASUL_DATA_KEY: KEY })! });
    try {
      const raw = (await stores.pool.query(`SELECT ${PERSONAL} FROM requests`)).rows[0] as Record<string, string>;
      for (const v of Object.values(raw)) expect(v).toMatch(/^enc1:/);
      expect((await stores.requests.get(plain.reference))?.applicant).toEqual(plain.applicant);
    } finally {
      await stores.close();
    }
  });

  it('undoes the whole copy when one row conflicts (an account of the same name made on PostgreSQL first)', async () => {
    t = tempDir('tawasul-import-');
    await pilotDataDir(t.dir);
    const url = await pg.database();
    const before = await openPostgresStores(url);
    await new PostgresAccountStore(before.pool, clock).add({ username: 'sara', role: 'admin', password: 'another long password 7' });
    await before.close();
    const r = await runTawasul(['import-sqlite', '--data', t.dir], '', { TAWASUL_DATABASE_URL: url, TAWASUL_DATA_KEY: KEY });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/tawasul import-sqlite: copying console_accounts: duplicate key .*; nothing was copied/);
    const stores = await openPostgresStores(url);
    try {
      expect(await stores.requests.count()).toBe(0);
      expect(await stores.turn.conversations.get(CONV)).toBeUndefined();
    } finally {
      await stores.close();
    }
  });
});
