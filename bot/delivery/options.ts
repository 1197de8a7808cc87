import { z } from 'zod';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';

/** The `retry` option every adapter takes: back-off of retryable send failures, then recorded as failed. */
export function retryOption(defaults: RetryPolicy = DEFAULT_RETRY) {
  return z
    .object({
      baseMs: z.number().int().min(1).default(defaults.baseMs),
      maxMs: z.number().int().min(1).default(defaults.maxMs),
      maxAttempts: z.number().int().min(1).max(50).default(defaults.maxAttempts),
    })
    .strict()
    .prefault({});
}
