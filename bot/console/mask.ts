/** Masking of personal data in console lists (PDPL): only the last digits stay visible. */

/** `96891234567` → `•••••••4567`; keeps separators out. */
export function maskDigits(value: string | undefined | null, visible = 4): string {
  if (!value) return '';
  const v = value.replace(/\s+/g, '');
  return v.length <= visible ? '•'.repeat(v.length) : `${'•'.repeat(v.length - visible)}${v.slice(-visible)}`;
}

/** A name shortened to its first word and initials: «أحمد س. ب.». */
export function maskName(name: string | undefined | null): string {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '';
  return [words[0], ...words.slice(1).map((w) => `${[...w][0]}.`)].join(' ');
}

/** A conversation id shown in a list: phone-like ids masked, opaque ids shortened. */
export function maskConversationId(id: string): string {
  return /^\+?\d{6,}$/.test(id) ? maskDigits(id) : id.length > 8 ? `…${id.slice(-6)}` : id;
}
