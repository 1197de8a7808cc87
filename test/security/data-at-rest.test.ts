import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/core/logger.js';
import { projectRoot } from '../../bot/core/paths.js';
import { FieldCipher } from '../../bot/security/field-cipher.js';
import { rekey } from '../../bot/security/rekey.js';
import { SqliteRequestStore } from '../../bot/store/sqlite-request-store.js';
import { type Running, startTawasul } from '../helpers/app.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { sampleRequest } from '../store/request-store-contract.js';
import { openConversation, say } from './helpers.js';

const KEY = randomBytes(32).toString('base64');
const KEY2 = randomBytes(32).toString('hex');
const TOKENS = 'amal:test-agent-token-0123456789abcdef';
const hasSqlite3 = existsSync('/usr/bin/sqlite3');

/** Every path under `dir` with its permission bits. */
function modes(dir: string): Array<{ path: string; mode: number; dir: boolean }> {
  const out: Array<{ path: string; mode: number; dir: boolean }> = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    out.push({ path: p, mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return out;
}

const runs: Running[] = [];
afterEach(async () => {
  for (const r of runs.splice(0)) await r.cleanup();
});

describe('data at rest', () => {
  it('makes the data directory 0700 and every file 0600, whatever the umask, old installs included', async () => {
    const previous = process.umask(0o000);
    try {
      const t = tempDir('tawasul-modes-');
      const data = join(t.dir, 'data');
      // An older install: world-readable files and folders.
      mkdirSync(join(data, 'attachments', 'whatsapp'), { recursive: true, mode: 0o755 });
      writeFileSync(join(data, 'attachments', 'whatsapp', 'old.jpg'), 'x', { mode: 0o644 });
      chmodSync(data, 0o755);
      const run = await startTawasul({ dataDir: data });
      runs.push(run);
      // Files created after start-up: a filed request and a dialogue's state (WAL and shared memory), a download.
      const c = await openConversation(run.base);
      await say(run.base, c.id!, 'السلام عليكم');
      await say(run.base, c.id!, 'أريد تقديم شكوى عن حفرة في الشارع');
      await run.app.engine.deps.requests.create(sampleRequest({ filedAt: run.clock.now() }));
      writeFileSync(join(data, 'attachments', 'whatsapp', 'new.jpg'), 'y');
      // The dialogue state (a civil ID mid-dialogue) is a row of tawasul.sqlite, not a file of its own.
      expect(run.app.sql.db.prepare('SELECT count(*) FROM conversation_state').pluck().get()).toBeGreaterThan(0);
      const all = modes(data);
      const names = all.map((m) => m.path.slice(data.length));
      expect(names).toEqual(
        expect.arrayContaining(['/tawasul.sqlite', '/tawasul.sqlite-wal', '/tawasul.sqlite-shm', '/tawasul.lock', '/attachments/whatsapp/new.jpg']),
      );
      expect(names).not.toContain('/state.sqlite');
      for (const m of all) expect({ path: m.path, mode: m.mode.toString(8) }).toEqual({ path: m.path, mode: m.dir ? '700' : '600' });
      t.cleanup();
    } finally {
      process.umask(previous);
    }
  });

  it('encrypts civil ID, phone, name and e-mail when TAWASUL_DATA_KEY is set: a row read with plain SQL shows none of them', async () => {
    const run = await startTawasul({ env: { TAWASUL_AGENT_TOKENS: TOKENS, TAWASUL_DATA_KEY: KEY } });
    runs.push(run);
    expect(run.app.encrypted).toBe(true);
    const rec = await run.app.engine.deps.requests.create(sampleRequest({ filedAt: run.clock.now() }));
    expect(rec.applicant).toMatchObject({ civilId: '12345678', phone: '92345678', email: 'salem@example.om', name: 'سالم بن علي الكعبي' });
    const file = join(run.dataDir, 'tawasul.sqlite');
    const row = run.app.sql.db.prepare('SELECT applicant_name, civil_id, phone, email FROM requests WHERE reference = ?').get(rec.reference) as Record<
      string,
      string
    >;
    for (const v of Object.values(row)) expect(v).toMatch(/^enc1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
    if (hasSqlite3) {
      const dump = execFileSync('/usr/bin/sqlite3', [file, `SELECT * FROM requests WHERE reference = '${rec.reference}'`], { encoding: 'utf8' });
      expect(dump).toContain(rec.reference);
      expect(dump).not.toContain('12345678');
      expect(dump).not.toContain('92345678');
      expect(dump).not.toContain('salem@example.om');
      expect(dump).not.toContain('الكعبي');
    }
    // The resident's look-up (reference + phone) still works, so does the decrypted read.
    const c = await openConversation(run.base);
    expect(await say(run.base, c.id!, `status ${rec.reference} phone 92345678`)).toContain(rec.reference);
    expect((await run.app.engine.deps.requests.get(rec.reference))?.applicant.civilId).toBe('12345678');
  });

  it('says at start-up that personal data is not encrypted without a key, and refuses to start without the key once data is encrypted', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      destination: new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    });
    const run = await startTawasul({ logger });
    expect(run.app.encrypted).toBe(false);
    expect(lines.some((l) => l.includes('NOT encrypted'))).toBe(true);
    await run.cleanup();

    const t = tempDir('tawasul-key-');
    const sealed = await startTawasul({ dataDir: t.dir, env: { TAWASUL_AGENT_TOKENS: TOKENS, TAWASUL_DATA_KEY: KEY } });
    await sealed.app.engine.deps.requests.create(sampleRequest());
    await sealed.stop();
    await expect(startTawasul({ dataDir: t.dir })).rejects.toThrow(/TAWASUL_DATA_KEY/);
    await expect(startTawasul({ dataDir: t.dir, env: { TAWASUL_DATA_KEY: 'too-short' } })).rejects.toThrow(/32 random bytes/);
    t.cleanup();
  });

  it('`tawasul rekey` encrypts the rows written before a key was set (and refuses to run without a key)', async () => {
    const t = tempDir('tawasul-rekey-cli-');
    const db = migratedSqlite(join(t.dir, 'tawasul.sqlite'));
    const rec = await new SqliteRequestStore(db).create(sampleRequest());
    db.close();
    const cli = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'bot/cli/main.ts'), 'rekey', '--data', t.dir], {
        cwd: projectRoot,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', TAWASUL_LOG_LEVEL: 'silent', ...env },
      });
    const without = cli({});
    expect(without.status).toBe(2);
    expect(without.stderr).toContain('TAWASUL_DATA_KEY');
    const run = cli({ TAWASUL_DATA_KEY: KEY });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 1, sealed: 4, resealed: 0 });
    const check = migratedSqlite(join(t.dir, 'tawasul.sqlite'));
    expect(check.db.prepare('SELECT civil_id FROM requests WHERE reference = ?').pluck().get(rec.reference)).toMatch(/^enc1:/);
    const store = new SqliteRequestStore(check, undefined, undefined, { cipher: FieldCipher.fromEnv({ TAWASUL_DATA_KEY: KEY })! });
    expect((await store.get(rec.reference))?.applicant.civilId).toBe('12345678');
    check.close();
    t.cleanup();
  });

  it('rotates the key: rekey re-seals old rows (and seals plain ones) with the new key, reading with TAWASUL_DATA_KEY_OLD', async () => {
    const t = tempDir('tawasul-rekey-');
    const file = join(t.dir, 'tawasul.sqlite');
    const db = migratedSqlite(file);
    const plain = await new SqliteRequestStore(db).create(sampleRequest());
    const old = new FieldCipher(Buffer.from(KEY, 'base64'));
    const sealedOld = await new SqliteRequestStore(db, undefined, undefined, { cipher: old }).create(
      sampleRequest({ applicant: { name: 'ب', civilId: '87654321', phone: '93333333' } }),
    );
    const rotating = FieldCipher.fromEnv({ TAWASUL_DATA_KEY: KEY2, TAWASUL_DATA_KEY_OLD: KEY })!;
    const store = new SqliteRequestStore(db, undefined, undefined, { cipher: rotating });
    expect((await store.get(sealedOld.reference))?.applicant.civilId).toBe('87654321');
    expect(rekey(db, rotating)).toEqual({ rows: 2, sealed: 4, resealed: 3 });
    expect(rekey(db, rotating)).toEqual({ rows: 0, sealed: 0, resealed: 0 });
    // Only the new key is needed now.
    const fresh = new SqliteRequestStore(db, undefined, undefined, { cipher: FieldCipher.fromEnv({ TAWASUL_DATA_KEY: KEY2 })! });
    expect((await fresh.get(plain.reference))?.applicant).toMatchObject({ civilId: '12345678', email: 'salem@example.om' });
    expect((await fresh.get(sealedOld.reference))?.applicant.phone).toBe('93333333');
    const raw = db.db.prepare('SELECT civil_id FROM requests').pluck().all() as string[];
    expect(raw.every((v) => rotating.isCurrent(v))).toBe(true);
    db.close();
    t.cleanup();
  });
});
