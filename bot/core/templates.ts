import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { parse } from 'yaml';
import type { Language } from './types.js';
import { ConfigError } from './errors.js';
import { defaultTemplatesDir } from './paths.js';

/** Variables substituted into `{name}` arguments. */
export type TemplateVars = Record<string, string | number>;

/** Locales of the message formats: Arabic plural rules with Latin digits (as the replies write numbers). */
const LOCALE: Record<Language, string> = { ar: 'ar-OM-u-nu-latn', en: 'en-GB' };

const compiled = new Map<string, { format: IntlMessageFormat; args: string[] }>();

/** Names of the arguments of a parsed message (recursively, through plural and select options). */
function argumentNames(ast: unknown, out = new Set<string>()): string[] {
  const visit = (els: unknown): void => {
    if (!Array.isArray(els)) return;
    for (const el of els as Array<{ type: number; value?: unknown; options?: Record<string, { value: unknown }> }>) {
      // Types 1–6 are argument, number, date, time, select and plural elements.
      if (el.type >= 1 && el.type <= 6 && typeof el.value === 'string') out.add(el.value);
      for (const o of Object.values(el.options ?? {})) visit(o.value);
    }
  };
  visit(ast);
  return [...out];
}

/**
 * Renders an ICU message (`{name}`, `{days, plural, one {…} two {…} few {…} many {…} other {…}}`) in
 * a language. The one template layer: replies (`Templates`) and notifications both go through it.
 * An argument without a value is left as `{name}` (visible, never a crash).
 */
export function formatMessage(lang: Language, source: string, vars: TemplateVars = {}): string {
  const key = `${lang}\u0000${source}`;
  let c = compiled.get(key);
  if (!c) {
    const format = new IntlMessageFormat(source, LOCALE[lang], undefined, { ignoreTag: true });
    c = { format, args: argumentNames(format.getAst()) };
    compiled.set(key, c);
  }
  const values: TemplateVars = { ...vars };
  for (const a of c.args) if (!(a in values)) values[a] = `{${a}}`;
  return String(c.format.format(values));
}

/** Checks that a message parses; the error names what is wrong. */
export function checkMessage(lang: Language, source: string): string | undefined {
  try {
    new IntlMessageFormat(source, LOCALE[lang], undefined, { ignoreTag: true });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A date (and optionally time) in words, in a time zone, with Latin digits: the one date formatter. */
export function formatDate(at: Date, lang: Language, timeZone: string, withTime = false): string {
  const key = `${lang}|${timeZone}|${withTime}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE[lang], {
      timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    dateFormats.set(key, f);
  }
  return f.format(at);
}

/**
 * Reply texts in Arabic and English, read from `templates/` as ICU messages. Both languages must
 * define the same keys and every message must parse; the approved Tajawob reply is kept verbatim
 * in its own file.
 */
export class Templates {
  private readonly texts: Record<Language, Record<string, string>>;
  readonly tajawob: Record<Language, string>;

  constructor(dir: string = defaultTemplatesDir) {
    const load = (lang: Language): Record<string, string> => {
      const file = join(dir, `${lang}.yaml`);
      const shown = relative(process.cwd(), file) || file;
      const data = parse(readFileSync(file, 'utf8')) as unknown;
      if (typeof data !== 'object' || data === null) throw new ConfigError(`${file}: expected a mapping`, file, '(document)');
      for (const [k, v] of Object.entries(data)) {
        if (typeof v !== 'string') throw new ConfigError(`${shown}: ${k}: expected a string`, file, k);
        const bad = checkMessage(lang, v);
        if (bad) throw new ConfigError(`${shown}: ${k}: not a valid message (${bad})`, file, k);
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

  /** The message `key` in `lang` with its arguments filled; unknown keys throw. */
  render(lang: Language, key: string, vars: TemplateVars = {}): string {
    const t = this.texts[lang][key];
    if (t === undefined) throw new RangeError(`unknown template "${key}"`);
    return formatMessage(lang, t, vars).trim();
  }

  /** The approved auto-reply: Arabic verbatim, with the English rendition after it for non-Arabic writers. */
  approvedReply(lang: Language): string {
    return lang === 'ar' ? this.tajawob.ar : `${this.tajawob.ar}\n\n${this.tajawob.en}`;
  }
}
