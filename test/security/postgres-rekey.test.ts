/**
 * `tawasul rekey` on PostgreSQL (TAWASUL_DATABASE_URL set): plain rows sealed, old-key rows
 * re-sealed, in batches each committed on its own; a run stopped after a batch leaves that batch
 * done and the rest readable, and a second run finishes the job.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FieldCipher } from '../../bot/security/field-cipher.js';
import { rekeyPostgres } from '../../bot/store/postgres/rekey.js';
import { openPostgresStores } from '../../bot/store/postgres/stores.js';
import { runTawasul } from '../helpers/cli.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { sampleRequest } from '../store/request-store-contract.js';

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('hex');
const PERSONAL = 'applicant_name, civil_id, phone, email';

describe.skipIf(skipPostgres)('tawasul rekey on PostgreSQL', () => {
  const pg = usePostgres();

  /** A database with `plain` requests written without a key, then `sealed` written with OLD. */
  async function seeded(plain: number, sealed: number): Promise<{ url: string; references: string[] }> {
    const url = await pg.database();
    const references: string[] = [];
    const a = await openPostgresStores(url);
    for (let i = 0; i < plain; i++) references.push((await a.requests.create(sampleRequest())).reference);
    await a.close();
    const b = await openPostgresStores(url, { cipher: FieldCipher.fromEnv({ TAWASUL_DATA_KEY: OLD })! });
    for (let i = 0; i < sealed; i++)
      references.push((await b.requests.create(sampleRequest({ applicant: { name: 'ب', civilId: '87654321', phone: '93333333' } }))).reference);
    await b.close();
    return { url, references };
  }

  it('seals plain rows and re-seals old-key ones with the new key (the CLI, TAWASUL_DATABASE_URL set); then only the new key is needed', async () => {
    const { url, references } = await seeded(2, 1);
    const t = tempDir('tawasul-pg-rekey-');
    const without = await runTawasul(['rekey', '--data', t.dir], '', { TAWASUL_DATABASE_URL: url, TAWASUL_DATA_KEY: '' });
    expect(without.code).toBe(2);
    expect(without.err).toContain('TAWASUL_DATA_KEY');
    const env = { TAWASUL_DATABASE_URL: url, TAWASUL_DATA_KEY: NEW, TAWASUL_DATA_KEY_OLD: OLD };
    const run = await runTawasul(['rekey', '--data', t.dir], '', env);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const fresh = FieldCipher.fromEnv({ TAWASUL_DATA_KEY: NEW })!;
    // Two plain rows of four values (name, civil ID, phone, e-mail), one old-key row of three (no e-mail).
    expect(JSON.parse(run.out)).toEqual({ keyId: fresh.keyId, rows: 3, sealed: 8, resealed: 3 });
    expect(JSON.parse((await runTawasul(['rekey', '--data', t.dir], '', env)).out)).toMatchObject({ rows: 0, sealed: 0, resealed: 0 });

    const stores = await openPostgresStores(url, { cipher: fresh });
    try {
      const raw = (await stores.pool.query(`SELECT ${PERSONAL} FROM requests`)).rows as Array<Record<string, string | null>>;
      for (const row of raw) for (const v of Object.values(row)) if (v !== null) expect(fresh.isCurrent(v)).toBe(true);
      expect((await stores.requests.get(references[0]!))?.applicant).toEqual(sampleRequest().applicant);
      expect((await stores.requests.get(references[2]!))?.applicant).toEqual({ name: 'ب', civilId: '87654321', phone: '93333333' });
    } finally {
      await stores.close();
      t.cleanup();
    }
  });

  it('commits batch by batch: a run stopped after the first batch keeps it, and running again finishes the rest', async () => {
    const { url, references } = await seeded(5, 0);
    const cipher = FieldCipher.fromEnv({ TAWASUL_DATA_KEY: NEW })!;
    const stores = await openPostgresStores(url, { cipher });
    try {
      const stop = new Error('stopped after the first batch');
      const seen: number[] = [];
      await expect(
        rekeyPostgres(stores.pool, cipher, {
          batch: 2,
          onBatch: (report) => {
            seen.push(report.rows);
            throw stop;
          },
        }),
      ).rejects.toBe(stop);
      expect(seen).toEqual([2]);
      const sealedRows = async (): Promise<number> =>
        (await stores.pool.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM requests WHERE civil_id LIKE 'enc1:%'")).rows[0]!.n;
      expect(await sealedRows()).toBe(2);
      // Half-way, every request still reads (sealed ones opened, plain ones as they are).
      for (const ref of references) expect((await stores.requests.get(ref))?.applicant.civilId).toBe('12345678');

      const batches: number[] = [];
      const rest = await rekeyPostgres(stores.pool, cipher, { batch: 2, onBatch: (_r, lastId) => void batches.push(lastId) });
      expect(rest).toEqual({ rows: 3, sealed: 12, resealed: 0 });
      expect(batches).toHaveLength(3); // ids 1-2 (nothing left to do), 3-4, 5
      expect(await sealedRows()).toBe(5);
    } finally {
      await stores.close();
    }
  });

  it('keeps staff actions made while it runs (rows locked per batch, only the personal columns rewritten)', async () => {
    const { url, references } = await seeded(6, 0);
    const cipher = FieldCipher.fromEnv({ TAWASUL_DATA_KEY: NEW })!;
    const stores = await openPostgresStores(url, { cipher });
    try {
      const at = new Date('2026-11-22T08:00:00Z');
      const [report] = await Promise.all([
        rekeyPostgres(stores.pool, cipher, { batch: 2 }),
        ...references.map((ref, i) => stores.requests.act(ref, { actor: 'staff:1', at, status: 'in_progress', note: `n${i}` })),
      ]);
      expect(report.rows).toBe(6);
      for (const ref of references) {
        const r = (await stores.requests.get(ref))!;
        expect(r.status).toBe('in_progress');
        expect(r.applicant.phone).toBe('92345678');
      }
    } finally {
      await stores.close();
    }
  });
});
