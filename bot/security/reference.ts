/**
 * Request references: `BUR-2026-7K4Q-9M2X`. The two random groups come from an alphabet without
 * look-alikes (digits 2–9; no O, I, L, Z, S, B, U, V), so a reference can be read over the phone; each
 * group holds at least one letter, so no run of eight digits (an Omani phone number) or of six to
 * ten (a civil ID) can appear in a reference. About 2 × 10^11 codes per prefix and year.
 */
import { randomInt } from 'node:crypto';

/** The characters of the random part. */
export const REFERENCE_ALPHABET = '23456789ACDEFGHJKMNPQRTWXY';
const DIGITS = /^\d+$/;

function group(): string {
  for (;;) {
    let g = '';
    for (let i = 0; i < 4; i++) g += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
    if (!DIGITS.test(g)) return g;
  }
}

/** A fresh random reference code `XXXX-XXXX` (cryptographically random). */
export function randomReferenceCode(): string {
  return `${group()}-${group()}`;
}
