/** Text normalization for matching: digits, Arabic letter variants, diacritics, case and punctuation. */

const ARABIC_INDIC_ZERO = 0x0660;
const PERSIAN_ZERO = 0x06f0;

/** Converts Arabic-Indic (٠-٩) and Persian (۰-۹) digits to ASCII 0-9; everything else is kept. */
export function toAsciiDigits(s: string): string {
  return s.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => {
    const code = d.charCodeAt(0);
    return String(code >= PERSIAN_ZERO ? code - PERSIAN_ZERO : code - ARABIC_INDIC_ZERO);
  });
}

// Harakat, tanween, shadda, sukun, superscript alef, Quranic annotation marks, and tatweel.
const DIACRITICS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640]/g;
// Letter variants unified as is customary for matching (not for display).
const LETTER_MAP: Record<string, string> = {
  أ: 'ا',
  إ: 'ا',
  آ: 'ا',
  ٱ: 'ا',
  ٲ: 'ا',
  ٳ: 'ا',
  ى: 'ي',
  ی: 'ي',
  ئ: 'ي',
  ة: 'ه',
  ۀ: 'ه',
  ؤ: 'و',
  ک: 'ك',
};
const LETTER_VARIANTS = new RegExp(`[${Object.keys(LETTER_MAP).join('')}]`, 'g');

/** Strips diacritics and tatweel, unifies alef/ya/ta-marbuta/hamza-seat variants, and converts digits to ASCII. */
export function normalizeArabic(s: string): string {
  return toAsciiDigits(
    s
      .normalize('NFKC')
      .replace(DIACRITICS, '')
      .replace(LETTER_VARIANTS, (c) => LETTER_MAP[c] ?? c),
  );
}

// Connectors kept only between two letters/digits ("e-mail", "n/a", "a.b@c.om", "don't").
const CONNECTOR = /(?<=[\p{L}\p{N}])[-/@.+'_](?=[\p{L}\p{N}])/gu;
const PLACEHOLDER = '\u0001';

/** Recent results: a message is normalized for its features and again for the question cues (model.ts); the work is done once. */
const recent = new Map<string, string>();
const RECENT_MAX = 64;

/** normalizeArabic + lower case + Latin accents and punctuation/emoji removed (intra-word connectors kept) + collapsed whitespace. */
export function normalizeForMatch(s: string): string {
  const known = recent.get(s);
  if (known !== undefined) return known;
  const normalized = normalizeUncached(s);
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(s, normalized);
  return normalized;
}

function normalizeUncached(s: string): string {
  const kept: string[] = [];
  let next = 0;
  return normalizeArabic(s)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(CONNECTOR, (c) => {
      kept.push(c);
      return PLACEHOLDER;
    })
    .replace(/[^\p{L}\p{N}\u0001]+/gu, ' ')
    .replace(/\u0001/g, () => kept[next++] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}
