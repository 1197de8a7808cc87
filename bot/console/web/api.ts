/** The console's HTTP client (CSRF header on every state-changing call) and its live event stream. */
import type { ErrorBody, LiveEvent } from './api-types.js';

export type { LiveEvent } from './api-types.js';

/** An error answer of the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly field?: string,
    readonly detail: ErrorBody = {},
  ) {
    super(message);
  }
}

let csrf = '';
let skew = 0;
/** Called when the session is gone (401), so that the app shows the sign-in screen. */
export const onSignedOut: { handler?: (reason: string) => void } = {};

/** Sets the CSRF token of the session. */
export const setCsrf = (token: string): void => {
  csrf = token;
};
/** Aligns the client's clock with the server's (waits and countdowns use the server's time). */
export const setServerNow = (iso: string | undefined): void => {
  if (iso) skew = Date.parse(iso) - Date.now();
};
/** The server's current time. */
export const serverNow = (): number => Date.now() + skew;

/** Calls the console API; throws ApiError on a non-2xx answer. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const r = await fetch(`/api/console${path}`, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  const data: { error?: ErrorBody; now?: unknown } = text ? JSON.parse(text) : {};
  if (!r.ok) {
    const e = data?.error ?? {};
    if (r.status === 401 && path !== '/session') onSignedOut.handler?.(e.reason ?? 'unauthorized');
    throw new ApiError(r.status, e.reason ?? 'error', e.message ?? r.statusText, e.field, e);
  }
  if (data && typeof data.now === 'string') setServerNow(data.now);
  return data as unknown as T;
}

type Listener = (e: LiveEvent) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
let lastId = 0;
/** Connection state listeners. */
export const liveState: { online: boolean; onChange?: (online: boolean) => void } = { online: false };

/** Opens the event stream (EventSource reconnects by itself, sending Last-Event-ID); events are never delivered twice. */
export function connectLive(): void {
  source?.close();
  source = new EventSource(`/api/console/events${lastId ? `?lastEventId=${lastId}` : ''}`);
  const deliver =
    (type: string) =>
    (m: MessageEvent): void => {
      const id = Number(m.lastEventId);
      if (type !== 'ready') {
        if (!Number.isFinite(id) || id <= lastId) return;
        lastId = id;
      }
      const data = JSON.parse(m.data as string);
      if (type !== 'ready') {
        // What the console has shown, for operators' debugging and the browser tests: the count and the last id.
        const root = document.documentElement.dataset;
        root.liveEvents = String(Number(root.liveEvents ?? 0) + 1);
        root.lastEventId = String(id);
      }
      const event = { type, id, data } as LiveEvent;
      for (const l of listeners) l(event);
    };
  for (const t of ['ready', 'conversation', 'request', 'notification']) source.addEventListener(t, deliver(t) as EventListener);
  source.onopen = () => {
    liveState.online = true;
    liveState.onChange?.(true);
  };
  source.onerror = () => {
    liveState.online = false;
    liveState.onChange?.(false);
    // A refused stream (e.g. 502 while the server restarts) is not retried by EventSource: reopen it from the last id.
    const s = source;
    if (s?.readyState === EventSource.CLOSED)
      setTimeout(() => {
        if (source === s) connectLive();
      }, 3000);
  };
}

/** Closes the event stream. */
export function disconnectLive(): void {
  source?.close();
  source = undefined;
}

/** Subscribes to live events; returns the unsubscribe function. */
export function onLive(l: Listener): () => void {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}
