/**
 * Middleware composition, in the manner of grammY's Composer: each middleware receives the turn
 * context and `next`; it may answer and stop, or pass on. The engine's pipeline is
 * guard → handoff gate → language → dialogue → intent → route.
 */

/** Continues with the rest of the chain. */
export type Next = () => Promise<void>;
/** One step of the pipeline. */
export type Middleware<C> = (ctx: C, next: Next) => Promise<void> | void;

/** An ordered list of middleware, itself usable as middleware. */
export class Composer<C> {
  private readonly stack: Middleware<C>[] = [];

  /** Appends middleware. */
  use(...mw: Middleware<C>[]): this {
    this.stack.push(...mw);
    return this;
  }

  /** The chain as one middleware. */
  middleware(): Middleware<C> {
    const stack = [...this.stack];
    return (ctx, last) => {
      const run = async (i: number): Promise<void> => {
        if (i === stack.length) return last();
        let called = false;
        await stack[i]!(ctx, () => {
          if (called) throw new Error('next() called twice');
          called = true;
          return run(i + 1);
        });
      };
      return run(0);
    };
  }

  /** Runs the chain on a context. */
  run(ctx: C): Promise<void> {
    return Promise.resolve(this.middleware()(ctx, async () => undefined));
  }
}
