/** `SqliteDatabase.txAsync`: commit, rollback, nesting as savepoints, serialization, and the guard of sync transactions. */
import { executionAsyncId } from 'node:async_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../bot/core/errors.js';
import { SqliteDatabase } from '../../bot/store/sqlite-database.js';

describe('SqliteDatabase.txAsync', () => {
  let sql: SqliteDatabase;
  const rows = (): string[] => sql.db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all() as string[];
  const insert = async (v: string): Promise<void> => {
    sql.db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
  };

  beforeEach(() => {
    sql = new SqliteDatabase(':memory:');
    sql.db.exec('CREATE TABLE t (v TEXT NOT NULL)');
  });
  afterEach(() => sql.close());

  it('leaves no promise hooks behind once no transaction is open, and installs them again for the next one', async () => {
    // With promise hooks installed every promise gets its own async id; without them a chain keeps one.
    const tracked = async (): Promise<boolean> => {
      await null;
      const a = executionAsyncId();
      await null;
      return executionAsyncId() !== a;
    };
    for (const v of ['a', 'b']) {
      await sql.txAsync(async () => {
        expect(await tracked()).toBe(true);
        await sql.txAsync(() => insert(v)); // nested: a savepoint, so the context is still known
      });
      expect(await tracked()).toBe(false);
    }
    expect(rows()).toEqual(['a', 'b']);
  });

  it('commits what the callback wrote and returns its result', async () => {
    const r = await sql.txAsync(async () => {
      await insert('a');
      expect(sql.db.inTransaction).toBe(true);
      return 42;
    });
    expect(r).toBe(42);
    expect(sql.db.inTransaction).toBe(false);
    expect(rows()).toEqual(['a']);
  });

  it('rolls everything back when the callback throws, and rethrows', async () => {
    await expect(
      sql.txAsync(async () => {
        await insert('a');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(sql.db.inTransaction).toBe(false);
    expect(rows()).toEqual([]);
  });

  it('runs a nested call inside the outer transaction: a failed inner one is undone alone, the outer one decides', async () => {
    await sql.txAsync(async () => {
      await insert('outer');
      await sql.txAsync(() => insert('inner'));
      await expect(
        sql.txAsync(async () => {
          await insert('undone');
          throw new Error('inner boom');
        }),
      ).rejects.toThrow('inner boom');
      expect(rows()).toEqual(['outer', 'inner']);
    });
    expect(rows()).toEqual(['outer', 'inner']);

    await expect(
      sql.txAsync(async () => {
        await sql.txAsync(() => insert('committed inner'));
        throw new Error('outer boom');
      }),
    ).rejects.toThrow('outer boom');
    expect(rows()).toEqual(['outer', 'inner']);
  });

  it("begins on a macrotask of its own: code queued before it (another flow's microtasks) never runs inside it", async () => {
    const seen: boolean[] = [];
    const tx = sql.txAsync(async () => {
      await insert('a');
      await insert('b');
    });
    // Another async flow, started in the same turn: its steps all run before the transaction opens.
    const other = (async () => {
      for (let i = 0; i < 20; i++) {
        seen.push(sql.db.inTransaction);
        await Promise.resolve();
      }
    })();
    await Promise.all([tx, other]);
    expect(seen.every((x) => x === false)).toBe(true);
    expect(rows()).toEqual(['a', 'b']);
  });

  it('serializes two concurrent calls: the second starts after the first committed', async () => {
    const order: string[] = [];
    let releaseFirst!: () => void;
    const gate = new Promise<void>((r) => {
      releaseFirst = r;
    });
    const first = sql.txAsync(async () => {
      order.push('first begins');
      await insert('1');
      await gate; // stands for the first transaction's own (database) awaits
      order.push('first ends');
    });
    const second = sql.txAsync(async () => {
      order.push(`second begins, sees ${rows().join(',')}`);
      await insert('2');
    });
    // Let both calls run as far as they can: the second must wait for the first.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['first begins']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first begins', 'first ends', 'second begins, sees 1']);
    expect(rows()).toEqual(['1', '2']);
  });

  it('a failed transaction does not block the next one', async () => {
    const failed = sql.txAsync(async () => {
      throw new Error('boom');
    });
    const next = sql.txAsync(() => insert('after'));
    await expect(failed).rejects.toThrow('boom');
    await next;
    expect(rows()).toEqual(['after']);
  });

  it('treats a flow that an earlier transaction left running as outside the next one', async () => {
    let resume!: () => void;
    const later = new Promise<void>((r) => {
      resume = r;
    });
    let leftover!: Promise<string>;
    await sql.txAsync(async () => {
      // Started inside the first transaction, carries on after its commit.
      leftover = (async () => {
        await later;
        await sql.txAsync(() => insert('from leftover'));
        return 'done';
      })();
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => {
      opened = r;
    });
    const second = sql.txAsync(async () => {
      await insert('second');
      opened();
      await gate;
    });
    await isOpen;
    resume();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(rows()).toEqual(['second']); // the leftover waits for the second transaction instead of joining it
    release();
    await second;
    expect(await leftover).toBe('done');
    expect(rows()).toEqual(['second', 'from leftover']);
  });

  it('lets a sync tx() nest inside its own context, and refuses one (and any db.transaction) from outside while open', async () => {
    let releaseFirst!: () => void;
    const gate = new Promise<void>((r) => {
      releaseFirst = r;
    });
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => {
      opened = r;
    });
    const open = sql.txAsync(async () => {
      sql.tx(() => sql.db.prepare('INSERT INTO t (v) VALUES (?)').run('nested sync'));
      opened();
      await gate; // breaks the rule on purpose: other code runs while the transaction is open
    });
    await isOpen;
    // Outside the transaction's async context (a timer callback would be here): refused, nothing joins it.
    expect(() => sql.tx(() => sql.db.prepare('INSERT INTO t (v) VALUES (?)').run('foreign'))).toThrow(StoreError);
    const flush = sql.db.transaction(() => sql.db.prepare('INSERT INTO t (v) VALUES (?)').run('foreign flush'));
    expect(() => flush()).toThrow(StoreError);
    releaseFirst();
    await open;
    expect(rows()).toEqual(['nested sync']);
    // Once it committed, sync transactions run again.
    sql.tx(() => sql.db.prepare('INSERT INTO t (v) VALUES (?)').run('later'));
    expect(rows()).toEqual(['nested sync', 'later']);
  });
});
