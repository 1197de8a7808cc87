/** Helpers of the console tests: accounts, a signed-in HTTP client, an SSE reader, seeded requests. */
import type { Role } from '../../bot/console/accounts.js';
import type { Running } from '../helpers/app.js';

export const PASSWORD = 'correct horse battery';

/** A console HTTP client with a session cookie and its CSRF token (or a bearer token). */
export class ConsoleClient {
  cookie = '';
  csrf = '';
  lastSetCookie = '';
  constructor(
    readonly base: string,
    readonly bearer?: string,
  ) {}

  /** Signs in; throws unless 201. */
  async signIn(username: string, password = PASSWORD): Promise<this> {
    const r = await this.raw('POST', '/api/console/session', { username, password });
    if (r.status !== 201) throw new Error(`sign-in ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return this;
  }

  /** A call; keeps the cookie and the CSRF token it is given. */
  async raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookie) h.cookie = this.cookie;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (this.csrf && !('x-csrf-token' in headers) && method !== 'GET') h['x-csrf-token'] = this.csrf;
    const r = await fetch(`${this.base}${path}`, { method, headers: h, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const set = r.headers.get('set-cookie');
    if (set) {
      this.lastSetCookie = set;
      const m = /tawasul_console=([^;]*)/.exec(set);
      if (m) this.cookie = m[1] ? `tawasul_console=${m[1]}` : '';
    }
    const text = await r.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* CSV or YAML */
    }
    if (parsed && typeof parsed === 'object' && typeof parsed.csrfToken === 'string') this.csrf = parsed.csrfToken;
    return { status: r.status, body: parsed, headers: r.headers };
  }

  get = (path: string) => this.raw('GET', path);
  post = (path: string, body: unknown = {}) => this.raw('POST', path, body);
}

/** Creates an account directly in the store. */
export async function addAccount(run: Running, username: string, role: Role, departments: string[] = []): Promise<void> {
  await run.app.console.accounts.add({ username, role, departments, password: PASSWORD, displayName: username });
}

/** One parsed server-sent event. */
export interface Sse {
  id?: string;
  event: string;
  data: any;
}

/** Reads an SSE stream; `next(pred)` waits (bounded by a count of events, not by time) for a matching event. */
export class SseReader {
  readonly events: Sse[] = [];
  private waiters: Array<() => void> = [];
  private ctrl = new AbortController();
  closed = false;

  static async open(base: string, client: ConsoleClient, lastEventId?: string | number): Promise<SseReader> {
    const s = new SseReader();
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (client.cookie) headers.cookie = client.cookie;
    if (client.bearer) headers.authorization = `Bearer ${client.bearer}`;
    if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
    const r = await fetch(`${base}/api/console/events`, { headers, signal: s.ctrl.signal });
    if (r.status !== 200) throw new Error(`events: ${r.status}`);
    void s.pump(r.body!);
    await s.next((e) => e.event === 'ready');
    return s;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buf += dec.decode(chunk, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: Sse = { event: 'message', data: undefined };
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (!data) continue;
          e.data = JSON.parse(data);
          this.events.push(e);
          for (const w of this.waiters.splice(0)) w();
        }
      }
    } catch {
      /* aborted */
    }
    this.closed = true;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits for an event matching `pred` (from the start of the stream); rejects if the stream ends first. */
  async next(pred: (e: Sse) => boolean, from = 0): Promise<Sse> {
    for (;;) {
      const hit = this.events.slice(from).find(pred);
      if (hit) return hit;
      if (this.closed) throw new Error(`stream closed; got ${this.events.map((e) => e.event).join(',')}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    this.ctrl.abort();
  }
}

/** Valid intake fields of a pothole request. */
export const POTHOLE_FIELDS = {
  name: 'سالم بن علي البادي',
  civilId: '12345678',
  phone: '91234567',
  address: 'حي الخضراء، شارع 12',
  description: 'حفرة كبيرة أمام المنزل تعيق السيارات',
};

/** Files a request through the console API as `client` (an agent); returns its reference. */
export async function fileRequest(client: ConsoleClient, serviceId = 'potholes', fields: Record<string, string> = POTHOLE_FIELDS): Promise<string> {
  const r = await client.post('/api/console/requests', { serviceId, fields });
  if (r.status !== 201) throw new Error(`file: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.request.reference as string;
}
