import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../bot/config/load.js';
import { createLogger } from '../../bot/core/logger.js';
import { notificationReadiness, warnMissing } from '../../bot/notify/readiness.js';

function capture(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  return {
    logger: createLogger({ level: 'info', destination: out }),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('start-up notification readiness', () => {
  const config = loadConfig({ overlays: [] });
  it('warns once, in one line, about missing SMS, SMTP and manager contacts (role ids only)', () => {
    const r = notificationReadiness(config, {});
    expect(r).toMatchObject({ sms: false, email: false });
    expect(r.rolesWithoutContact).toContain('equipment-section-head');
    const { logger, lines } = capture();
    warnMissing(r, logger);
    const warn = lines();
    expect(warn).toHaveLength(1);
    expect(warn[0]!.msg).toMatch(/notifications not fully configured: 3 item/);
    const text = JSON.stringify(warn[0]);
    expect(text).toMatch(/SMS/);
    expect(text).toMatch(/SMTP/);
    expect(text).toMatch(/manager contacts/);
  });
  it('promises residents only a transport that is configured and that resident notifications use', () => {
    const env = { TAWASUL_SMS_URL: 'http://127.0.0.1:9/sms' };
    expect(notificationReadiness(config, env).residentPromise).toEqual({ sms: true, email: false });
    const noSms = {
      ...config,
      sla: { ...config.sla, resident: { onFiled: ['email' as const], onStatusChange: ['email' as const], onOverdue: ['email' as const] } },
    };
    expect(notificationReadiness(noSms, env).residentPromise).toEqual({ sms: false, email: false });
  });

  it('says nothing when everything is configured', () => {
    const withRoles = { ...config, roles: config.roles.map((x) => ({ ...x, email: 'm@example.om' })) };
    const r = notificationReadiness(withRoles, {
      TAWASUL_SMS_URL: 'http://127.0.0.1:9/sms',
      TAWASUL_SMTP_HOST: '127.0.0.1',
      TAWASUL_SMTP_FROM: 'bot@example.om',
    });
    expect(r).toEqual({ sms: true, email: true, rolesWithoutContact: [], residentPromise: { sms: true, email: true } });
    const { logger, lines } = capture();
    warnMissing(r, logger);
    expect(lines()).toHaveLength(0);
  });
});
