/** Notification texts in Arabic and English, read from `templates/notifications.{ar,en}.yaml` by the one template layer (`core/templates.ts`). */
import { defaultTemplatesDir } from '../core/paths.js';
import { type CatalogEntry, formatMessage, loadCatalogs, type TemplateVars } from '../core/templates.js';
import type { Language } from '../core/types.js';
import type { RequestStatus } from '../store/types.js';

/** Values substituted into `{name}` placeholders (the template layer's variables). */
export type NotifyVars = TemplateVars;

/** A message rendered for every channel: e-mail subject and body, SMS text. */
export interface RenderedMessage {
  subject: string;
  text: string;
  sms: string;
}

type Entry = CatalogEntry;
const MESSAGE_PARTS = ['subject', 'text', 'sms'] as const;

/** Tidies a rendered text: no trailing spaces, at most one blank line in a row. */
const tidy = (s: string): string =>
  s
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/** The notification templates of both languages; both files must define the same keys and parts. */
export class NotificationTemplates {
  private readonly texts: Record<Language, Record<string, Entry>>;

  constructor(dir: string = defaultTemplatesDir) {
    this.texts = loadCatalogs(dir, (lang) => `notifications.${lang}.yaml`, true);
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
