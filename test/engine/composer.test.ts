import { describe, expect, it } from 'vitest';
import { Composer } from '../../bot/engine/composer.js';
import { KeyedQueue } from '../../bot/engine/keyed-queue.js';

describe('Composer', () => {
  it('runs middleware in order and lets one stop the chain', async () => {
    const seen: string[] = [];
    const c = new Composer<{ stop: boolean }>()
      .use(async (_ctx, next) => {
        seen.push('a');
        await next();
        seen.push('a-after');
      })
      .use((ctx, next) => {
        seen.push('b');
        return ctx.stop ? undefined : next();
      })
      .use(() => {
        seen.push('c');
      });
    await c.run({ stop: false });
    expect(seen).toEqual(['a', 'b', 'c', 'a-after']);
    seen.length = 0;
    await c.run({ stop: true });
    expect(seen).toEqual(['a', 'b', 'a-after']);
  });

  it('refuses next() called twice and propagates errors', async () => {
    const twice = new Composer<object>().use(async (_c, next) => {
      await next();
      await next();
    });
    await expect(twice.run({})).rejects.toThrow(/twice/);
    const boom = new Composer<object>().use(() => {
      throw new Error('boom');
    });
    await expect(boom.run({})).rejects.toThrow('boom');
  });
});

describe('KeyedQueue', () => {
  it('serializes tasks of one key in arrival order and runs other keys concurrently', async () => {
    const q = new KeyedQueue();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const a1 = q.run('a', async () => {
      await gate;
      order.push('a1');
    });
    const a2 = q.run('a', async () => {
      order.push('a2');
    });
    const b1 = q.run('b', async () => {
      order.push('b1');
    });
    await b1;
    expect(order).toEqual(['b1']);
    release();
    await Promise.all([a1, a2]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });

  it('keeps going after a failed task', async () => {
    const q = new KeyedQueue();
    await expect(
      q.run('k', async () => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    await expect(q.run('k', async () => 2)).resolves.toBe(2);
  });
});
