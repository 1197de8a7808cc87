/**
 * SMS through a pluggable HTTP gateway: a generic JSON or form-encoded endpoint configured by URL and
 * field names, or Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`, form-encoded
 * To/From/Body, basic auth) whose base URL is configurable (tests point it at loopback).
 */
import type { SlaConfig } from '../../config/sla-schema.js';
import { DeliveryError, fromEnv, type SendResult, type SmsMessage, type SmsSender } from './types.js';

type SmsConfig = SlaConfig['notifications']['sms'];

/** Gateway settings after the environment was applied. */
export interface SmsSettings {
  kind: SmsConfig['kind'];
  url: string;
  sender: string;
  fields: SmsConfig['fields'];
  extra: Record<string, string>;
  timeoutMs: number;
  /** Bearer token of the generic gateways. */
  token?: string;
  accountSid?: string;
  authToken?: string;
}

/** The gateway settings from config and environment; undefined when SMS is disabled or incomplete. */
export function resolveSmsSettings(cfg: SmsConfig, env: NodeJS.ProcessEnv): SmsSettings | undefined {
  if (!cfg.enabled) return undefined;
  const url = fromEnv(env, cfg.env.url) ?? (cfg.url || (cfg.kind === 'twilio' ? 'https://api.twilio.com' : ''));
  const sender = fromEnv(env, cfg.env.sender) ?? cfg.sender;
  const token = fromEnv(env, cfg.env.token);
  const accountSid = fromEnv(env, cfg.env.accountSid);
  const authToken = fromEnv(env, cfg.env.authToken);
  if (!url || !sender) return undefined;
  if (cfg.kind === 'twilio' && (!accountSid || !authToken)) return undefined;
  return {
    kind: cfg.kind,
    url,
    sender,
    fields: cfg.fields,
    extra: cfg.extra,
    timeoutMs: cfg.timeoutMs,
    ...(token ? { token } : {}),
    ...(accountSid ? { accountSid } : {}),
    ...(authToken ? { authToken } : {}),
  };
}

/** An Omani number in E.164 (`92345678` → `+96892345678`); other numbers keep their country code. */
export function toE164(phone: string): string {
  const digits = phone.replace(/\D/g, '').replace(/^00/, '');
  return digits.length === 8 ? `+968${digits}` : `+${digits}`;
}

/** True when an HTTP status may succeed later (throttling, server trouble, credentials being fixed). */
const retryableStatus = (s: number): boolean => s === 408 || s === 425 || s === 429 || s === 401 || s === 403 || s >= 500;

/** Sends SMS by HTTP POST to the configured gateway. */
export class HttpSmsSender implements SmsSender {
  constructor(
    private readonly settings: SmsSettings,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  private request(msg: SmsMessage): { url: string; init: RequestInit } {
    const s = this.settings;
    const to = toE164(msg.to);
    if (s.kind === 'twilio') {
      const url = `${s.url.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(s.accountSid!)}/Messages.json`;
      const body = new URLSearchParams({ To: to, From: s.sender, Body: msg.text });
      const auth = Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64');
      return { url, init: { method: 'POST', body, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' } } };
    }
    const fields: Record<string, string> = { ...s.extra, [s.fields.to]: to, [s.fields.text]: msg.text, [s.fields.sender]: s.sender };
    const headers: Record<string, string> = s.token ? { authorization: `Bearer ${s.token}` } : {};
    if (s.kind === 'generic-form') {
      return {
        url: s.url,
        init: { method: 'POST', body: new URLSearchParams(fields), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' } },
      };
    }
    return { url: s.url, init: { method: 'POST', body: JSON.stringify(fields), headers: { ...headers, 'content-type': 'application/json' } } };
  }

  /** Sends one SMS; throws DeliveryError (retryable for throttling, 5xx and network trouble). */
  async send(msg: SmsMessage): Promise<SendResult> {
    const { url, init } = this.request(msg);
    let res: Response;
    try {
      res = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.settings.timeoutMs) });
    } catch (err) {
      throw new DeliveryError(`sms gateway unreachable: ${(err as Error)?.name ?? 'error'}`, true, 'network', { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      const credential = res.status === 401 || res.status === 403;
      throw new DeliveryError(`sms gateway answered ${res.status}`, retryableStatus(res.status), res.status, { credential });
    }
    let providerId: string | undefined;
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      const id = body.sid ?? body.id ?? body.messageId ?? body.message_id;
      if (typeof id === 'string' || typeof id === 'number') providerId = String(id);
    } catch {
      // gateways may answer plain text; the status code is what counts
    }
    return providerId ? { providerId } : {};
  }
}
