import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../bot/core/serial-queue.js';

describe('SerialQueue', () => {
  it('starts a task at once, synchronously up to its first await, when none is pending', () => {
    const q = new SerialQueue();
    let ran = false;
    void q.run(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });

  it('runs tasks one after another in the order given, after earlier ones settle, rejected or not', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = q.run(async () => {
      log.push('a start');
      await gate;
      log.push('a end');
      throw new Error('a failed');
    });
    const second = q.run(async () => {
      log.push('b');
      return 2;
    });
    expect(log).toEqual(['a start']);
    open();
    await expect(first).rejects.toThrow('a failed');
    await expect(second).resolves.toBe(2);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('settled() waits for every task given so far', async () => {
    const q = new SerialQueue();
    const done: number[] = [];
    for (const n of [1, 2, 3])
      void q.run(async () => {
        await Promise.resolve();
        done.push(n);
      });
    await q.settled();
    expect(done).toEqual([1, 2, 3]);
  });
});
