import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../bot/core/errors.js';
import { defaultTemplatesDir } from '../../bot/core/paths.js';
import { formatDate } from '../../bot/core/templates.js';
import { NotificationTemplates } from '../../bot/notify/templates.js';
import { tempDir } from '../helpers/tmp.js';

describe('notification templates', () => {
  const t = new NotificationTemplates();
  const vars = {
    reference: 'BUR-2026-00001',
    service: 's',
    department: 'd',
    due: 'x',
    org: 'o',
    portal: 'p',
    callCentre: 'c',
    status: 'st',
    message: '',
    reason: 'r',
    action: 'a',
    role: 'ro',
    level: 1,
    days: 5,
    filed: 'f',
    since: 's',
  };

  it('renders every message in both languages with no placeholder left', () => {
    for (const lang of ['ar', 'en'] as const) {
      for (const key of ['request_accepted', 'status_changed', 'request_overdue', 'escalation']) {
        const m = t.message(lang, key, vars);
        for (const part of [m.subject, m.text, m.sms]) expect(part, `${lang} ${key}`).not.toMatch(/\{\w+\}/);
      }
      expect(t.status(lang, 'in_progress')).not.toBe('in_progress');
    }
    expect(formatDate(new Date('2026-02-08T10:20:00Z'), 'ar', 'Asia/Muscat')).toBe('الأحد، 8 فبراير 2026');
    expect(formatDate(new Date('2026-02-08T10:20:00Z'), 'en', 'Asia/Muscat', true)).toBe('Sunday, 8 February 2026 at 14:20');
  });

  it('refuses a language file that lacks a key of the other', () => {
    const d = tempDir();
    try {
      mkdirSync(join(d.dir, 'tpl'));
      writeFileSync(join(d.dir, 'tpl', 'notifications.ar.yaml'), readFileSync(join(defaultTemplatesDir, 'notifications.ar.yaml')));
      writeFileSync(
        join(d.dir, 'tpl', 'notifications.en.yaml'),
        readFileSync(join(defaultTemplatesDir, 'notifications.en.yaml'), 'utf8').replace(/^resident_message:.*$/m, ''),
      );
      expect(() => new NotificationTemplates(join(d.dir, 'tpl'))).toThrow(ConfigError);
    } finally {
      d.cleanup();
    }
  });
});
