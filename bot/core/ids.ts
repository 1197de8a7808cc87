/** Identifiers minted by Tawasul itself. */
import { randomUUID } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): the time in milliseconds in its first 48 bits, then 74 random bits
 * (those of a `randomUUID`). Ids minted one after another sort (nearly) in order, so that rows keyed
 * by them are appended to an index's last pages instead of scattered over all of them.
 */
export function timeOrderedId(now: number = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  // randomUUID: 8 hex, '-', 4 hex, '-', '4' (the version), then the rest.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
