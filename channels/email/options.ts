/** The channel's options in config/channels.yaml: its part of the one zod config schema, and the type it gives. */
import { z } from 'zod';
import { retryOption } from '../../bot/delivery/options.js';

const MB = 1024 * 1024;

/** A mail size limit (IMAP read cap, SMTP SIZE): at least 64 KiB, default 25 MiB. */
const messageBytes = () =>
  z
    .number()
    .int()
    .min(64 * 1024)
    .default(25 * MB);

/** Options of an `email` channel in config/channels.yaml. */
export const emailOptions = z
  .object({
    /** The helpdesk address: replies come from it, mail from it is never answered. */
    address: z.email().default('helpdesk@bur.gov.om'),
    /** Display name of replies. */
    fromName: z.string().min(1).default('محافظة البريمي | Al Buraimi Governorate'),
    /** Other addresses of ours (never answered; accepted by the relay). */
    aliases: z.array(z.email()).default([]),
    /** Subject of a reply to a message that had none. */
    fallbackSubject: z.string().min(1).default('محافظة البريمي | Al Buraimi Governorate'),
    imap: z
      .object({
        enabled: z.boolean().default(true),
        mailbox: z.string().min(1).default('INBOX'),
        /** Move processed mail to this folder (it must exist) instead of only flagging it \Seen. */
        moveTo: z.string().min(1).optional(),
        /** Full sync period (also the IDLE restart period). */
        syncSeconds: z.number().int().min(5).max(3600).default(120),
        /** Quiet time before imapflow enters IDLE after a command. */
        idleDelayMs: z.number().int().min(10).max(60_000).default(1000),
        /** Larger mail is read up to this size: its text only, attachments dropped. */
        maxMessageBytes: messageBytes(),
      })
      .strict()
      .prefault({}),
    relay: z
      .object({
        enabled: z.boolean().default(false),
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(2525),
        /** SMTP SIZE limit: larger mail gets 552. */
        maxMessageBytes: messageBytes(),
        /** Accepted recipients (default: the address and aliases). */
        recipients: z.array(z.email()).optional(),
      })
      .strict()
      .prefault({}),
    /** The outgoing SMTP server's limits. */
    limits: z
      .object({
        perMinute: z.number().int().min(1).default(30),
        maxConcurrent: z.number().int().min(1).max(5).default(1),
        minTimeMs: z.number().int().min(0).default(0),
      })
      .strict()
      .prefault({}),
    retry: retryOption({ baseMs: 5000, maxMs: 30 * 60_000, maxAttempts: 10 }),
    /** Attachments up to this size are kept under the data directory; larger ones are dropped. */
    maxAttachmentBytes: z
      .number()
      .int()
      .min(0)
      .default(10 * MB),
    smtpTimeoutMs: z.number().int().min(100).max(300_000).default(30_000),
    workerPollMs: z.number().int().min(20).max(60_000).default(1000),
  })
  .strict();
/** Parsed options. */
export type EmailOptions = z.infer<typeof emailOptions>;
