import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, StoreError } from '../../bot/core/errors.js';
import { FieldCipher } from '../../bot/security/field-cipher.js';
import { randomReferenceCode } from '../../bot/security/reference.js';
import { createPool, databaseUrl } from '../../bot/store/postgres/database.js';
import { migratePostgres } from '../../bot/store/postgres/migrate.js';
import { PostgresRequestStore } from '../../bot/store/postgres/request-store.js';
import { openPostgresStores, type PostgresStores } from '../../bot/store/postgres/stores.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { requestStoreContract, sampleRequest } from './request-store-contract.js';

// The real generator, observable: a test makes it repeat itself to force a reference collision.
vi.mock('../../bot/security/reference.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../bot/security/reference.js')>();
  return { ...real, randomReferenceCode: vi.fn(real.randomReferenceCode) };
});
const draw = vi.mocked(randomReferenceCode);
const REFERENCE = /^BUR-(\d{4})-[2-9A-HJKMNPQRTW-Y]{4}-[2-9A-HJKMNPQRTW-Y]{4}$/;
const MIGRATIONS = [
  '0001-requests',
  '0002-random-references',
  '0003-sla',
  '0004-turn',
  '0005-console',
  '0006-lookup-limits',
  '0007-notify',
  '0008-console-store',
  '0009-config-overlay',
  '0010-one-outbox',
  '0011-job-fences',
  '0012-sla-first-responses-pending',
];

describe.skipIf(skipPostgres)('PostgreSQL request store (real PostgreSQL 15 on loopback)', () => {
  const pgServer = usePostgres();

  requestStoreContract('postgres', async () => {
    const url = await pgServer.database();
    let stores: PostgresStores = await openPostgresStores(url);
    return {
      store: stores.requests,
      async reopen() {
        await stores.close();
        stores = await openPostgresStores(url);
        return stores.requests;
      },
      close: () => stores.close(),
    };
  });

  // The same contract with personal fields sealed (TAWASUL_DATA_KEY): look-ups by phone open them.
  const cipher = new FieldCipher(randomBytes(32));
  requestStoreContract('postgres, sealed with a data key', async () => {
    const url = await pgServer.database();
    let stores: PostgresStores = await openPostgresStores(url, { cipher });
    return {
      store: stores.requests,
      async reopen() {
        await stores.close();
        stores = await openPostgresStores(url, { cipher });
        return stores.requests;
      },
      close: () => stores.close(),
    };
  });

  describe('personal data at rest', () => {
    const PERSONAL = 'applicant_name, civil_id, phone, email';
    const CLEAR = ['سالم بن علي الكعبي', 'الكعبي', '12345678', '92345678', 'salem@example.om'];

    it('stores name, civil ID, phone and e-mail sealed: the raw row and a text dump of the table hold none of them', async () => {
      const s = await openPostgresStores(await pgServer.database(), { cipher });
      expect(s.requests.encrypted).toBe(true);
      const r = await s.requests.create(sampleRequest());
      const raw = (await s.pool.query(`SELECT ${PERSONAL} FROM requests WHERE reference = $1`, [r.reference])).rows[0] as Record<string, string>;
      for (const v of Object.values(raw)) expect(v).toMatch(/^enc1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
      const dump = JSON.stringify((await s.pool.query('SELECT * FROM requests')).rows);
      expect(dump).toContain(r.reference);
      for (const clear of CLEAR) expect(dump).not.toContain(clear);
      expect((await s.requests.get(r.reference))?.applicant).toEqual(sampleRequest().applicant);
      expect((await s.requests.findForApplicant(r.reference, '+968 9234 5678'))?.id).toBe(r.id);
      await s.close();
    });

    it('keeps writing in clear without a key, and refuses to open sealed data without the key', async () => {
      const url = await pgServer.database();
      const plain = await openPostgresStores(url);
      expect(plain.requests.encrypted).toBe(false);
      const r = await plain.requests.create(sampleRequest());
      expect((await plain.pool.query('SELECT civil_id FROM requests')).rows[0].civil_id).toBe('12345678');
      await plain.close();
      const sealed = await openPostgresStores(url, { cipher });
      await sealed.requests.create(sampleRequest());
      expect((await sealed.requests.get(r.reference))?.applicant.civilId).toBe('12345678'); // plain rows read as they are
      await sealed.close();
      const refused = openPostgresStores(url);
      await expect(refused).rejects.toBeInstanceOf(ConfigError);
      await expect(refused).rejects.toThrow(/TAWASUL_DATA_KEY: the request store holds encrypted personal data; set the key it was written with/);
      const wrongKey = await openPostgresStores(url, { cipher: new FieldCipher(randomBytes(32)) });
      await expect(wrongKey.requests.list()).rejects.toThrow(/neither TAWASUL_DATA_KEY nor TAWASUL_DATA_KEY_OLD/);
      await wrongKey.close();
    });

    it("opens the applicant's phone and e-mail for the SLA's notifications, on the pool and inside its transactions", async () => {
      const s = await openPostgresStores(await pgServer.database(), { cipher });
      const r = await s.requests.create(sampleRequest());
      const noEmail = await s.requests.create(sampleRequest({ applicant: { name: 'x', civilId: '1', phone: '93333333' } }));
      expect(await s.sla.requests.contact(r.id)).toEqual({ phone: '92345678', email: 'salem@example.om' });
      expect(await s.sla.tx((t) => t.requests.contact(noEmail.id))).toEqual({ phone: '93333333' });
      expect((await s.sla.requests.facts(r.id))?.hasEmail).toBe(1);
      await s.close();
    });

    it("exposes the residents' look-up limits as `lookups`, counted in PostgreSQL across instances, keyed by the data key", async () => {
      const url = await pgServer.database();
      const limits = { windowMs: 3_600_000, perReference: 2, perPhone: 9, perClient: 9 };
      const [a, b] = await Promise.all([openPostgresStores(url, { cipher, lookupLimits: limits }), openPostgresStores(url, { cipher, lookupLimits: limits })]);
      const now = new Date('2026-11-22T06:00:00Z');
      const subject = { reference: 'BUR-2026-7K4Q-9M2X', phone: '92345678' };
      expect(await a.requests.lookups.recordFailure(subject, now)).toBeUndefined();
      expect(await b.requests.lookups.recordFailure(subject, now)).toEqual(new Date(now.getTime() + 3_600_000));
      expect(await a.requests.lookups.lockedUntil({ reference: subject.reference }, now)).toEqual(new Date(now.getTime() + 3_600_000));
      const stored = JSON.stringify((await a.pool.query('SELECT subject FROM security_lookup_failures')).rows);
      expect(stored).not.toContain('92345678');
      expect(stored).not.toContain('7K4Q');
      // Keyed by the data key: no per-installation salt was needed.
      expect((await a.pool.query("SELECT COUNT(*)::int AS n FROM security_settings WHERE name = 'lookup-salt'")).rows[0].n).toBe(0);
      await Promise.all([a.close(), b.close()]);
    });
  });

  it('migrates a new database once, records it, and a second start applies nothing', async () => {
    const url = await pgServer.database();
    const first = await openPostgresStores(url);
    expect(first.applied).toEqual(MIGRATIONS);
    const second = await openPostgresStores(url);
    expect(second.applied).toEqual([]);
    const names = await first.pool.query<{ name: string }>('SELECT name FROM kysely_migration ORDER BY name');
    expect(names.rows.map((r) => r.name)).toEqual(MIGRATIONS);
    await Promise.all([first.close(), second.close()]);
  });

  it('lets instances that start together migrate the same database without a conflict', async () => {
    const url = await pgServer.database();
    const all = await Promise.all(Array.from({ length: 4 }, () => openPostgresStores(url, { max: 2 })));
    expect(all.flatMap((s) => s.applied)).toEqual(MIGRATIONS);
    const r = await all[0]!.requests.create(sampleRequest());
    expect((await all[3]!.requests.get(r.reference))?.reference).toBe(r.reference);
    await Promise.all(all.map((s) => s.close()));
  });

  it('leaves no half-written request when filing fails', async () => {
    const s = await openPostgresStores(await pgServer.database());
    await expect(s.requests.create(sampleRequest({ description: null as unknown as string }))).rejects.toThrow(/description/);
    expect(await s.requests.count()).toBe(0);
    expect((await s.pool.query('SELECT COUNT(*)::int AS n FROM request_events')).rows[0].n).toBe(0);
    expect((await s.requests.create(sampleRequest())).reference).toMatch(REFERENCE);
    expect(s.pool.totalCount).toBe(s.pool.idleCount); // every connection went back to the pool
    await s.close();
  });

  it('files distinct random references from two instances sharing the database', async () => {
    const url = await pgServer.database();
    const [a, b] = await Promise.all([openPostgresStores(url, { max: 4 }), openPostgresStores(url, { max: 4 })]);
    const recs = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a! : b!).requests.create(sampleRequest())));
    for (const r of recs) expect(r.reference).toMatch(REFERENCE);
    expect(new Set(recs.map((r) => r.reference)).size).toBe(30);
    expect(await a!.requests.count()).toBe(30);
    await Promise.all([a!.close(), b!.close()]);
  });

  it('draws another reference when the drawn one is taken, and gives up with a StoreError after a few draws', async () => {
    const s = await openPostgresStores(await pgServer.database());
    try {
      draw.mockReturnValueOnce('7K4Q-9M2X').mockReturnValueOnce('7K4Q-9M2X').mockReturnValueOnce('ACDE-FGH2');
      const first = await s.requests.create(sampleRequest());
      const second = await s.requests.create(sampleRequest());
      expect([first.reference, second.reference]).toEqual(['BUR-2026-7K4Q-9M2X', 'BUR-2026-ACDE-FGH2']);
      expect((await s.requests.get(second.reference))?.history).toHaveLength(1);
      draw.mockImplementation(() => '7K4Q-9M2X');
      await expect(s.requests.create(sampleRequest())).rejects.toThrow(StoreError);
      expect(await s.requests.count()).toBe(2);
      expect(s.pool.totalCount).toBe(s.pool.idleCount);
    } finally {
      draw.mockReset(); // back to the real generator
      await s.close();
    }
  });

  it('files one request when two instances file the same turn at once', async () => {
    const url = await pgServer.database();
    const [a, b] = await Promise.all([openPostgresStores(url, { max: 4 }), openPostgresStores(url, { max: 4 })]);
    const recs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a! : b!).requests.create(sampleRequest({ sourceKey: 'whatsapp\u0000wamid.HBgM' }))),
    );
    expect(new Set(recs.map((r) => r.id)).size).toBe(1);
    expect(await b!.requests.count()).toBe(1);
    expect((await a!.pool.query('SELECT COUNT(*)::int AS n FROM request_events')).rows[0].n).toBe(1);
    await Promise.all([a!.close(), b!.close()]);
  });

  it('puts the year of the filing in Muscat time in the reference', async () => {
    const s = await openPostgresStores(await pgServer.database());
    // 31 Dec 2026 21:00 UTC is already 1 Jan 2027 in Muscat.
    const r = await s.requests.create(sampleRequest({ filedAt: new Date('2026-12-31T21:00:00Z') }));
    expect(REFERENCE.exec(r.reference)?.[1]).toBe('2027');
    expect(REFERENCE.exec((await s.requests.create(sampleRequest({ filedAt: new Date('2026-12-31T19:59:00Z') }))).reference)?.[1]).toBe('2026');
    await s.close();
  });

  it('keeps every action of two instances acting on one request at once, the status matching the last history entry', async () => {
    const url = await pgServer.database();
    const [a, b] = await Promise.all([openPostgresStores(url), openPostgresStores(url)]);
    const r = await a!.requests.create(sampleRequest());
    const at = (m: number): Date => new Date(r.filedAt.getTime() + m * 60_000);
    const statuses = ['in_progress', 'on_hold'] as const;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a! : b!).requests.act(r.reference, { actor: `staff:${i}`, at: at(i + 1), status: statuses[i % 2], note: `note ${i}` }),
      ),
    );
    const after = (await b!.requests.get(r.reference))!;
    const changes = after.history.filter((e) => e.type === 'status' && e.note);
    expect(changes.map((e) => e.note).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `note ${i}`).sort());
    expect(after.status).toBe(changes.at(-1)!.status);
    expect(after.lastActionAt).toEqual(at(20)); // the latest action wins whatever the commit order
    await Promise.all([a!.close(), b!.close()]);
  });

  it('round-trips attachments, location labels and optional fields', async () => {
    const s = await openPostgresStores(await pgServer.database());
    const input = sampleRequest({
      attachments: [{ kind: 'image', ref: 'media/a.jpg', mimeType: 'image/jpeg', sizeBytes: 1200 }],
      location: { latitude: 24.2, longitude: 55.8, label: 'حي السلام' },
      party: 'وزارة الإسكان',
      preferredDate: '2026-12-01',
      applicant: { name: 'x', civilId: '1', phone: '92345678' },
    });
    const r = await s.requests.create(input);
    const back = await s.requests.get(r.reference);
    expect(back).toEqual(r);
    expect(back!.attachments).toEqual(input.attachments);
    expect(back!.applicant).toEqual({ name: 'x', civilId: '1', phone: '92345678' });
    expect(back!.location).toEqual({ latitude: 24.2, longitude: 55.8, label: 'حي السلام' });
    await s.close();
  });

  it('refuses an unknown reference with a StoreError and leaves the pool clean', async () => {
    const s = await openPostgresStores(await pgServer.database());
    await expect(s.requests.setDue('BUR-2026-99999', new Date(), 'admin', 'x')).rejects.toBeInstanceOf(StoreError);
    expect(s.pool.totalCount).toBe(s.pool.idleCount);
    await s.close();
  });

  it('reads the pool URL from TAWASUL_DATABASE_URL and refuses anything else', async () => {
    expect(() => databaseUrl({})).toThrow(/TAWASUL_DATABASE_URL/);
    expect(() => databaseUrl({ TAWASUL_DATABASE_URL: 'mysql://x' })).toThrow(/TAWASUL_DATABASE_URL/);
    const url = await pgServer.database();
    const pool = createPool(databaseUrl({ TAWASUL_DATABASE_URL: url }));
    expect((await migratePostgres(pool)).applied).toEqual(MIGRATIONS);
    const store = new PostgresRequestStore(pool);
    expect(await store.count()).toBe(0);
    await pool.end();
  });

  it('names the failing migration when the database cannot be migrated', async () => {
    const url = await pgServer.database();
    const c = new pg.Client(url);
    await c.connect();
    await c.query('CREATE TABLE requests (x int)'); // a foreign table in the way
    await c.end();
    await expect(openPostgresStores(url)).rejects.toThrow(/migration 0001-requests failed/);
  });
});
