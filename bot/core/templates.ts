import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { parse } from 'yaml';
import type { TawasulConfig } from '../../config/schema.js';
import { ConfigError } from './errors.js';
import { defaultTemplatesDir } from './paths.js';
import type { Language } from './types.js';

/** Variables substituted into `{name}` arguments. */
export type TemplateVars = Record<string, string | number>;

/** Locales of the message formats: Arabic plural rules with Latin digits (as the replies write numbers). */
const LOCALE: Record<Language, string> = { ar: 'ar-OM-u-nu-latn', en: 'en-GB' };

/**
 * A compiled message: its format and argument names and, when it is only text and plain `{name}`
 * arguments (most replies), those pieces, so that rendering is a concatenation.
 */
interface Compiled {
  format: IntlMessageFormat;
  args: string[];
  /** Text pieces (strings) and argument names (`{ arg }`), in order; undefined when plural, select or the like. */
  pieces?: Array<string | { arg: string }>;
}

/** Compiled messages by language, then by source (the catalog's own strings: no key to build and hash per call). */
const compiled: Record<Language, Map<string, Compiled>> = { ar: new Map(), en: new Map() };

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
  const cache = compiled[lang];
  let c = cache.get(source);
  if (!c) {
    const format = new IntlMessageFormat(source, LOCALE[lang], undefined, { ignoreTag: true });
    const ast = format.getAst() as Array<{ type: number; value: unknown }>;
    // Types 0 and 1 are literal text and a plain argument.
    const plain = ast.every((el) => (el.type === 0 || el.type === 1) && typeof el.value === 'string');
    c = {
      format,
      args: argumentNames(ast),
      ...(plain ? { pieces: ast.map((el) => (el.type === 0 ? (el.value as string) : { arg: el.value as string })) } : {}),
    };
    cache.set(source, c);
  }
  if (c.pieces) {
    let out = '';
    for (const p of c.pieces) {
      if (typeof p === 'string') out += p;
      else if (!(p.arg in vars)) out += `{${p.arg}}`;
      else {
        const v = vars[p.arg];
        // As IntlMessageFormat renders a plain argument: strings and numbers as String(v), anything else empty.
        out += typeof v === 'string' || typeof v === 'number' ? String(v) : '';
      }
    }
    return out;
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
      timeZone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    dateFormats.set(key, f);
  }
  return f.format(at);
}

/** A message catalog entry: one message, or named parts (a notification's `subject`, `text`, `sms`). */
export type CatalogEntry = string | Record<string, string>;

/**
 * Reads the catalogs of both languages (`fileOf(lang)` under `dir`): every entry a message or a
 * mapping of messages, every message valid ICU, and both languages defining the same keys and parts.
 * The one loader of the template layer: replies (`Templates`) and notifications use it.
 */
export function loadCatalogs(dir: string, fileOf: (lang: Language) => string, parts: boolean): Record<Language, Record<string, CatalogEntry>> {
  const load = (lang: Language): Record<string, CatalogEntry> => {
    const file = join(dir, fileOf(lang));
    const shown = relative(process.cwd(), file) || file;
    const data = parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof data !== 'object' || data === null) throw new ConfigError(`${shown}: expected a mapping`, file, '(document)');
    for (const [k, v] of Object.entries(data)) {
      const ok = typeof v === 'string' || (parts && typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string'));
      if (!ok) throw new ConfigError(`${shown}: ${k}: expected a string${parts ? ' or a mapping of strings' : ''}`, file, k);
      for (const [part, src] of typeof v === 'string' ? [['', v]] : Object.entries(v as Record<string, string>)) {
        const bad = checkMessage(lang, src as string);
        if (bad) throw new ConfigError(`${shown}: ${k}${part ? `.${part}` : ''}: not a valid message (${bad})`, file, k);
      }
    }
    return data as Record<string, CatalogEntry>;
  };
  const texts = { ar: load('ar'), en: load('en') };
  for (const [a, b] of [
    ['ar', 'en'],
    ['en', 'ar'],
  ] as const) {
    for (const [k, v] of Object.entries(texts[a])) {
      const other = texts[b][k];
      const file = join(dir, fileOf(b));
      const shown = relative(process.cwd(), file) || file;
      if (other === undefined || typeof other !== typeof v) throw new ConfigError(`${shown}: ${k}: missing (defined in ${fileOf(a)})`, file, k);
      if (typeof v === 'object') {
        for (const part of Object.keys(v)) {
          if (typeof other !== 'object' || !(part in other)) throw new ConfigError(`${shown}: ${k}.${part}: missing`, file, `${k}.${part}`);
        }
      }
    }
  }
  return texts;
}

/** The organisation's facts as template variables (`{org}`, `{portal}`, `{tajawob}`, `{email}`, `{callCentre}`). */
export function organisationVars(o: TawasulConfig['organisation'], lang: Language): TemplateVars {
  return { org: o.name[lang], portal: o.portal, tajawob: o.tajawob, email: o.contactEmail, callCentre: o.callCentre };
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
    this.texts = loadCatalogs(dir, (lang) => `${lang}.yaml`, false) as Record<Language, Record<string, string>>;
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
