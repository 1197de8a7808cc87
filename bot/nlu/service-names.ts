/**
 * A message that is nothing but a service's name («حماية المنازل من الأودية», «غلق الليوان», "pest control")
 * picks that service, as a choice from a menu would: a filing. The names are the official ones of
 * services.yaml and the `serviceNames` of config/nlu/, compared in their bare form (normalized, without
 * a leading «طلب», «خدمة», "request"…). The networks alone read such names as questions about the service,
 * since the inquiry templates put the same names in questions.
 */
import { normalizeForMatch } from './normalize.js';

/** Leading words that only say "a request / a service for": «طلب», «خدمة», "request", «6alab». */
const GENERIC = /^(?:(?:طلب|طلبات|خدمه|خدمات|request|requests|service|services|6alab|talab|tlb)\s+)+/;

/** The bare form of a text: normalized (normalize.ts), without leading generic words. */
export function bareServiceName(text: string): string {
  return normalizeForMatch(text).replace(GENERIC, '').trim();
}

/** Bare name → service id, from (name, service id) pairs; a bare name given to two services is left out. */
export function serviceNameIndex(names: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  const index = new Map<string, string>();
  const clashing = new Set<string>();
  for (const [name, id] of names) {
    const bare = bareServiceName(name);
    if (bare === '') continue;
    if (index.has(bare) && index.get(bare) !== id) clashing.add(bare);
    index.set(bare, id);
  }
  for (const bare of clashing) index.delete(bare);
  return index;
}
