/**
 * Group commit: turns ending in the same pass of the event loop share one transaction, each in its
 * own savepoint. A unit that fails is undone alone (its turn fails and its claim is released, the
 * others are recorded and answered once); a failed commit answers none of the batch, and their
 * retries are processed, once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../bot/core/types.js';
import { GroupCommit } from '../../bot/engine/group-commit.js';
import { SqliteTransactions, type TurnTx } from '../../bot/engine/turn-tx.js';
import { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { stubClassifier } from '../channels/helpers/channel-context.js';
import { type Running, startTawasul, webchatMessage } from '../helpers/app.js';

/** SQLite transactions counted, the next one failing on demand. */
class CountingTransactions extends SqliteTransactions {
  transactions = 0;
  failNext = false;
  protected override begin(): void {
    this.transactions++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    super.begin();
  }
}

describe('group commit', () => {
  let run: Running | undefined;
  afterEach(async () => {
    await run?.cleanup();
    run = undefined;
  });

  const message = (r: Running, cid: string, id: string, text = 'السلام عليكم'): InboundMessage => webchatMessage(r, cid, id, text);
  const inbound = async (r: Running, cid: string): Promise<number> =>
    (await r.app.engine.deps.conversations.transcript(`webchat:${cid}`)).filter((l) => l.direction === 'in').length;

  it('undoes a failing unit alone and commits the rest of its batch', async () => {
    const sql = new SqliteDatabase(':memory:');
    sql.db.exec('CREATE TABLE t (v TEXT)');
    const commits = new GroupCommit(new SqliteTransactions(sql, {} as TurnTx));
    const insert = (v: string) => () => {
      sql.db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
    };
    const results = await Promise.allSettled([
      commits.submit(insert('a')),
      commits.submit(() => {
        insert('b')();
        throw new Error('unit failed');
      }),
      commits.submit(insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sql.db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual(['a', 'c']);
    sql.close();
  });

  it('leaves out a unit that is no longer wanted as its batch starts, and opens no transaction for a batch left empty', async () => {
    const sql = new SqliteDatabase(':memory:');
    sql.db.exec('CREATE TABLE t (v TEXT)');
    const tx = new CountingTransactions(sql, {} as TurnTx);
    const commits = new GroupCommit(tx);
    const ran: string[] = [];
    const insert = (v: string) => () => {
      ran.push(v);
      sql.db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
    };
    let wanted = true;
    const skipped = commits.submit(insert('a'), () => wanted);
    const kept = commits.submit(insert('b'));
    wanted = false;
    await expect(Promise.all([skipped, kept])).resolves.toEqual([undefined, undefined]);
    expect(ran).toEqual(['b']);
    expect(tx.transactions).toBe(1);
    await commits.submit(insert('c'), () => false);
    expect(tx.transactions).toBe(1);
    await commits.submit(insert('d'), () => true);
    expect(sql.db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual(['b', 'd']);
    expect(tx.transactions).toBe(2);
    sql.close();
  });

  it('commits the turns of many conversations that end together in one transaction, each answered and recorded once', async () => {
    let state!: CountingTransactions;
    run = await startTawasul({ classifier: stubClassifier, transactions: (sql, views) => (state = new CountingTransactions(sql, views)) });
    const r = run;
    // The conversations exist (their first message creates them otherwise, in a commit of its own).
    for (let i = 0; i < 20; i++) r.app.engine.deps.conversations.touch(`webchat:g${i}`, 'webchat', `g${i}`, 'ar', r.clock.now());
    const before = state.transactions;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => r.app.engine.handle(message(r, `g${i}`, `m${i}`))));
    expect(results.every((x) => !x.duplicate && x.replies.length > 0)).toBe(true);
    expect(state.transactions - before).toBeLessThan(20);
    for (let i = 0; i < 20; i++) expect(await inbound(r, `g${i}`)).toBe(1);
    const again = await Promise.all(Array.from({ length: 20 }, (_, i) => r.app.engine.handle(message(r, `g${i}`, `m${i}`))));
    expect(again.every((x, i) => x.duplicate && JSON.stringify(x.previous) === JSON.stringify(results[i]!.replies))).toBe(true);
  });

  it('a unit failing inside the batch fails its turn only; its retry is processed once', async () => {
    run = await startTawasul({ classifier: stubClassifier });
    const r = run;
    const ok = r.app.engine.handle(message(r, 'a', 'a1'));
    const bad = r.app.engine.handle(message(r, 'b', 'b1'), {
      onCommit: () => {
        throw new Error('outbox full');
      },
    });
    await expect(bad).rejects.toThrow('outbox full');
    expect((await ok).replies.length).toBeGreaterThan(0);
    expect(await inbound(r, 'a')).toBe(1);
    expect(await inbound(r, 'b')).toBe(0);
    const retry = await r.app.engine.handle(message(r, 'b', 'b1'));
    expect(retry.duplicate).toBe(false);
    expect(await inbound(r, 'b')).toBe(1);
    expect((await r.app.engine.handle(message(r, 'b', 'b1'))).duplicate).toBe(true);
  });

  it('a failed commit answers none of its batch and records nothing; the retries are processed once', async () => {
    let state!: CountingTransactions;
    run = await startTawasul({ classifier: stubClassifier, transactions: (sql, views) => (state = new CountingTransactions(sql, views)) });
    const r = run;
    for (const c of ['x', 'y']) r.app.engine.deps.conversations.touch(`webchat:${c}`, 'webchat', c, 'ar', r.clock.now());
    state.failNext = true;
    const results = await Promise.allSettled([r.app.engine.handle(message(r, 'x', 'x1')), r.app.engine.handle(message(r, 'y', 'y1'))]);
    expect(results.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    expect(r.app.sql.db.prepare(`SELECT count(*) FROM inbox WHERE message_id IN ('x1', 'y1')`).pluck().get()).toBe(0);
    const retries = await Promise.all([r.app.engine.handle(message(r, 'x', 'x1')), r.app.engine.handle(message(r, 'y', 'y1'))]);
    expect(retries.map((x) => x.duplicate)).toEqual([false, false]);
    expect([await inbound(r, 'x'), await inbound(r, 'y')]).toEqual([1, 1]);
  });
});
