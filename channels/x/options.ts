/** The channel's options in config/channels.yaml: its part of the one zod config schema, and the type it gives. */
import { z } from 'zod';
import { retryOption } from '../../bot/delivery/options.js';

/** Options of an `x` channel in config/channels.yaml. */
export const xOptions = z
  .object({
    /** The account's handle without `@`; it names the credentials' environment variables. */
    handle: z.string().regex(/^@?\w{1,15}$/, 'expected an X handle'),
    /** How residents are answered: `dm` (private) or `public` (a reply under their post). DMs are always answered by DM. */
    replyMode: z.enum(['dm', 'public']).default('dm'),
    /** Read the mentions timeline / the DM events. */
    mentions: z.boolean().default(true),
    dms: z.boolean().default(true),
    /** Seconds between polls of each stream (longer when X's remaining calls require it). */
    pollIntervalSeconds: z.number().int().min(5).max(3600).default(60),
    /** On the first start (no cursor yet), answer what arrived in this many past minutes. */
    backfillMinutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(60),
    /** Pages of 100 read per poll at most. */
    maxPagesPerPoll: z.number().int().min(1).max(50).default(10),
    /** Public replies start with `@username` (X rejects identical posts as duplicate content). */
    mentionAuthor: z.boolean().default(true),
    /** Per-window send limits (X: 200 DMs / 15 min and 100 posts / 15 min per user on the paid tiers). */
    limits: z
      .object({
        dmPerWindow: z.number().int().min(1).default(200),
        postPerWindow: z.number().int().min(1).default(100),
        windowMinutes: z.number().int().min(1).default(15),
        minTimeMs: z.number().int().min(0).default(1000),
        maxConcurrent: z.number().int().min(1).max(5).default(1),
      })
      .strict()
      .prefault({}),
    retry: retryOption(),
    /** A call taking longer counts as a network error. */
    timeoutMs: z.number().int().min(100).max(120_000).default(20_000),
    /** Outbox polling period of the worker. */
    workerPollMs: z.number().int().min(20).max(60_000).default(1000),
  })
  .strict();
/** Parsed options. */
export type XOptions = z.infer<typeof xOptions>;
