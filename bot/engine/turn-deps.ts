import type { InboundMessage } from '../core/types.js';
import type { NewRequest, RequestRecord } from '../store/types.js';
import type { EngineDeps } from './context.js';

/** A message's key: in flight in the engine, and the idempotency key of what its turn files. */
export const turnId = (msg: InboundMessage): string => `${msg.channel}\u0000${msg.id}`;

/**
 * The deps a turn's handlers see: filing carries the inbound message as its idempotency key, and
 * waits for `beforeFiling` (the turn's claim committed, so that a crash after filing is replayed);
 * `filed()` is the request this turn filed, if any.
 */
export function turnDeps(
  deps: EngineDeps,
  msg: InboundMessage,
  beforeFiling: () => Promise<void> = async () => undefined,
): { deps: EngineDeps; filed: () => RequestRecord | undefined } {
  const sourceKey = turnId(msg);
  let filed: RequestRecord | undefined;
  const requests = new Proxy(deps.requests, {
    get(target, prop) {
      if (prop === 'create') {
        return async (input: NewRequest) => {
          await beforeFiling();
          const rec = await target.create({ ...input, sourceKey });
          filed = rec;
          return rec;
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { deps: { ...deps, requests }, filed: () => filed };
}
