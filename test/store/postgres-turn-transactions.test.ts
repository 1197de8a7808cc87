/**
 * The end-of-turn transactions on PostgreSQL spread over several connections (real PostgreSQL 15 on
 * loopback): the lanes of a batch run at once; many conversations' units commit exactly once; a
 * failing unit is undone alone while the rest of its lane and the other lanes commit; a unit whose
 * first statement hits 40001/40P01 runs again and commits once, one that hits it later fails alone;
 * a turn's end queued while its claim's batch is running commits after it (the row ends `done`).
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../bot/engine/group-commit.js';
import type { TurnUnit } from '../../bot/engine/turn-tx.js';
import { openPostgresStores, type PostgresStores } from '../../bot/store/postgres/stores.js';
import { PostgresTransactions } from '../../bot/store/postgres/turn-transactions.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';

const t0 = new Date('2026-12-02T06:00:00Z');

/** A promise and its resolver. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** A unit claiming message `id` and writing one transcript line for it. */
const claimAndLog =
  (id: string): TurnUnit =>
  async (tx) => {
    await tx.inbox.claim('webchat', id, `webchat:${id}`, t0, t0);
    await tx.conversations.touch(`webchat:${id}`, 'webchat', id, undefined, t0);
    await tx.conversations.append({ key: `webchat:${id}`, direction: 'in', author: 'resident', text: id, at: t0 });
  };

describe.skipIf(skipPostgres)('PostgreSQL end-of-turn transactions over several connections', () => {
  const pgServer = usePostgres();
  const open: PostgresStores[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  async function stores(): Promise<PostgresStores> {
    const s = await openPostgresStores(await pgServer.database(), { max: 8 });
    open.push(s);
    return s;
  }

  const count = async (s: PostgresStores, sql: string): Promise<number> => Number((await s.pool.query<{ n: string }>(sql)).rows[0]?.n);

  it('runs the lanes of one batch at once (each unit below waits for the other lane to start)', async () => {
    const s = await stores();
    const tx = new PostgresTransactions(s.pool, { lanes: 2 });
    const started = [gate(), gate()];
    const unit =
      (mine: number): TurnUnit =>
      async (views) => {
        started[mine]?.open();
        await started[1 - mine]?.wait;
        await claimAndLog(`m${mine}`)(views);
      };
    expect(await tx.batch([unit(0), unit(1)])).toEqual([{ ok: true }, { ok: true }]);
    expect(await count(s, `SELECT count(*) AS n FROM inbox WHERE state = 'processing'`)).toBe(2);
  });

  it('commits every unit of many conversations exactly once through the group commit', async () => {
    const s = await stores();
    const commits = new GroupCommit(new PostgresTransactions(s.pool, { lanes: 3 }));
    const ids = Array.from({ length: 120 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id) => commits.submit(claimAndLog(id))));
    expect(await count(s, 'SELECT count(*) AS n FROM inbox')).toBe(120);
    expect(await count(s, 'SELECT count(DISTINCT text) AS n FROM transcript')).toBe(120);
    expect(await count(s, 'SELECT count(*) AS n FROM transcript')).toBe(120);
  });

  it('undoes a failing unit alone: the rest of its lane and the other lanes commit', async () => {
    const s = await stores();
    const tx = new PostgresTransactions(s.pool, { lanes: 2 });
    const failing: TurnUnit = async (views) => {
      await claimAndLog('bad')(views);
      throw new Error('handler bug');
    };
    // Lanes: [a, failing, c] and [b, d]; the failing unit sits between two good ones of its lane.
    const outcomes = await tx.batch([claimAndLog('a'), claimAndLog('b'), failing, claimAndLog('d'), claimAndLog('c')]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true, true]);
    expect((outcomes[2] as { error: Error }).error.message).toBe('handler bug');
    const rows = await s.pool.query<{ message_id: string }>('SELECT message_id FROM inbox ORDER BY message_id');
    expect(rows.rows.map((r) => r.message_id)).toEqual(['a', 'b', 'c', 'd']);
    expect(await count(s, `SELECT count(*) AS n FROM transcript WHERE text = 'bad'`)).toBe(0);
    // A lane of one failing unit (no savepoint) is rolled back whole; the batch still resolves.
    expect((await tx.batch([failing, claimAndLog('e')])).map((o) => o.ok)).toEqual([false, true]);
    expect(await count(s, `SELECT count(*) AS n FROM inbox WHERE message_id IN ('bad', 'e')`)).toBe(1);
  });

  for (const code of ['40001', '40P01']) {
    it(`runs a unit again when its first statement fails with ${code}, and commits it once`, async () => {
      const s = await stores();
      // The first two claims of message 'retry' fail with `code` (a sequence: not undone by the rollback).
      await s.pool.query(`CREATE SEQUENCE fault;
        CREATE FUNCTION inject() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          IF NEW.message_id = 'retry' AND nextval('fault') <= 2 THEN RAISE EXCEPTION 'injected' USING ERRCODE = '${code}'; END IF;
          RETURN NEW; END $$;
        CREATE TRIGGER inject BEFORE INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION inject();`);
      const tx = new PostgresTransactions(s.pool, { lanes: 2 });
      let runs = 0;
      const retried: TurnUnit = async (views) => {
        runs++;
        await claimAndLog('retry')(views);
      };
      for (const units of [[retried], [claimAndLog('x'), claimAndLog('y'), retried]]) {
        runs = 0;
        await s.pool.query(`SELECT setval('fault', 1, false)`);
        await s.pool.query(`DELETE FROM inbox WHERE message_id = 'retry'`);
        expect((await tx.batch(units)).every((o) => o.ok)).toBe(true);
        expect(runs).toBe(3);
        expect(await count(s, `SELECT count(*) AS n FROM inbox WHERE message_id = 'retry'`)).toBe(1);
      }
      expect(await count(s, `SELECT count(*) AS n FROM transcript WHERE text = 'retry'`)).toBe(2);
      expect(await count(s, `SELECT count(*) AS n FROM inbox WHERE message_id IN ('x', 'y')`)).toBe(2);
    });
  }

  it('fails alone, without running it again, a unit that hits 40P01 after it has seen a result', async () => {
    const s = await stores();
    await s.pool.query(`CREATE FUNCTION inject() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.message_id = 'late' THEN RAISE EXCEPTION 'injected' USING ERRCODE = '40P01'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER inject BEFORE INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION inject();`);
    const tx = new PostgresTransactions(s.pool, { lanes: 1 });
    let runs = 0;
    const late: TurnUnit = async (views) => {
      runs++;
      await views.inbox.claim('webchat', 'early', 'webchat:e', t0, t0);
      await views.inbox.claim('webchat', 'late', 'webchat:e', t0, t0);
    };
    const outcomes = await tx.batch([claimAndLog('a'), late, claimAndLog('b')]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect((outcomes[1] as { error: pg.DatabaseError }).error.code).toBe('40P01');
    expect(runs).toBe(1);
    const rows = await s.pool.query<{ message_id: string }>('SELECT message_id FROM inbox ORDER BY message_id');
    expect(rows.rows.map((r) => r.message_id)).toEqual(['a', 'b']);
  });

  it("commits a turn's end after its claim: the end queued while the claim's batch runs waits for it", async () => {
    const s = await stores();
    const inner = new PostgresTransactions(s.pool, { lanes: 4 });
    const log: string[] = [];
    let batches = 0;
    const commits = new GroupCommit({
      async batch(units) {
        const n = ++batches;
        log.push(`begin ${n}`);
        const outcomes = await inner.batch(units);
        log.push(`commit ${n}`);
        return outcomes;
      },
    });
    const inClaim = gate();
    const release = gate();
    const claim = commits.submit(async (views) => {
      await views.inbox.claim('webchat', 'm', 'webchat:c', t0, t0);
      inClaim.open();
      await release.wait;
    });
    await inClaim.wait;
    // Other conversations' units and the end of the turn arrive while the claim's batch is open.
    const others = ['o1', 'o2', 'o3'].map((id) => commits.submit(claimAndLog(id)));
    let claimSeen: unknown;
    const end = commits.submit(async (views) => {
      // Read outside the transaction: only what has committed.
      claimSeen = await s.turn.inbox.get('webchat', 'm');
      await views.inbox.complete('webchat', 'm', [{ text: 'hello', language: 'en', kind: 'answer' }]);
    });
    // The group commit flushes on setImmediate: past this point a second batch would have begun.
    await new Promise<void>((resolve) => setImmediate(resolve));
    release.open();
    await Promise.all([claim, end, ...others]);
    expect(log).toEqual(['begin 1', 'commit 1', 'begin 2', 'commit 2']);
    expect(claimSeen).toEqual({ state: 'processing' });
    expect(await s.turn.inbox.get('webchat', 'm')).toEqual({ state: 'done', replies: [{ text: 'hello', language: 'en', kind: 'answer' }] });
  });

  it('rejects the batch when no lane could commit', async () => {
    const s = await stores();
    const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    const tx = new PostgresTransactions(pool, { lanes: 2 });
    await expect(tx.batch([claimAndLog('a'), claimAndLog('b')])).rejects.toThrow();
    await pool.end();
    expect(await count(s, 'SELECT count(*) AS n FROM inbox')).toBe(0);
  });
});
