import { describe, expect, it } from 'vitest';
import { Templates } from '../../bot/core/templates.js';

/** The approved reply as SPEC.md renders it (the reference the tests use). */
const APPROVED = [
  'مرحباً بك أخي الكريم',
  'شكراً لتواصلكم، ونأمل منكم -لطفاً- تقديم المقترحات / الاستفسارات / الشكاوى / البلاغات عبر المنصة الوطنية للمقترحات والشكاوى والبلاغات (تجاوب) من خلال الرابط الآتي: https://tajawob.om',
  'سُعدنا بتواصلكم',
].join('\n');

describe('templates', () => {
  const t = new Templates();
  it('keeps the approved Tajawob reply verbatim', () => {
    expect(t.approvedReply('ar')).toBe(APPROVED);
  });
  it('puts the English rendition after the Arabic text for non-Arabic writers', () => {
    const en = t.approvedReply('en');
    expect(en.startsWith(APPROVED)).toBe(true);
    expect(en).toMatch(/Tajawob\).*https:\/\/tajawob\.om/s);
  });
  it('renders placeholders in both languages', () => {
    expect(t.render('ar', 'status_ask_phone', { reference: 'BUR-2026-00001' })).toContain('BUR-2026-00001');
    expect(t.render('en', 'too_long', { max: 4000 })).toContain('4000');
    expect(() => t.render('en', 'no_such_key')).toThrow(/unknown template/);
  });
});

describe('counts in replies and notifications (ICU plural forms)', () => {
  const t = new Templates();
  it('uses the Arabic forms for one, two, 3–10 and 11+', () => {
    expect(t.render('ar', 'duration_days', { days: 1 })).toBe('يوم عمل واحد');
    expect(t.render('ar', 'duration_days', { days: 2 })).toBe('يوما عمل');
    expect(t.render('ar', 'duration_days', { days: 3 })).toBe('3 أيام عمل');
    expect(t.render('ar', 'duration_days', { days: 10 })).toBe('10 أيام عمل');
    expect(t.render('ar', 'duration_days', { days: 11 })).toBe('11 يوم عمل');
    expect(t.render('ar', 'duration_days', { days: 30 })).toBe('30 يوم عمل');
  });
  it('uses one/other in English', () => {
    expect(t.render('en', 'duration_days', { days: 1 })).toBe('1 working day');
    expect(t.render('en', 'duration_days', { days: 6 })).toBe('6 working days');
  });
  it('renders notifications through the same layer', async () => {
    const { NotificationTemplates } = await import('../../bot/notify/templates.js');
    const n = new NotificationTemplates();
    expect(n.phrase('ar', 'overdue_reason_default', { department: 'القسم', days: 2 })).toContain('(يوما عمل)');
    expect(n.phrase('ar', 'overdue_reason_default', { department: 'القسم', days: 12 })).toContain('(12 يوم عمل)');
    expect(n.phrase('en', 'overdue_reason_default', { department: 'X', days: 1 })).toContain('(1 working day)');
  });
  it('refuses a template file whose message does not parse, naming the key', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
    for (const f of ['ar.yaml', 'en.yaml', 'tajawob-reply.ar.txt', 'tajawob-reply.en.txt']) writeFileSync(join(dir, f), readFileSync(join('templates', f)));
    writeFileSync(join(dir, 'en.yaml'), `${readFileSync(join('templates', 'en.yaml'), 'utf8')}\nbroken: "{days, plural, one {x}"\n`);
    writeFileSync(join(dir, 'ar.yaml'), `${readFileSync(join('templates', 'ar.yaml'), 'utf8')}\nbroken: "x"\n`);
    expect(() => new Templates(dir)).toThrow(/en\.yaml: broken: not a valid message/);
  });
});

describe('rendering plain messages by concatenation', () => {
  it('gives what IntlMessageFormat gives for every message of every catalog, with and without values', async () => {
    const { IntlMessageFormat } = await import('intl-messageformat');
    const { formatMessage, loadCatalogs } = await import('../../bot/core/templates.js');
    const { defaultTemplatesDir } = await import('../../bot/core/paths.js');
    const locale = { ar: 'ar-OM-u-nu-latn', en: 'en-GB' } as const;
    const sources: Array<['ar' | 'en', string]> = [];
    for (const [file, parts] of [
      [(l: string) => `${l}.yaml`, false],
      [(l: string) => `notifications.${l}.yaml`, true],
    ] as const) {
      const cats = loadCatalogs(defaultTemplatesDir, file, parts);
      for (const lang of ['ar', 'en'] as const) {
        for (const v of Object.values(cats[lang])) for (const src of typeof v === 'string' ? [v] : Object.values(v)) sources.push([lang, src]);
      }
    }
    expect(sources.length).toBeGreaterThan(50);
    const argsOf = (ast: unknown, out: Set<string>): Set<string> => {
      for (const el of ast as Array<{ type: number; value?: unknown; options?: Record<string, { value: unknown }> }>) {
        if (el.type >= 1 && el.type <= 6 && typeof el.value === 'string') out.add(el.value);
        for (const o of Object.values(el.options ?? {})) argsOf(o.value, out);
      }
      return out;
    };
    for (const [lang, src] of sources) {
      const reference = new IntlMessageFormat(src, locale[lang], undefined, { ignoreTag: true });
      const names = [...argsOf(reference.getAst(), new Set())];
      for (const vars of [{}, Object.fromEntries(names.map((n, i) => [n, i % 2 ? `v-${n}` : i + 2])), Object.fromEntries(names.map((n) => [n, '']))]) {
        const filled: Record<string, string | number> = { ...vars };
        for (const n of names) if (!(n in filled)) filled[n] = `{${n}}`;
        expect(formatMessage(lang, src, vars)).toBe(String(reference.format(filled)));
      }
    }
  });
});
