/** Web chat calls from a given client address (X-Forwarded-For, honoured from the loopback proxy) for the security tests. */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Headers that make a loopback request appear to come from `address` through a reverse proxy. */
export const from = (address?: string): Record<string, string> => (address ? { 'x-forwarded-for': address } : {});

/** Secrets of the conversations opened here, by id (the web chat needs them in a header). */
const secrets = new Map<string, string>();

/** POST /api/webchat/conversations; the id or the HTTP status when refused. */
export async function openConversation(base: string, address?: string): Promise<{ status: number; id?: string; retryAfter?: string | null }> {
  const r = await fetch(`${base}/api/webchat/conversations`, { method: 'POST', headers: from(address) });
  const body = (await r.json()) as { conversationId?: string; secret?: string };
  if (body.conversationId && body.secret) secrets.set(body.conversationId, body.secret);
  return { status: r.status, ...(body.conversationId ? { id: body.conversationId } : {}), retryAfter: r.headers.get('retry-after') };
}

let n = 0;
/** Sends a message; returns the replies' texts joined. */
export async function say(base: string, cid: string, text: string, address?: string): Promise<string> {
  const r = await fetch(`${base}/api/webchat/conversations/${cid}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets.get(cid) ?? ''}`, ...from(address) },
    body: JSON.stringify({ text, clientMessageId: `m${++n}` }),
  });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return ((await r.json()) as { replies: Array<{ text: string }> }).replies.map((x) => x.text).join('\n\n');
}

/** http://127.0.0.1:PORT of a listening server. */
export const baseOf = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
