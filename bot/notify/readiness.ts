/** What the notifications can reach at start-up: which transports are configured, which role contacts are missing. */
import type { TawasulConfig } from '../../config/schema.js';
import type { Logger } from '../core/logger.js';
import { resolveEmailSettings } from './email.js';
import { resolveSmsSettings } from './sms.js';

/** Configured transports and the escalation roles nobody can be told about. */
export interface NotificationReadiness {
  sms: boolean;
  email: boolean;
  /** Role ids used by an escalation ladder that have neither an e-mail nor a phone. */
  rolesWithoutContact: string[];
  /** What a filing reply may promise the resident: a configured transport that the resident notifications use. */
  residentPromise: { sms: boolean; email: boolean };
}

/** Reads the configuration and the environment (never the values themselves into the result). */
export function notificationReadiness(config: TawasulConfig, env: NodeJS.ProcessEnv): NotificationReadiness {
  const used = new Set(config.services.flatMap((s) => s.escalation.map((e) => e.role)));
  const sms = resolveSmsSettings(config.sla.notifications.sms, env) !== undefined;
  const email = resolveEmailSettings(config.sla.notifications.email, env) !== undefined;
  const r = config.sla.resident;
  const residentUses = (kind: 'sms' | 'email'): boolean => [r.onFiled, r.onStatusChange, r.onOverdue].some((list) => (list as string[]).includes(kind));
  return {
    sms,
    email,
    rolesWithoutContact: config.roles.filter((x) => used.has(x.id) && !x.email && !x.phone).map((x) => x.id),
    residentPromise: { sms: sms && residentUses('sms'), email: email && residentUses('email') },
  };
}

/** One clear warning line at start-up for what is missing (role ids and variable names only, no personal data). */
export function warnMissing(r: NotificationReadiness, logger: Logger): void {
  const missing: string[] = [];
  if (!r.sms) missing.push('SMS (set TAWASUL_SMS_URL, or sla.notifications.sms.url): residents get no SMS and replies do not promise any');
  if (!r.email) missing.push('SMTP (set TAWASUL_SMTP_HOST and TAWASUL_SMTP_FROM, or TAWASUL_SMTP_URL): no e-mail notifications or escalations');
  if (r.rolesWithoutContact.length)
    missing.push(
      `manager contacts for ${r.rolesWithoutContact.length} escalation roles (data/config.local.yaml roles[].email/phone): ${r.rolesWithoutContact.join(', ')}`,
    );
  if (missing.length) logger.warn({ missing }, `notifications not fully configured: ${missing.length} item(s) missing`);
}
