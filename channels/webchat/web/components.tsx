/** The page's parts: the welcome with the menu and the privacy notice, a message, the composer. */
import type { JSX } from 'preact';
import { useRef } from 'preact/hooks';
import type { Entry } from './api.js';
import type { Strings } from './i18n.js';
import { Linkified } from './linkify.js';

/** A map pin (drawn, so that it shows without an emoji font). */
export function Pin(): JSX.Element {
  return (
    <svg class="pin" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z" />
    </svg>
  );
}

/** The first screen: a welcome, the menu (each item sends its number) and what is kept and why. */
export function Welcome({ t, disabled, onChoose }: { t: Strings; disabled: boolean; onChoose: (n: string) => void }): JSX.Element {
  return (
    <section class="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title">{t.welcome}</h2>
      <p>{t.intro}</p>
      <ol class="menu">
        {t.menu.map((label, i) => (
          <li key={label}>
            <button type="button" class="menu-item" disabled={disabled} onClick={() => onChoose(String(i + 1))}>
              {label}
            </button>
          </li>
        ))}
      </ol>
      <p class="privacy">{t.privacy}</p>
    </section>
  );
}

/** A line shown in the log: a transcript entry, or a message still on its way (no seq yet). */
export interface Line {
  key: string;
  entry: Pick<Entry, 'direction' | 'author' | 'text' | 'kind'>;
  failed?: boolean;
  /** What was posted and its client id, kept so that a retry is recognised as the same message. */
  body?: { text?: string; location?: { latitude: number; longitude: number } };
  clientMessageId?: string;
}

/** One message bubble; who wrote it is said for screen readers. */
export function Message({ t, line, onRetry }: { t: Strings; line: Line; onRetry?: (() => void) | undefined }): JSX.Element {
  const { direction, author, text } = line.entry;
  const mine = direction === 'in';
  const who = mine ? t.you : author === 'agent' ? t.agent : t.bot;
  const cls = ['msg', mine ? 'out' : 'in', author === 'agent' ? 'agent' : '', line.failed ? 'failed' : ''].filter(Boolean).join(' ');
  return (
    <div class={cls} dir="auto">
      <span class="sr-only">{who}: </span>
      {text ? (
        <Linkified text={text} />
      ) : (
        <span>
          <Pin /> {t.locationSent}
        </span>
      )}
      {line.failed && (
        <button type="button" class="retry" disabled={!onRetry} onClick={onRetry}>
          {t.retry}
        </button>
      )}
    </div>
  );
}

/** The message box, the send button and the location button. */
export function Composer(props: { t: Strings; waiting: boolean; canLocate: boolean; onSend: (text: string) => void; onLocate: () => void }): JSX.Element {
  const { t, waiting, canLocate } = props;
  const input = useRef<HTMLInputElement>(null);
  const submit = (e: Event): void => {
    e.preventDefault();
    const el = input.current;
    const text = el?.value.trim() ?? '';
    if (!el || !text || waiting) return;
    el.value = '';
    props.onSend(text);
  };
  return (
    <form class="composer" onSubmit={submit} autocomplete="off">
      <label for="text" class="sr-only">
        {t.messageLabel}
      </label>
      <input id="text" ref={input} dir="auto" maxLength={4000} placeholder={t.placeholder} />
      <button id="send" type="submit" disabled={waiting}>
        {t.send}
      </button>
      <button
        id="locate"
        type="button"
        class="secondary"
        disabled={waiting || !canLocate}
        title={canLocate ? t.location : t.locationUnavailable}
        onClick={props.onLocate}
      >
        <Pin /> {t.location}
      </button>
    </form>
  );
}
