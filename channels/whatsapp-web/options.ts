/** The channel's options in config/channels.yaml: its part of the one zod config schema, and the type it gives. */
import { z } from 'zod';
import { retryOption } from '../../bot/delivery/options.js';

/** Options of a `whatsapp-web` channel in config/channels.yaml. */
export const whatsappWebOptions = z
  .object({
    /** LocalAuth client id (one session directory per id). */
    sessionId: z
      .string()
      .regex(/^[\w-]{1,40}$/)
      .default('tawasul'),
    /** Chromium binary; the CHROMIUM_PATH environment variable wins. */
    chromiumPath: z.string().min(1).default('/usr/bin/chromium'),
    /** Milliseconds between two sends from the number (keep it slow: automation is watched). */
    minTimeMs: z.number().int().min(0).default(2000),
    perRecipientMinTimeMs: z.number().int().min(0).default(6000),
    /** Milliseconds a send may take before the browser counts as hung: the send is retried on a new client. */
    sendTimeoutMs: z.number().int().positive().default(60_000),
    reconnect: z.object({ baseMs: z.number().int().positive(), maxMs: z.number().int().positive() }).strict().default({ baseMs: 5000, maxMs: 300_000 }),
    maxMediaBytes: z
      .number()
      .int()
      .positive()
      .default(16 * 1024 * 1024),
    retry: retryOption(),
  })
  .strict();
export type WhatsAppWebOptions = z.infer<typeof whatsappWebOptions>;
