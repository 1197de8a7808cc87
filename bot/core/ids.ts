/**
 * Identifiers minted by Tawasul itself. No Node module here: the web chat page mints its client
 * message ids with the same code (Web Crypto's `getRandomValues`, available on plain HTTP too).
 */

/** UUID version 7 in its text form: the time in its first 48 bits, the version 7, the variant 10. */
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * A UUID version 7 (RFC 9562): the time in milliseconds in its first 48 bits, then 74 random bits.
 * Ids minted one after another sort (nearly) in order, so that rows keyed by them are appended to an
 * index's last pages instead of scattered over all of them.
 */
export function timeOrderedId(now: number = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  let r = '';
  for (const b of globalThis.crypto.getRandomValues(new Uint8Array(10))) r += (b < 16 ? '0' : '') + b.toString(16);
  // 12 random bits after the version, the variant (10) and 14 more, then 48.
  const variant = ((Number.parseInt(r[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(8, 20)}`;
}

/** True for a UUID version 7 (what `timeOrderedId` mints). */
export function isTimeOrderedId(id: string): boolean {
  return V7.test(id);
}
