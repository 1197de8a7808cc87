import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import type { Language } from './types.js';
import { ConfigError } from './errors.js';
import { defaultTemplatesDir } from './paths.js';

/** Variables substituted into `{name}` placeholders. */
export type TemplateVars = Record<string, string | number>;

/**
 * Reply texts in Arabic and English, read from `templates/`. Both languages must define the same keys;
 * the approved Tajawob reply is kept verbatim in its own file.
 */
export class Templates {
  private readonly texts: Record<Language, Record<string, string>>;
  readonly tajawob: Record<Language, string>;

  constructor(dir: string = defaultTemplatesDir) {
    const load = (lang: Language): Record<string, string> => {
      const file = join(dir, `${lang}.yaml`);
      const data = parse(readFileSync(file, 'utf8')) as unknown;
      if (typeof data !== 'object' || data === null) throw new ConfigError(`${file}: expected a mapping`, file, '(document)');
      for (const [k, v] of Object.entries(data)) {
        if (typeof v !== 'string') throw new ConfigError(`${relative(process.cwd(), file)}: ${k}: expected a string`, file, k);
      }
      return data as Record<string, string>;
    };
    this.texts = { ar: load('ar'), en: load('en') };
    for (const [a, b] of [['ar', 'en'], ['en', 'ar']] as const) {
      for (const k of Object.keys(this.texts[a])) {
        if (!(k in this.texts[b])) {
          const file = join(dir, `${b}.yaml`);
          throw new ConfigError(`${relative(process.cwd(), file)}: ${k}: missing (defined in ${a}.yaml)`, file, k);
        }
      }
    }
    this.tajawob = {
      ar: readFileSync(join(dir, 'tajawob-reply.ar.txt'), 'utf8').trim(),
      en: readFileSync(join(dir, 'tajawob-reply.en.txt'), 'utf8').trim(),
    };
  }

  /** True when the key exists. */
  has(key: string): boolean {
    return key in this.texts.ar;
  }

  /** The text of `key` in `lang` with placeholders filled; unknown keys throw. */
  render(lang: Language, key: string, vars: TemplateVars = {}): string {
    const t = this.texts[lang][key];
    if (t === undefined) throw new RangeError(`unknown template "${key}"`);
    return t.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)).trim();
  }

  /** The approved auto-reply: Arabic verbatim, with the English rendition after it for non-Arabic writers. */
  approvedReply(lang: Language): string {
    return lang === 'ar' ? this.tajawob.ar : `${this.tajawob.ar}\n\n${this.tajawob.en}`;
  }
}
