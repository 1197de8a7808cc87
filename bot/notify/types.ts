/** Shapes shared by the notification transports (e-mail, SMS) and the outbox. */
import { TawasulError } from '../core/errors.js';
import type { Language } from '../core/types.js';

/** How a notification leaves the system (system notifications are stored, not sent). */
export type NotifyChannel = 'email' | 'sms';

/** One e-mail to send. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  language: Language;
  /** Id used as a header for tracing (outbox id); never personal data. */
  tag?: string;
}

/** One SMS to send. */
export interface SmsMessage {
  to: string;
  text: string;
  tag?: string;
}

/** What a transport returns: the provider's id of the accepted message, when it gives one. */
export interface SendResult {
  providerId?: string;
}

/** Sends e-mail (nodemailer over SMTP in production). */
export interface EmailSender {
  /** Sends one e-mail. */
  send(msg: EmailMessage): Promise<SendResult>;
  /** Releases connections. */
  close?(): void;
}

/** Sends SMS (an HTTP gateway in production). */
export interface SmsSender {
  /** Sends one SMS. */
  send(msg: SmsMessage): Promise<SendResult>;
}

/** A transport refused or failed; `retryable` tells the outbox whether trying later may succeed. */
export class DeliveryError extends TawasulError {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number | string,
    options?: { cause?: unknown; credential?: boolean },
  ) {
    super(message, options);
    this.credential = options?.credential ?? false;
  }
  /** The provider refused our credentials: nothing is wrong with the message (see `isCredentialError`). */
  readonly credential: boolean;
}

/** The trimmed value of the environment variable `name` (named in config/sla.yaml), if set and not empty. */
export function fromEnv(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  const v = name ? env[name]?.trim() : undefined;
  return v ? v : undefined;
}
