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

/** The `maxBodyBytes` option of a webhook adapter: the largest body accepted (larger ones get 413), 1 KiB to 4 MiB, default 256 KiB. */
export function webhookBodyOption() {
  return z
    .number()
    .int()
    .min(1024)
    .max(4 * 1024 * 1024)
    .default(256 * 1024);
}
