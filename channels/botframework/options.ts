/** The channel's options in config/channels.yaml: its part of the one zod config schema, and the type it gives. */
import { z } from 'zod';
import { retryOption, webhookBodyOption } from '../../bot/delivery/options.js';

/** Options of a `botframework` channel in config/channels.yaml. */
export const botframeworkOptions = z
  .object({
    /** Messaging endpoint path (the bot registration's endpoint is https://<host><path>). */
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9/_-]*$/, 'expected an absolute URL path')
      .default('/api/messages'),
    /** Largest accepted activity body; larger ones get 413. */
    maxBodyBytes: webhookBodyOption(),
    /** Greet a member who joins a conversation (Emulator, Web Chat); off by default (Teams team installs). */
    greetOnJoin: z.boolean().default(false),
    /** In anonymous mode only, the serviceUrl hosts replies may go to (the Emulator on this machine). */
    anonymousServiceHosts: z.array(z.string().min(1)).default(['localhost', '127.0.0.1', '::1']),
    /** A provider call taking longer counts as a network error (retried). */
    sendTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
    /** Outbox polling period of the worker. */
    pollMs: z.number().int().min(20).max(60_000).default(1000),
    /** Outbound limits. Teams: 50 requests/s per app and tenant; per conversation 7/s, 60/30 s, 1800/h. */
    limits: z
      .object({
        maxConcurrent: z.number().int().min(1).max(50).default(4),
        minTimeMs: z.number().int().min(0).default(25),
        perConversationMinTimeMs: z.number().int().min(0).default(500),
      })
      .strict()
      .prefault({}),
    /** Back-off of retryable failures (429, 412, 5xx, network). */
    retry: retryOption(),
  })
  .strict();
/** Parsed options. */
export type BotFrameworkOptions = z.infer<typeof botframeworkOptions>;
