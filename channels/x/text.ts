/**
 * X's post length rules (twitter-text v3): a post holds 280 weighted characters, where code points
 * in the Latin, Arabic and general-punctuation ranges weigh 1, everything else (CJK, emoji) 2, and
 * every URL 23. Long replies are split into a thread at paragraph, line or word boundaries.
 */

/** Maximum weighted length of one post. */
export const MAX_POST_LENGTH = 280;
const URL_LENGTH = 23;
const LIGHT_RANGES: Array<[number, number]> = [
  [0, 4351],
  [8192, 8205],
  [8208, 8223],
  [8242, 8247],
];
const URL = /https?:\/\/[^\s]+/g;

function weightOf(cp: number): number {
  return LIGHT_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi) ? 1 : 2;
}

/** The weighted length X counts for `text`. */
export function postLength(text: string): number {
  const normalized = text.normalize('NFC');
  let length = 0;
  let last = 0;
  for (const m of normalized.matchAll(URL)) {
    for (const ch of normalized.slice(last, m.index)) length += weightOf(ch.codePointAt(0)!);
    length += URL_LENGTH;
    last = m.index + m[0].length;
  }
  for (const ch of normalized.slice(last)) length += weightOf(ch.codePointAt(0)!);
  return length;
}

/** Cuts a single over-long piece at the largest prefix that fits (never inside a surrogate pair). */
function hardSplit(piece: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of piece) {
    if (postLength(cur + ch) > max) {
      out.push(cur);
      cur = ch;
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** Packs pieces joined by `sep` greedily into chunks of at most `max`, splitting finer when a piece alone is too long. */
function pack(pieces: string[], sep: string, max: number, finer: (piece: string) => string[]): string[] {
  const out: string[] = [];
  let cur = '';
  for (const piece of pieces) {
    const candidate = cur ? cur + sep + piece : piece;
    if (postLength(candidate) <= max) {
      cur = candidate;
      continue;
    }
    if (cur) out.push(cur);
    cur = '';
    if (postLength(piece) <= max) cur = piece;
    else {
      const parts = finer(piece);
      out.push(...parts.slice(0, -1));
      cur = parts.at(-1) ?? '';
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Splits `text` into posts of at most `max` weighted characters: by paragraph, then line, then word. */
export function splitForThread(text: string, max = MAX_POST_LENGTH): string[] {
  const trimmed = text.trim();
  if (postLength(trimmed) <= max) return [trimmed];
  const byWord = (p: string): string[] => pack(p.split(/ +/).filter(Boolean), ' ', max, (w) => hardSplit(w, max));
  const byLine = (p: string): string[] =>
    pack(
      p
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
      '\n',
      max,
      byWord,
    );
  return pack(
    trimmed
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter(Boolean),
    '\n\n',
    max,
    byLine,
  );
}
