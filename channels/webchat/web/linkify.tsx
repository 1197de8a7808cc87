/** Message text with its http(s) links made clickable; the text is never parsed as HTML. */
import type { JSX } from 'preact';

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'«»]+/gi;
const TRAILING = /[.,;:!?؟،)\]»]+$/;

/** The link target of a piece of text, or null when it is not an http(s) URL. */
export function safeHref(candidate: string): string | null {
  try {
    const u = new URL(candidate);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Splits `text` into strings and links. */
export function Linkified({ text }: { text: string }): JSX.Element {
  const parts: Array<string | JSX.Element> = [];
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const raw = m[0].replace(TRAILING, '');
    const start = m.index ?? 0;
    const href = safeHref(raw);
    if (!href) continue;
    if (start > last) parts.push(text.slice(last, start));
    parts.push(
      <a href={href} target="_blank" rel="noopener noreferrer" dir="ltr">
        {raw}
      </a>,
    );
    last = start + raw.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}
