/**
 * The one retry policy of Tawasul's durable sends (channel replies and notifications): capped
 * exponential back-off, a provider's Retry-After honoured, errors that declare `retryable: false`
 * permanent, unknown errors transient, and attempts bounded — except while the provider refuses our
 * credentials, which says nothing about the message: such items wait, however long it takes.
 */

/** Back-off of retryable failures. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/** Default back-off: 2 s doubling up to 15 min, 8 attempts. */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 2_000, maxMs: 15 * 60_000, maxAttempts: 8 };

/** Back-off delay before attempt `attempts + 1` (attempts already made ≥ 1): base·2^(n−1), capped, at least Retry-After. */
export function backoffMs(retry: RetryPolicy, attempts: number, retryAfterSeconds?: number): number {
  const exp = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.max(exp, (retryAfterSeconds ?? 0) * 1000);
}

/** True when the provider refused our credentials (`credential` on ChannelApiError and DeliveryError). */
export function isCredentialError(err: unknown): boolean {
  return (err as { credential?: unknown } | null | undefined)?.credential === true;
}

/** What to do after a failed attempt. */
export type RetryDecision = { retry: false; reason: 'permanent' | 'exhausted' } | { retry: true; at: Date };

/**
 * The decision after the `attempts`-th failed attempt with `err` at `now`: permanent when the error
 * says so (`retryable: false`, as ChannelApiError and DeliveryError do), exhausted after
 * `maxAttempts`, otherwise retried after the back-off (unknown errors count as transient). A refused
 * credential is retried after the back-off whatever the attempts: the message waits for the operator.
 */
export function retryDecision(policy: RetryPolicy, attempts: number, err: unknown, now: Date): RetryDecision {
  const e = err as { retryable?: unknown; retryAfterSeconds?: unknown } | null | undefined;
  const credential = isCredentialError(err);
  if (e?.retryable === false && !credential) return { retry: false, reason: 'permanent' };
  if (attempts >= policy.maxAttempts && !credential) return { retry: false, reason: 'exhausted' };
  const after = typeof e?.retryAfterSeconds === 'number' ? e.retryAfterSeconds : undefined;
  return { retry: true, at: new Date(now.getTime() + backoffMs(policy, attempts, after)) };
}

/** What `attemptSend` does with each outcome (bookkeeping: the store's writes, awaited). */
export interface AttemptOutcomes<R> {
  /** The provider accepted the message. */
  sent(result: R): void | Promise<void>;
  /** The attempt failed and goes again at `at`. */
  retry(err: unknown, at: Date): void | Promise<void>;
  /** The attempt failed for good (`permanent`) or was the last allowed (`exhausted`). */
  failed(err: unknown, reason: 'permanent' | 'exhausted'): void | Promise<void>;
}

/**
 * One attempt of a durable send, shared by the channel outbox worker and the notification outbox:
 * runs `send`, then records the outcome through the one retry policy (`attempts` counts this one).
 */
export async function attemptSend<R>(
  policy: RetryPolicy,
  attempts: number,
  now: () => Date,
  send: () => Promise<R>,
  on: AttemptOutcomes<R>,
): Promise<'sent' | 'retry' | 'failed'> {
  let result: R;
  try {
    result = await send();
  } catch (err) {
    const next = retryDecision(policy, attempts, err, now());
    if (next.retry) {
      await on.retry(err, next.at);
      return 'retry';
    }
    await on.failed(err, next.reason);
    return 'failed';
  }
  await on.sent(result);
  return 'sent';
}
