/** The channel's options in config/channels.yaml: its part of the one zod config schema, and the type it gives. */
import { z } from 'zod';
import { retryOption, webhookBodyOption } from '../../bot/delivery/options.js';

/** Options of a `whatsapp-cloud` channel in config/channels.yaml. */
export const whatsappCloudOptions = z
  .object({
    /** Graph API base URL (tests point it at a loopback server). */
    graphBaseUrl: z.string().url().default('https://graph.facebook.com'),
    apiVersion: z
      .string()
      .regex(/^v\d+\.\d+$/, 'expected vNN.N')
      .default('v21.0'),
    /** Webhook path (default `/webhooks/<channel id>`). */
    webhookPath: z
      .string()
      .regex(/^\/[\w\-/]*$/)
      .optional(),
    /** Approved template sent outside the 24-hour window (without it such replies fail, recorded). */
    template: z
      .object({ name: z.string().min(1), language: z.string().min(2), bodyParameter: z.boolean().default(false) })
      .strict()
      .optional(),
    /** Throughput of the phone number (Cloud API default: 80 messages per second). */
    messagesPerSecond: z.number().positive().max(1000).default(80),
    maxConcurrent: z.number().int().positive().max(64).default(4),
    /** Pair rate limit: about one message per six seconds to the same user. */
    perRecipientMinTimeMs: z.number().int().min(0).default(6000),
    maxMediaBytes: z
      .number()
      .int()
      .positive()
      .default(16 * 1024 * 1024),
    /** Largest webhook body accepted (Meta's deliveries are a few KB); larger ones get 413 unread. */
    maxBodyBytes: webhookBodyOption(),
    retry: retryOption(),
    windowHours: z.number().positive().default(24),
    /** A send cut off by a crash waits this long for Meta's status webhook before going out again. */
    inDoubtHoldMs: z.number().int().min(0).default(60_000),
  })
  .strict();
export type WhatsAppCloudOptions = z.infer<typeof whatsappCloudOptions>;
