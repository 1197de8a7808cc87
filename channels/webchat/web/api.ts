/** The web chat API as the page uses it: the conversation and its secret kept in localStorage, bearer on every call. */

/** A conversation this browser opened. */
export interface Session {
  conversationId: string;
  secret: string;
}

/** One transcript line. */
export interface Entry {
  seq: number;
  direction: 'in' | 'out';
  author: string;
  text: string;
  kind?: string;
}

/** A reply returned by a POST. */
export interface Reply {
  text: string;
  language: 'ar' | 'en';
  kind: string;
}

/** A refused call: the status tells the page whether the session is gone (401). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SESSION_KEY = 'tawasul.webchat';

/** Reads a key of localStorage; storage may be unavailable (private mode). */
export function readStore(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Writes (or with null, removes) a key of localStorage when storage is available. */
export function writeStore(key: string, value: string | null): void {
  try {
    if (value === null) globalThis.localStorage?.removeItem(key);
    else globalThis.localStorage?.setItem(key, value);
  } catch {
    /* storage unavailable: the chat lasts as long as the page */
  }
}

/** The stored session, if any. */
export function loadSession(): Session | null {
  try {
    const s = JSON.parse(readStore(SESSION_KEY) ?? 'null') as Session | null;
    return s && typeof s.conversationId === 'string' && typeof s.secret === 'string' ? s : null;
  } catch {
    return null;
  }
}

/** Stores (or forgets) the session. */
export function saveSession(s: Session | null): void {
  writeStore(SESSION_KEY, s ? JSON.stringify(s) : null);
}

/** A random id from `crypto.getRandomValues` (available on plain HTTP, unlike `crypto.randomUUID`). */
export function randomId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function call<T>(path: string, init: RequestInit, session?: Session): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body) headers['content-type'] = 'application/json';
  if (session) headers.authorization = `Bearer ${session.secret}`;
  const r = await fetch(path, { ...init, headers, cache: 'no-store' });
  if (!r.ok) {
    const body = (await r.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new ApiError(r.status, body?.error?.message ?? `HTTP ${r.status}`);
  }
  return (await r.json()) as T;
}

/** Opens a conversation. */
export function openConversation(): Promise<Session> {
  return call<Session>('api/webchat/conversations', { method: 'POST' });
}

/** Posts a message (text or a location); returns the bot's replies. */
export function postMessage(
  s: Session,
  body: { text?: string; location?: { latitude: number; longitude: number }; clientMessageId: string },
): Promise<{ duplicate: boolean; replies: Reply[] }> {
  return call(`api/webchat/conversations/${encodeURIComponent(s.conversationId)}/messages`, { method: 'POST', body: JSON.stringify(body) }, s);
}

/** The transcript after a sequence number. */
export async function transcript(s: Session, after: number): Promise<Entry[]> {
  const r = await call<{ messages: Entry[] }>(
    `api/webchat/conversations/${encodeURIComponent(s.conversationId)}/messages?after=${after}`,
    { method: 'GET' },
    s,
  );
  return r.messages;
}
