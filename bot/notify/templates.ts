/** Notification texts in Arabic and English, read from `templates/notifications.{ar,en}.yaml`. */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { defaultTemplatesDir } from '../core/paths.js';
import { checkMessage, formatDate as coreFormatDate, formatMessage } from '../core/templates.js';
import type { Language } from '../core/types.js';
import type { RequestStatus } from '../store/types.js';

/** Values substituted into `{name}` placeholders. */
export type NotifyVars = Record<string, string | number>;

/** A message rendered for every channel: e-mail subject and body, SMS text. */
export interface RenderedMessage {
  subject: string;
  text: string;
  sms: string;
}

type Entry = string | Record<string, string>;
const MESSAGE_PARTS = ['subject', 'text', 'sms'] as const;


/** Tidies a rendered text: no trailing spaces, at most one blank line in a row. */
const tidy = (s: string): string => s.split('\n').map((l) => l.trimEnd()).join('\n').replace(/\n{3,}/g, '\n\n').trim();

/** The notification templates of both languages; both files must define the same keys and parts. */
export class NotificationTemplates {
  private readonly texts: Record<Language, Record<string, Entry>>;

  constructor(dir: string = defaultTemplatesDir) {
    const load = (lang: Language): Record<string, Entry> => {
      const file = join(dir, `notifications.${lang}.yaml`);
      const shown = relative(process.cwd(), file) || file;
      const data = parse(readFileSync(file, 'utf8')) as unknown;
      if (typeof data !== 'object' || data === null) throw new ConfigError(`${shown}: expected a mapping`, shown, '(document)');
      for (const [k, v] of Object.entries(data)) {
        const ok = typeof v === 'string' || (typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string'));
        if (!ok) throw new ConfigError(`${shown}: ${k}: expected a string or a mapping of strings`, shown, k);
        for (const [part, src] of typeof v === 'string' ? [['', v]] : Object.entries(v as Record<string, string>)) {
          const bad = checkMessage(lang, src as string);
          if (bad) throw new ConfigError(`${shown}: ${k}${part ? `.${part}` : ''}: not a valid message (${bad})`, shown, k);
        }
      }
      return data as Record<string, Entry>;
    };
    this.texts = { ar: load('ar'), en: load('en') };
    for (const [a, b] of [['ar', 'en'], ['en', 'ar']] as const) {
      for (const [k, v] of Object.entries(this.texts[a])) {
        const other = this.texts[b][k];
        const file = `notifications.${b}.yaml`;
        if (other === undefined || typeof other !== typeof v) throw new ConfigError(`${file}: ${k}: missing (defined in notifications.${a}.yaml)`, file, k);
        if (typeof v === 'object') {
          for (const part of Object.keys(v)) {
            if (typeof other !== 'object' || !(part in other)) throw new ConfigError(`${file}: ${k}.${part}: missing`, file, `${k}.${part}`);
          }
        }
      }
    }
  }

  /** A message template (`subject`, `text`, `sms`) rendered in `lang`. */
  message(lang: Language, key: string, vars: NotifyVars): RenderedMessage {
    const t = this.texts[lang][key];
    if (typeof t !== 'object') throw new RangeError(`unknown notification "${key}"`);
    const out = {} as RenderedMessage;
    for (const part of MESSAGE_PARTS) {
      const src = t[part];
      if (src === undefined) throw new RangeError(`notification "${key}" has no ${part}`);
      out[part] = tidy(formatMessage(lang, src, vars));
    }
    return out;
  }

  /** A one-line phrase rendered in `lang`. */
  phrase(lang: Language, key: string, vars: NotifyVars = {}): string {
    const t = this.texts[lang][key];
    if (typeof t !== 'string') throw new RangeError(`unknown notification phrase "${key}"`);
    return tidy(formatMessage(lang, t, vars));
  }

  /** The name of a request status in `lang`. */
  status(lang: Language, status: RequestStatus): string {
    const t = this.texts[lang].statuses;
    return (typeof t === 'object' ? t[status] : undefined) ?? status;
  }
}

/** A date (and optionally time) in words, in the calendar's time zone, with Latin digits (the core formatter). */
export const formatDate = coreFormatDate;
