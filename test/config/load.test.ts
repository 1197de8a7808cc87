import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../bot/config/load.js';
import { ConfigError } from '../../bot/core/errors.js';
import { defaultConfigDir } from '../../bot/core/paths.js';
import { tempDir } from '../helpers/tmp.js';

const SPEC_SERVICES: Record<string, { days?: number; escalateAfter: number; via: string[] }> = {
  'governor-meeting': { escalateAfter: 7, via: ['system', 'email'] },
  'wali-meeting': { escalateAfter: 7, via: ['system', 'email'] },
  training: { days: 5, escalateAfter: 5, via: ['system', 'email', 'sms'] },
  'winter-camps': { days: 5, escalateAfter: 5, via: ['system', 'email', 'sms'] },
  potholes: { escalateAfter: 10, via: ['system', 'email', 'sms'] },
  'weather-damage': { escalateAfter: 10, via: ['system', 'email', 'sms'] },
  'wadi-protection': { escalateAfter: 10, via: ['system', 'email', 'sms'] },
  'equipment-general': { escalateAfter: 10, via: ['system', 'email', 'sms'] },
  'mobile-vendors': { days: 5, escalateAfter: 5, via: ['system', 'email', 'sms'] },
  'mobile-cafe': { days: 5, escalateAfter: 5, via: ['system', 'email', 'sms'] },
  'stray-animals': { days: 5, escalateAfter: 5, via: ['system', 'email', 'sms'] },
  'pest-control': { days: 5, escalateAfter: 5, via: ['system', 'email', 'sms'] },
  'public-cleanliness': { days: 5, escalateAfter: 5, via: ['system', 'email', 'sms'] },
  'liwan-closure': { days: 5, escalateAfter: 5, via: ['system', 'email', 'sms'] },
  'commercial-frontage': { days: 5, escalateAfter: 5, via: ['system', 'email', 'sms'] },
};

function copyConfig(): { dir: string; cleanup: () => void } {
  const t = tempDir();
  mkdirSync(join(t.dir, 'config'));
  for (const f of readdirSync(defaultConfigDir).filter((f) => f.endsWith('.yaml'))) copyFileSync(join(defaultConfigDir, f), join(t.dir, 'config', f));
  return { dir: join(t.dir, 'config'), cleanup: t.cleanup };
}

describe('configuration', () => {
  it('holds the 15 services of the SLA with their completion times and escalation rules', () => {
    const cfg = loadConfig();
    expect(cfg.services.map((s) => s.id).sort()).toEqual(Object.keys(SPEC_SERVICES).sort());
    for (const s of cfg.services) {
      const spec = SPEC_SERVICES[s.id]!;
      expect(s.completion.workingDays, s.id).toBe(spec.days);
      expect(s.escalation[0]!.afterWorkingDays, s.id).toBe(spec.escalateAfter);
      expect(s.escalation[0]!.via, s.id).toEqual(spec.via);
      expect(s.name.ar.length).toBeGreaterThan(3);
      expect(s.fields.map((f) => f.id)).toEqual(expect.arrayContaining(['name', 'civilId', 'phone', 'description']));
    }
  });

  it('holds the channels with their hours and first-response targets', () => {
    const cfg = loadConfig();
    const byId = new Map(cfg.channels.map((c) => [c.id, c]));
    expect(byId.get('x-alburaimigov')?.firstResponse).toEqual({ type: 'minutes', minutes: 30 });
    expect(byId.get('x-burmunicpality')?.firstResponse).toEqual({ type: 'minutes', minutes: 30 });
    expect(byId.get('email')?.firstResponse).toEqual({ type: 'open-hours', hours: 24 });
    expect(byId.get('webchat')?.firstResponse).toEqual({ type: 'immediate' });
    expect(cfg.calendar.weekend).toEqual(['fri', 'sat']);
    expect(cfg.calendar.timeZone).toBe('Asia/Muscat');
    expect(cfg.defaults.proceduralWorkingDays).toBe(6);
  });

  it('names the file and the field of an invalid value', () => {
    const c = copyConfig();
    const file = join(c.dir, 'services.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('afterWorkingDays: 10, role: equipment-section-head', 'afterWorkingDays: -3, role: equipment-section-head'),
    );
    try {
      loadConfig({ dir: c.dir });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toMatch(/services\.yaml: services\[4\]\.escalation\[0\]\.afterWorkingDays/);
      expect((e as ConfigError).field).toBe('services[4].escalation[0].afterWorkingDays');
    } finally {
      c.cleanup();
    }
  });

  it('names the file of a YAML syntax error and of a key defined twice', () => {
    const c = copyConfig();
    writeFileSync(join(c.dir, 'zz-broken.yaml'), 'defaults: [unclosed\n');
    expect(() => loadConfig({ dir: c.dir })).toThrow(/zz-broken\.yaml: YAML error/);
    writeFileSync(join(c.dir, 'zz-broken.yaml'), 'defaults: {}\n');
    expect(() => loadConfig({ dir: c.dir })).toThrow(/zz-broken\.yaml: key "defaults" is already defined/);
    c.cleanup();
  });

  it('refuses unknown references between sections and unknown fields', () => {
    expect(() => loadConfig({ patch: { services: [{ id: 'training', escalation: [{ afterWorkingDays: 5, role: 'nobody', via: ['email'] }] }] } })).toThrow(
      /services\[2\]\.escalation\[0\]\.role: unknown role "nobody"/,
    );
    expect(() => loadConfig({ patch: { defaults: { colour: 'green' } } })).toThrow(/defaults/);
  });

  it('merges an overlay file by id (role contacts, confirmed holidays) without touching the rest', () => {
    const t = tempDir();
    const overlay = join(t.dir, 'local.yaml');
    writeFileSync(
      overlay,
      [
        'roles:',
        '  - { id: training-manager, email: training@bur.gov.om, phone: "+96891234567" }',
        'calendar:',
        '  holidays:',
        '    - { id: eid-al-fitr, name: { ar: عيد الفطر, en: Eid al-Fitr }, from: "2027-03-09", to: "2027-03-12", status: confirmed }',
      ].join('\n'),
    );
    const cfg = loadConfig({ overlays: [overlay] });
    expect(cfg.roles.find((r) => r.id === 'training-manager')?.email).toBe('training@bur.gov.om');
    expect(cfg.roles).toHaveLength(loadConfig().roles.length);
    expect(cfg.calendar.holidays).toHaveLength(1);
    t.cleanup();
  });
});
