/** Exact entity patterns: request references, Omani phone numbers, civil IDs and e-mail addresses. */
import { toAsciiDigits } from './normalize.js';

// BUR-2026-7K4Q-9M2X (bot/security/reference.ts: two random groups, each with a letter); also
// "bur 2026 7k4q 9m2x". Older sequential references: BUR-2026-00042, "bur 2026 00042", "BUR202600042".
const REFERENCE = /(?<![a-z0-9])bur[\s_-]*(\d{4})[\s_-]*((?=\d{0,3}[a-z])[a-z0-9]{4})[\s_-]*((?=\d{0,3}[a-z])[a-z0-9]{4})(?![a-z0-9])/i;
const SEQUENTIAL_REFERENCE = /(?<![a-z0-9])bur[\s_-]*(\d{4})[\s_-]*(\d{5,6})(?!\d)/i;
// 8 digits starting with 2, 7 or 9, optionally after +968 / 00968 / 968; single spaces or dashes between digits.
const PHONE = /(?<![\d+])(?:(?:\+|00)?968[\s-]?)?([279](?:[\s-]?\d){7})(?!\d)/;
// Digit runs that may be a civil ID (checked one by one).
const DIGIT_RUN = /(?<![\d+])\d{6,10}(?!\d)/g;
// Bounded parts keep the search linear on long input without an '@'.
const EMAIL = /(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@(?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24}(?![a-z0-9-])/i;

/** The first request reference, canonical upper case `BUR-YYYY-XXXX-XXXX` (or `BUR-YYYY-NNNNN`), or undefined. */
export function findReference(text: string): string | undefined {
  const ascii = toAsciiDigits(text);
  const m = REFERENCE.exec(ascii);
  if (m) return `BUR-${m[1]}-${m[2]!.toUpperCase()}-${m[3]!.toUpperCase()}`;
  const s = SEQUENTIAL_REFERENCE.exec(ascii);
  return s ? `BUR-${s[1]}-${s[2]}` : undefined;
}

const ANY_REFERENCE = new RegExp(`${REFERENCE.source}|${SEQUENTIAL_REFERENCE.source}`, 'gi');

/** `text` with every request reference (either form) replaced by `placeholder` (the classifier's features, civil-ID search). */
export function maskReferences(text: string, placeholder = ' '): string {
  return text.replace(ANY_REFERENCE, placeholder);
}

/** The first Omani phone number as its 8-digit national number, or undefined. */
export function findOmaniPhone(text: string): string | undefined {
  const m = PHONE.exec(toAsciiDigits(text));
  return m ? m[1]!.replace(/\D/g, '') : undefined;
}

/** True when `s` is a civil ID: 6 to 10 digits (Arabic-Indic digits accepted), nothing else. */
export function isValidCivilId(s: string): boolean {
  return /^\d{6,10}$/.test(toAsciiDigits(s).trim());
}

/** The first standalone 6–10-digit number that is neither a phone number nor part of a reference. */
export function findCivilId(text: string): string | undefined {
  const plain = maskReferences(toAsciiDigits(text));
  for (const m of plain.matchAll(DIGIT_RUN)) {
    const run = m[0];
    if (findOmaniPhone(run) === undefined && isValidCivilId(run)) return run;
  }
  return undefined;
}

/** The first e-mail address, or undefined. */
export function findEmail(text: string): string | undefined {
  return EMAIL.exec(text)?.[0];
}
