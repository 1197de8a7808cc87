/**
 * Schema of the `sla` section (config/sla.yaml): the sweeper, who is told what, and how
 * notifications leave (SMTP e-mail, an HTTP SMS gateway). Secrets never live in YAML: each
 * transport names the environment variables it reads; a YAML value is used when the variable is unset.
 */
import { z } from 'zod';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name');
const channelKind = z.enum(['email', 'sms']);

/** Retry policy of the notification outbox (exponential back-off, capped). */
export const retrySchema = z
  .object({
    /** Attempts before a notification is parked as `failed` (kept, listed, re-queueable). */
    maxAttempts: z.number().int().min(1).max(100),
    baseDelaySeconds: z.number().int().positive(),
    maxDelaySeconds: z.number().int().positive(),
  })
  .strict();

/** SMTP settings; `env` names the variables that override them (user and password come only from there). */
export const emailSchema = z
  .object({
    enabled: z.boolean(),
    host: z.string(),
    port: z.number().int().min(1).max(65535),
    /** TLS from the first byte (port 465); otherwise STARTTLS when offered. */
    secure: z.boolean(),
    /** Refuse to send without STARTTLS (set true in production). */
    requireTls: z.boolean(),
    from: z.string(),
    timeoutMs: z.number().int().positive(),
    env: z.object({ host: envName, port: envName, user: envName, pass: envName, from: envName }).partial().strict(),
  })
  .strict();

/** The SMS gateway: a generic JSON or form endpoint, or Twilio's Messages API. */
export const smsSchema = z
  .object({
    enabled: z.boolean(),
    kind: z.enum(['generic-json', 'generic-form', 'twilio']),
    /** Generic gateways: the endpoint. Twilio: the API base URL (default https://api.twilio.com). */
    url: z.string(),
    /** Sender id or number. */
    sender: z.string(),
    /** Field names of the generic gateways' request body. */
    fields: z.object({ to: z.string().min(1), text: z.string().min(1), sender: z.string().min(1) }).strict(),
    /** Constant fields added to the generic gateways' body (never secrets). */
    extra: z.record(z.string(), z.string()),
    timeoutMs: z.number().int().positive(),
    env: z.object({ url: envName, sender: envName, token: envName, accountSid: envName, authToken: envName }).partial().strict(),
  })
  .strict();

/** The `sla` top-level key. */
export const slaSchema = z
  .object({
    sweep: z
      .object({
        intervalSeconds: z.number().int().positive(),
        /** Rows claimed per transaction. */
        batchSize: z.number().int().min(1).max(10_000),
      })
      .strict(),
    /** When escalations and staff messages may go out (never at night, weekend or holiday). */
    staffHours: z.enum(['official', 'always']),
    staffLanguage: z.enum(['ar', 'en']),
    firstResponse: z
      .object({
        /** Tolerance of an `immediate` target (the bot answers in seconds, not in zero time). */
        immediateGraceSeconds: z.number().int().min(0),
      })
      .strict(),
    /** Messages to residents and the channels they go by (each only where the request has the address). */
    resident: z
      .object({
        onFiled: z.array(channelKind),
        onStatusChange: z.array(channelKind),
        /** The SPEC's right no. 8: told why and what is being done, once, when the due date passes. */
        onOverdue: z.array(channelKind),
      })
      .strict(),
    notifications: z
      .object({
        retry: retrySchema,
        email: emailSchema,
        sms: smsSchema,
      })
      .strict(),
  })
  .strict();

/** The validated `sla` section. */
export type SlaConfig = z.infer<typeof slaSchema>;
